"""Citizen JSON API: file a case, read it with the access code, rate it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from complaints import service
from complaints.intake import Filed, IntakeError, Submission, client_key
from complaints.labels import routing_reasons
from complaints.web.common import services
from complaints.workflow import WorkflowError
from infra.clients import client_address
from infra.i18n import gettext
from infra.limits import RateLimited
from infra.web import ApiError, json_response, lang, read_json, too_many

MAX_KEY = 72
NO_STORE = {"Cache-Control": "no-store"}


def field_error(name: str, message: str) -> ApiError:
    return ApiError(400, "invalid_field", message, field=name)


def take(
    data: dict[str, Any], name: str, kind: type | tuple[type, ...], *, required: bool = False
) -> Any:
    """One field of a JSON body, of exactly the given type (null counts as missing)."""
    value = data.get(name)
    if value is None:
        if required:
            raise field_error(name, gettext("{name} is required").format(name=name))
        return None
    # bool is an int in Python but not in JSON
    wrong_bool = isinstance(value, bool) and bool not in (
        kind if isinstance(kind, tuple) else (kind,)
    )
    if wrong_bool or not isinstance(value, kind):
        raise field_error(name, gettext("{name} has the wrong type").format(name=name))
    return value


def reject_unknown(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise field_error(key, gettext("unknown field {name}").format(name=key))


def workflow_error(exc: WorkflowError) -> ApiError:
    message = exc.localized()
    return ApiError(exc.status, exc.code, message)


def intake_error(exc: IntakeError) -> ApiError:
    code = "conflict" if exc.status == 409 else "invalid_field"
    return ApiError(exc.status, code, exc.localized(), field=exc.field)


def asker(request: web.Request) -> service.Asker:
    """The client checking an access code, for the attempt limits."""
    return service.Asker(services(request).limiter, client_address(request))


def idempotency_key(request: web.Request, channel: str) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not 8 <= len(key) <= MAX_KEY or not all("!" <= ch <= "~" for ch in key):
        raise ApiError(
            400,
            "invalid_header",
            gettext("Idempotency-Key must be 8 to {limit} printable ASCII characters").format(
                limit=MAX_KEY
            ),
        )
    # tied to the client: a replay from elsewhere files anew and learns no access code
    secret = services(request).settings.require_secret()
    return client_key(secret, channel, client_address(request), key)


def filed_body(filed: Filed, request: web.Request) -> dict[str, Any]:
    """What the submitter is told: numbers, department, kind, the first deadline."""
    departments = services(request).departments

    def one(case: Any) -> dict[str, Any]:
        spec = departments.get(case.department)
        due = case.accept_due
        return {
            "tracking_no": case.tracking_no,
            "department": case.department,
            "department_name": spec.name(lang(request)) if spec else case.department,
            "kind": case.kind,
            "due": due.isoformat() if due else None,
        }

    body = one(filed.case)
    body["access_code"] = filed.access_code
    # no confidence: it moves when staff lessons steer a text, which would tell the
    # citizen that a similar text was filed and corrected before
    body["routing"] = {"reasons": routing_reasons(filed.case.routing_reasons, lang(request))}
    body["related"] = [one(c) for c in filed.related]
    return body


async def post_case(request: web.Request) -> web.Response:
    data = await read_json(request)
    reject_unknown(
        data,
        ("text", "kind", "company", "company_uscc", "contact", "name", "anonymous", "city"),
    )
    sub = Submission(
        text=take(data, "text", str, required=True),
        channel="api",
        kind=take(data, "kind", str),
        company=take(data, "company", str),
        enterprise_uscc=take(data, "company_uscc", str),
        contact=take(data, "contact", str),
        reporter_name=take(data, "name", str),
        anonymous=take(data, "anonymous", bool) or False,
        city=take(data, "city", str),
        lang=lang(request),
        idempotency_key=idempotency_key(request, "api"),
    )
    if sub.city is not None and len(sub.city) > 20:
        raise field_error(
            "city",
            gettext("{name} is longer than {limit} characters").format(name="city", limit=20),
        )
    try:
        filed = await service.submit(services(request), sub, client=client_address(request))
    except IntakeError as exc:
        raise intake_error(exc) from None
    except RateLimited as exc:
        raise too_many(exc) from None
    headers = dict(NO_STORE)
    if filed.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(filed_body(filed, request), status=201, headers=headers)


def access_code(request: web.Request) -> str:
    code = request.headers.get("X-Access-Code", "").strip()
    if not code:
        raise ApiError(400, "missing_header", gettext("send the access code in X-Access-Code"))
    return code


def unavailable() -> ApiError:
    return ApiError(
        404, "not_found", gettext("no case matches this tracking number and access code")
    )


async def get_case(request: web.Request) -> web.Response:
    svc = services(request)
    code = access_code(request)
    async with svc.sessions() as session:
        try:
            view = await service.track(
                session,
                request.match_info["tracking_no"],
                code,
                svc.settings.require_secret(),
                lang(request),
                asker(request),
            )
        except service.CaseUnavailable:
            raise unavailable() from None
        except RateLimited as exc:
            raise too_many(exc) from None
    return json_response(view.to_dict(), headers=NO_STORE)


async def post_rating(request: web.Request) -> web.Response:
    svc = services(request)
    code = access_code(request)
    data = await read_json(request)
    reject_unknown(data, ("rating", "comment"))
    rating = take(data, "rating", int, required=True)
    comment = take(data, "comment", str)
    async with svc.sessions() as session:
        try:
            view = await service.rate(
                session,
                request.match_info["tracking_no"],
                code,
                svc.settings.require_secret(),
                rating,
                comment,
                lang(request),
                asker(request),
            )
            await session.commit()
        except service.CaseUnavailable:
            raise unavailable() from None
        except RateLimited as exc:
            raise too_many(exc) from None
        except WorkflowError as exc:
            raise workflow_error(exc) from None
    return json_response(view.to_dict(), headers=NO_STORE)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/cases", post_case, name="api_cases")
    app.router.add_get("/api/v1/cases/{tracking_no}", get_case, name="api_case")
    app.router.add_post("/api/v1/cases/{tracking_no}/rating", post_rating, name="api_case_rating")
