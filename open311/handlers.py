"""Open311 GeoReport v2 under ``/open311/v2/``: services are the departments plus ``auto``
(the router decides); requests are cases. Every path ends in ``.json`` or ``.xml``.

A request is answered at once with its ``service_request_id`` (the tracking number), a
``token`` (the tracking number signed under the service secret, so tokens cannot be
made up to probe for cases), and, as an extension, the citizen's ``access_code``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy import select

from complaints import evidence_store, service
from complaints.evidence import MAX_FILE_BYTES, EvidenceRefused, prepare
from complaints.intake import IntakeError, Submission, client_key
from complaints.models import Case
from complaints.runtime import Services
from infra import limits
from infra.accounts import api_key_valid
from infra.clients import client_address
from infra.db import utcnow
from infra.limits import RateLimited
from infra.uploads import NotMultipart, Upload, UploadTooLarge, read_parts
from infra.web import SERVICES, lang
from open311 import formats as fmt311
from open311 import media

PREFIX = "/open311/v2"
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 100


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


Handler = Callable[[web.Request, str], Awaitable[web.Response]]
Handler0 = Callable[[web.Request], Awaitable[web.StreamResponse]]


def open311(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Check the format extension and answer every failure as the spec's error array."""

    async def wrapped(request: web.Request) -> web.Response:
        fmt = request.match_info.get("fmt", "json")
        if fmt not in fmt311.FORMATS:
            return fmt311.error("json", 404, f"unknown format .{fmt}; use .json or .xml")
        try:
            return await handler(request, fmt)
        except Open311Error as exc:
            return fmt311.error(fmt, exc.status, exc.description)
        except web.HTTPRequestEntityTooLarge:
            return fmt311.error(fmt, 413, "the request body is too large")

    wrapped.__name__ = handler.__name__
    return wrapped


def token_for(secret: str, tracking_no: str) -> str:
    sig = hmac.new(secret.encode(), f"open311-token:{tracking_no}".encode(), hashlib.sha256)
    return f"{tracking_no}-{sig.hexdigest()[:20]}"


def tracking_no_of(secret: str, token: str) -> str | None:
    number, _, _sig = token.rpartition("-")
    if not number or len(token) > 64:
        return None
    return number if hmac.compare_digest(token_for(secret, number), token) else None


@open311
async def get_discovery(request: web.Request, fmt: str) -> web.Response:
    base = f"{request.scheme}://{request.host}{PREFIX}"
    return fmt311.respond(fmt311.discovery(base), fmt, "discovery")


@open311
async def get_services(request: web.Request, fmt: str) -> web.Response:
    specs = [s for s in services(request).registry]
    items = [fmt311.service(None, lang(request))]
    items += [fmt311.service(spec, lang(request)) for spec in specs]
    return fmt311.respond(items, fmt, "services")


@open311
async def get_service_definition(request: web.Request, fmt: str) -> web.Response:
    code = request.match_info["code"]
    if code != fmt311.AUTO and code not in services(request).departments:
        raise Open311Error(404, f"unknown service_code {code}")
    return fmt311.respond(fmt311.definition(code, lang(request)), fmt, "service_definition")


def _float(form: dict[str, str], name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(400, f"{name} must be a decimal number")
    return value


def _submission(form: dict[str, str], request: web.Request) -> Submission:
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    if code != fmt311.AUTO and code not in services(request).departments:
        raise Open311Error(404, f"unknown service_code {code}")
    description = form.get("description", "")
    if not description.strip():
        raise Open311Error(400, "description is required")
    kind = form.get("attribute[kind]", "").strip() or None
    if kind not in (None, "complaint", "tip"):
        raise Open311Error(400, "attribute[kind] must be complaint or tip")
    anonymous_raw = form.get("attribute[anonymous]", "false").strip().lower()
    if anonymous_raw not in ("true", "false", ""):
        raise Open311Error(400, "attribute[anonymous] must be true or false")
    names = [form.get("first_name", "").strip(), form.get("last_name", "").strip()]
    contact = " / ".join(
        v for v in (form.get("email", "").strip(), form.get("phone", "").strip()) if v
    )
    key = request.headers.get("Idempotency-Key", "").strip()
    return Submission(
        text=description,
        channel="open311",
        kind=kind,
        company=form.get("attribute[company]", "").strip() or None,
        enterprise_uscc=form.get("attribute[company_uscc]", "").strip() or None,
        contact=contact or None,
        reporter_name=" ".join(n for n in names if n) or None,
        anonymous=anonymous_raw == "true",
        lang=lang(request),
        idempotency_key=(
            client_key(
                services(request).settings.require_secret(), "open311", client_address(request), key
            )
            if key
            else None
        ),
        department=None if code == fmt311.AUTO else code,
        address=form.get("address_string", "").strip() or None,
        lat=_float(form, "lat"),
        lon=_float(form, "long"),
    )


async def _read_form(request: web.Request) -> tuple[dict[str, str], list[Upload]]:
    try:
        parts = await read_parts(
            request,
            max_file=MAX_FILE_BYTES,
            max_total=MAX_FILE_BYTES + 256 * 1024,
            max_files=1,
        )
    except UploadTooLarge:
        raise Open311Error(413, f"media may be at most {MAX_FILE_BYTES} bytes") from None
    except (NotMultipart, ValueError):
        raise Open311Error(400, "send the fields as application/x-www-form-urlencoded") from None
    return parts.fields, parts.files


async def _media(request: web.Request, form: dict[str, str], files: list[Upload]):
    """The request's media (a ``media`` file or the ``media_url``), checked; or None."""
    svc = services(request)
    upload = next((f for f in files if f.field == "media"), None)
    url = form.get("media_url", "").strip()
    if upload is None and not url:
        return None
    if upload is not None:
        data, name = upload.data, "media"
    else:
        try:
            data = await media.fetch(url, svc.settings.media_fetch_allow)
        except media.MediaError as exc:
            raise Open311Error(400, str(exc)) from None
        name = "media_url"
    try:
        return await svc.off_loop(prepare, data)
    except EvidenceRefused as exc:
        raise Open311Error(exc.status, f"{name}: {exc}") from None


@open311
async def post_request(request: web.Request, fmt: str) -> web.Response:
    form, files = await _read_form(request)
    svc = services(request)
    key = form.get("api_key", "").strip()
    async with svc.sessions() as session:
        valid = bool(key) and len(key) <= 200 and await api_key_valid(session, key) is not None
    if not valid:
        raise Open311Error(403, "a valid api_key is required to post a request")
    sub = _submission(form, request)
    prepared = await _media(request, form, files)
    try:
        filed = await service.submit(svc, sub, client=client_address(request))
    except IntakeError as exc:
        status = 409 if exc.status == 409 else 400
        raise Open311Error(status, f"{exc.field}: {exc}") from None
    except RateLimited as exc:
        response = fmt311.error(fmt, 429, f"too many requests; try again in {exc.minutes} minutes")
        response.headers["Retry-After"] = exc.header
        return response
    if prepared is not None and not filed.replayed:
        async with svc.sessions() as session:
            case = await session.get(Case, filed.case.id)
            assert case is not None
            await evidence_store.attach(
                session,
                svc.evidence_store,
                case,
                [prepared],
                actor="citizen",
                channel="open311",
                announce_it=False,
            )
            await session.commit()
    secret = svc.settings.require_secret()
    items = []
    for case in (filed.case, *filed.related):
        # redacted now, on the worker thread: the public lists read it from the memo
        await svc.off_loop(fmt311.public_description, case.text)
        spec = svc.departments.get(case.department)
        notice = (
            f"{case.tracking_no}: {spec.name(lang(request)) if spec else case.department}; "
            f"access code {filed.access_code}"
        )
        items.append(
            {
                "service_request_id": case.tracking_no,
                "token": token_for(secret, case.tracking_no),
                "service_notice": notice,
                "account_id": None,
                "access_code": filed.access_code,
            }
        )
    return fmt311.respond(items, fmt, "requests", status=201)


def _datetime(request: web.Request, name: str) -> datetime | None:
    if name not in request.query:
        return None
    raw = request.query[name].strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise Open311Error(
            400, f"{name} must be a W3C date-time such as 2026-01-01T00:00:00Z"
        ) from None


def _list(request: web.Request, name: str) -> list[str]:
    return [v.strip() for v in request.query.get(name, "").split(",") if v.strip()]


async def _render_cases(request: web.Request, fmt: str, cases: list[Case]) -> web.Response:
    departments = services(request).departments
    # only requests whose content is public name their media (never a tip's)
    public = [c.id for c in cases if fmt311.shows_content(c)]
    async with services(request).sessions() as session:
        firsts = await evidence_store.first_ids(session, public)
    base = f"{request.scheme}://{request.host}"
    items = []
    for case in cases:
        first = firsts.get(case.id) if fmt311.shows_content(case) else None
        item = fmt311.public_request(
            case,
            departments.get(case.department),
            lang(request),
            media_url=media.link(base, case.tracking_no, first) if first else None,
        )
        if item is not None:
            items.append(item)
    return fmt311.respond(items, fmt, "requests")


@open311
async def get_requests(request: web.Request, fmt: str) -> web.Response:
    ids = _list(request, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
    # every filter is checked, even those the ids override
    start, end = _datetime(request, "start_date"), _datetime(request, "end_date")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start and end and end - start > MAX_RANGE:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    try:
        end = end or (start + MAX_RANGE if start else utcnow())
        start = start or end - MAX_RANGE
    except OverflowError:
        raise Open311Error(400, "start_date or end_date is out of range") from None
    statuses = {s.lower() for s in _list(request, "status")}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    if ids:
        refused = await _lookup_allowed(request, fmt)
        if refused is not None:
            return refused
    stmt = select(Case)
    if ids:
        # the ids override every other filter (GeoReport v2)
        stmt = stmt.where(Case.tracking_no.in_([i.upper() for i in ids]))
    else:
        stmt = stmt.where(Case.created_at >= start, Case.created_at <= end, Case.kind != "tip")
        codes = _list(request, "service_code")
        if codes:
            stmt = stmt.where(Case.department.in_(codes))
        if statuses == {"open"}:
            stmt = stmt.where(Case.status.in_(fmt311.OPEN))
        elif statuses == {"closed"}:
            stmt = stmt.where(Case.status.not_in(fmt311.OPEN))
    stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(MAX_RESULTS)
    async with services(request).sessions() as session:
        cases = list(await session.scalars(stmt))
    return await _render_cases(request, fmt, cases)


async def _lookup_allowed(request: web.Request, fmt: str) -> web.Response | None:
    """None when the client may read requests by id now, else the 429 to send."""
    try:
        await limits.lookup(services(request).limiter, client_address(request))
    except RateLimited as exc:
        response = fmt311.error(fmt, 429, f"too many requests; try again in {exc.minutes} minutes")
        response.headers["Retry-After"] = exc.header
        return response
    return None


@open311
async def get_request(request: web.Request, fmt: str) -> web.Response:
    """One request; a tip (named or anonymous) answers exactly as a number never issued."""
    refused = await _lookup_allowed(request, fmt)
    if refused is not None:
        return refused
    number = request.match_info["id"].strip().upper()[:32]
    async with services(request).sessions() as session:
        case = await session.scalar(select(Case).where(Case.tracking_no == number))
    if case is None or case.kind == "tip":
        raise Open311Error(404, f"no service request {number}")
    return await _render_cases(request, fmt, [case])


@open311
async def get_token(request: web.Request, fmt: str) -> web.Response:
    token = request.match_info["token"]
    number = tracking_no_of(services(request).settings.require_secret(), token)
    if number is None:
        raise Open311Error(404, "unknown token")
    return fmt311.respond([{"service_request_id": number, "token": token}], fmt, "requests")


@web.middleware
async def open311_errors(request: web.Request, handler: Handler0) -> web.StreamResponse:
    """Unknown paths and methods under /open311/ answer with the spec's error array too."""
    try:
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
        if not request.path.startswith(PREFIX + "/"):
            raise
        fmt = "xml" if request.path.endswith(".xml") else "json"
        response = fmt311.error(fmt, exc.status, exc.reason)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


def setup_routes(app: web.Application) -> None:
    app.middlewares.append(open311_errors)
    # permissive patterns: a bad code or format gets the spec's error array, not a bare 404
    ext = "{fmt:[^/]+}"
    add = app.router
    add.add_get(f"{PREFIX}/discovery.{ext}", get_discovery, name="open311_discovery")
    add.add_get(f"{PREFIX}/services.{ext}", get_services, name="open311_services")
    add.add_get(
        f"{PREFIX}/services/{{code:[^/.]+}}.{ext}", get_service_definition, name="open311_service"
    )
    add.add_get(f"{PREFIX}/requests.{ext}", get_requests, name="open311_requests")
    add.add_post(f"{PREFIX}/requests.{ext}", post_request, name="open311_post_request")
    add.add_get(f"{PREFIX}/requests/{{id:[^/.]+}}.{ext}", get_request, name="open311_request")
    add.add_get(f"{PREFIX}/tokens/{{token:[^/.]+}}.{ext}", get_token, name="open311_token")
