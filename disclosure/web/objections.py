"""HTTP handlers of grade objections: filing (JSON and the company page's form), the
objector's tracking (``/objections/track`` and ``GET /api/v1/objections/{no}``) and the
grading authority's desk API (``/api/v1/desk/objections``, bearer staff tokens).

Every desk step goes through ``disclosure.objection_flow`` and is logged with the staff
member who took it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from disclosure import objection_flow, objections, service
from disclosure.web.common import services
from disclosure.web.pages import company_detail, page_context, render_company
from infra import csrf, desk_auth
from infra.accounts import Staff
from infra.clients import client_address
from infra.i18n import gettext as _
from infra.limits import RateLimited, check_filing, code_accepted, code_attempt, code_refused
from infra.security import Cipher
from infra.web import SETTINGS, ApiError, json_response, read_json, render, too_many

NO_STORE = {"Cache-Control": "no-store"}
OBJECTION_MESSAGES = {
    "reason": lambda: _("Explain the objection in at least 10 and at most 4,000 characters."),
    "contact": lambda: _("Give a telephone number or e-mail address for the reply."),
    "year": lambda: _("There is no published grade for that year."),
    "uscc": lambda: _(
        "Type the company's unified social credit code (18 characters) exactly as registered."
    ),
}


def _text(data: dict[str, object], name: str, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ApiError(
            400, "invalid_field", _("{name} must be a string.").format(name=name), field=name
        )
    return value


def _secret(request: web.Request) -> str:
    return request.app[SETTINGS].require_secret()


def _cipher(request: web.Request) -> Cipher:
    return Cipher(_secret(request))


def _error(exc: objection_flow.ObjectionError) -> ApiError:
    code = "conflict" if exc.status == 409 else "invalid_field"
    return ApiError(exc.status, code, exc.localized(), field=exc.field)


async def limit_objections(request: web.Request) -> None:
    """Objections are limited per client like case filing (429 with Retry-After)."""
    try:
        await check_filing(services(request).limiter, client_address(request), "objection")
    except RateLimited as exc:
        raise too_many(exc) from None


async def _file(request: web.Request, filing: objections.ObjectionRequest) -> tuple[Any, Any, str]:
    await limit_objections(request)
    async with services(request).sessions() as session, session.begin():
        return await objections.file_objection(
            session, _cipher(request), filing, secret_key=_secret(request)
        )


async def api_file_objection(request: web.Request) -> web.Response:
    data = await read_json(request)
    year = data.get("year")
    if year is not None and (
        not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2999
    ):
        raise ApiError(400, "invalid_field", _("year must be a year such as 2026."), field="year")
    try:
        code = service.check_code(request.match_info["uscc"])
    except service.BadCode:
        raise ApiError(
            400, "invalid_code", _("This is not a unified social credit code.")
        ) from None
    filing = objections.ObjectionRequest(
        code,
        _text(data, "reason"),
        _text(data, "contact"),
        year,
        claimed_uscc=_text(data, "uscc", required=False),
    )
    try:
        objection, grade, access_code = await _file(request, filing)
    except objections.EnterpriseNotFound:
        raise ApiError(404, "not_found", _("No enterprise is registered with this code.")) from None
    except objection_flow.ObjectionError as exc:
        raise _error(exc) from None
    body = {
        "objection_no": objection.objection_no,
        "access_code": access_code,
        "status": objection.status,
        "department": objection.department,
        "grade": {"grade": grade.grade, "year": grade.year},
        "created_at": objection.created_at.isoformat(),
        "identity_verified": False,
    }
    return json_response(body, status=201, headers=NO_STORE)


async def page_file_objection(request: web.Request) -> web.Response:
    """The objection form of the company page (POST, CSRF-checked)."""
    form = await request.post()
    csrf.check(request, str(form.get(csrf.FIELD, "")) or None)
    values = {k: str(form.get(k, "")) for k in ("reason", "contact", "year", "uscc")}
    raw_year = values["year"].strip()
    # ASCII only: str.isdigit() also takes "²", which int() refuses
    plain = raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4
    try:
        code = service.check_code(request.match_info["uscc"])
    except service.BadCode:
        raise ApiError(
            400, "invalid_code", _("This is not a unified social credit code.")
        ) from None
    filing = objections.ObjectionRequest(
        code,
        values["reason"],
        values["contact"],
        int(raw_year) if plain else None,
        claimed_uscc=values["uscc"],
    )
    try:
        objection, grade, access_code = await _file(request, filing)
    except objections.EnterpriseNotFound:
        raise ApiError(404, "not_found", _("No enterprise is registered with this code.")) from None
    except objection_flow.ObjectionError as exc:
        explain = OBJECTION_MESSAGES.get(exc.field)
        message = explain() if explain else exc.localized()
        return await render_company(request, code, {exc.field: message}, values)
    detail = await company_detail(request, code)
    ctx = page_context(request, e=detail, objection=objection, grade=grade, access_code=access_code)
    response = render("objection_filed.html", request, ctx)
    response.headers.update(NO_STORE)
    return response


async def _track(request: web.Request, number: str, code: str) -> dict[str, Any]:
    """The objector's view, or ObjectionUnavailable; wrong codes are rate-limited."""
    svc = services(request)
    client = client_address(request)
    attempt = await code_attempt(svc.limiter, client, f"objection:{number.strip().upper()[:32]}")
    try:
        async with svc.sessions() as session:
            view = await objections.track(session, number, code, _secret(request))
    except objections.ObjectionUnavailable:
        await code_refused(attempt)
        raise
    await code_accepted(attempt)
    return view


async def api_track(request: web.Request) -> web.Response:
    number = request.match_info["objection_no"]
    code = request.headers.get("X-Access-Code", "").strip()
    try:
        view = await _track(request, number, code)
    except RateLimited as exc:
        raise too_many(exc) from None
    except objections.ObjectionUnavailable:
        raise ApiError(
            404, "not_found", _("No objection matches this number and access code.")
        ) from None
    return json_response(view, headers=NO_STORE)


def _track_page(request: web.Request, ctx: dict[str, Any], status: int = 200) -> web.Response:
    response = render("objection_track.html", request, page_context(request, **ctx), status)
    response.headers.update(NO_STORE)
    return response


async def track_form(request: web.Request) -> web.Response:
    return _track_page(request, {"number": request.query.get("objection_no", "")[:32]})


async def track_submit(request: web.Request) -> web.Response:
    form = await request.post()
    csrf.check(request, str(form.get(csrf.FIELD, "")) or None)
    number = str(form.get("objection_no", "")).strip()[:32]
    code = str(form.get("access_code", "")).strip()
    try:
        view = await _track(request, number, code)
    except RateLimited as exc:
        response = _track_page(request, {"number": number, "error": _too_many(exc)}, 429)
        response.headers["Retry-After"] = exc.header
        return response
    except objections.ObjectionUnavailable:
        error = _("No objection matches this number and access code.")
        return _track_page(request, {"number": number, "error": error}, 404)
    return _track_page(request, {"number": number, "view": view})


def _too_many(exc: RateLimited) -> str:
    return _("Too many attempts; try again in {minutes} minutes.").format(minutes=exc.minutes)


async def desk_staff(request: web.Request) -> Staff:
    """The staff member whose bearer token came with the request, or a 401."""
    return await desk_auth.bearer_staff(request, services(request).sessions)


def _not_on_desk() -> ApiError:
    return ApiError(404, "not_found", _("No objection with this number is on your desk."))


async def desk_objections(request: web.Request) -> web.Response:
    staff = await desk_staff(request)
    status = request.query.get("status", "").strip() or None
    if status is not None and status not in objections.DESK_STATUSES:
        raise ApiError(
            400,
            "invalid_parameter",
            _("status must be one of {choices}.").format(
                choices=", ".join(objections.DESK_STATUSES)
            ),
        )
    async with services(request).sessions() as session:
        items = await objections.list_objections(
            session, staff.department, status, _cipher(request)
        )
    return json_response({"department": staff.department, "items": items}, headers=NO_STORE)


async def desk_objection(request: web.Request) -> web.Response:
    staff = await desk_staff(request)
    number = request.match_info["objection_no"]
    async with services(request).sessions() as session:
        item = await objections.get_objection(session, staff.department, number, _cipher(request))
    if item is None:
        raise _not_on_desk()
    return json_response(item, headers=NO_STORE)


async def run_objection_action(
    request: web.Request, staff: Staff, number: str, action: str, note: Any
) -> dict[str, Any]:
    """Apply a desk step in its own transaction; the objection as it is afterwards."""
    async with services(request).sessions() as session:
        async with session.begin():
            row = await objections.act(
                session, staff.department, number, action, f"staff:{staff.id}", note
            )
        if row is None:
            raise _not_on_desk()
        item = await objections.get_objection(session, staff.department, number, _cipher(request))
    assert item is not None
    return item


def _checked_body(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError(
            400,
            "invalid_field",
            _("unknown field {name}").format(name=unknown[0]),
            field=unknown[0],
        )


async def desk_objection_status(request: web.Request) -> web.Response:
    staff = await desk_staff(request)
    data = await read_json(request)
    _checked_body(data, ("status", "note"))
    try:
        action = objection_flow.action_for_status(data.get("status"))
        item = await run_objection_action(
            request, staff, request.match_info["objection_no"], action, data.get("note")
        )
    except objection_flow.ObjectionError as exc:
        raise _error(exc) from None
    return json_response(item, headers=NO_STORE)


def desk_action_handler(action: str):
    async def handler(request: web.Request) -> web.Response:
        staff = await desk_staff(request)
        data = await read_json(request) if request.body_exists else {}
        _checked_body(data, ("note",))
        try:
            item = await run_objection_action(
                request, staff, request.match_info["objection_no"], action, data.get("note")
            )
        except objection_flow.ObjectionError as exc:
            raise _error(exc) from None
        return json_response(item, headers=NO_STORE)

    handler.__name__ = f"desk_objection_{action}"
    return handler


def setup_routes(app: web.Application) -> None:
    add = app.router
    add.add_post("/api/v1/enterprises/{uscc}/objections", api_file_objection, name="api_objections")
    add.add_post("/enterprises/{uscc}/objections", page_file_objection, name="objection_form")
    add.add_get("/api/v1/objections/{objection_no}", api_track, name="api_objection_track")
    add.add_get("/objections/track", track_form, name="objection_track")
    add.add_post("/objections/track", track_submit, name="objection_track_submit")
    add.add_get("/api/v1/desk/objections", desk_objections, name="desk_objections")
    add.add_get("/api/v1/desk/objections/{objection_no}", desk_objection, name="desk_objection")
    add.add_post(
        "/api/v1/desk/objections/{objection_no}/status",
        desk_objection_status,
        name="desk_objection_status",
    )
    for action in objection_flow.ACTIONS:
        add.add_post(
            f"/api/v1/desk/objections/{{objection_no}}/{action}",
            desk_action_handler(action),
            name=f"desk_objection_{action}",
        )
