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

from aiohttp import web
from sqlalchemy import select

from complaints import evidence_store, service
from complaints.evidence import MAX_FILE_BYTES, EvidenceRefused, prepare
from complaints.intake import IntakeError
from complaints.models import Case
from complaints.runtime import Services
from infra import limits
from infra.accounts import api_key_valid
from infra.clients import client_address
from infra.i18n import gettext
from infra.limits import RateLimited
from infra.uploads import NotMultipart, Upload, UploadTooLarge, read_parts
from infra.web import SERVICES, lang, status_message
from open311 import formats as fmt311
from open311 import media
from open311.params import Open311Error, check_service, filters, submission

PREFIX = "/open311/v2"
MAX_RESULTS = 1000


Handler = Callable[[web.Request, str], Awaitable[web.Response]]
Handler0 = Callable[[web.Request], Awaitable[web.StreamResponse]]


def open311(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Check the format extension and answer every failure as the spec's error array."""

    async def wrapped(request: web.Request) -> web.Response:
        fmt = request.match_info.get("fmt", "json")
        if fmt not in fmt311.FORMATS:
            message = gettext("unknown format .{fmt}; use .json or .xml").format(fmt=fmt)
            return fmt311.error("json", 404, message)
        try:
            return await handler(request, fmt)
        except Open311Error as exc:
            return fmt311.error(fmt, exc.status, exc.description)
        except web.HTTPRequestEntityTooLarge:
            return fmt311.error(fmt, 413, status_message(413))

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
    check_service(request, code)
    return fmt311.respond(fmt311.definition(code, lang(request)), fmt, "service_definition")


async def _read_form(request: web.Request) -> tuple[dict[str, str], list[Upload]]:
    try:
        parts = await read_parts(
            request,
            max_file=MAX_FILE_BYTES,
            max_total=MAX_FILE_BYTES + 256 * 1024,
            max_files=1,
        )
    except UploadTooLarge:
        raise Open311Error(413, "media may be at most {size} bytes", size=MAX_FILE_BYTES) from None
    except (NotMultipart, ValueError):
        raise Open311Error(
            400, "send the fields as application/x-www-form-urlencoded or multipart/form-data"
        ) from None
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
            raise Open311Error(400, exc.msgid, **exc.params) from None
        name = "media_url"
    try:
        return await svc.off_loop(prepare, data)
    except EvidenceRefused as exc:
        raise Open311Error(
            exc.status, "{field}: {message}", field=name, message=exc.localized()
        ) from None


@open311
async def post_request(request: web.Request, fmt: str) -> web.Response:
    form, files = await _read_form(request)
    svc = services(request)
    key = form.get("api_key", "").strip()
    async with svc.sessions() as session:
        valid = bool(key) and len(key) <= 200 and await api_key_valid(session, key) is not None
    if not valid:
        raise Open311Error(403, "a valid api_key is required to post a request")
    sub = submission(form, request)
    prepared = await _media(request, form, files)
    try:
        filed = await service.submit(svc, sub, client=client_address(request))
    except IntakeError as exc:
        status = 409 if exc.status == 409 else 400
        raise Open311Error(
            status, "{field}: {message}", field=exc.field, message=exc.localized()
        ) from None
    except RateLimited as exc:
        return _too_many(fmt, exc)
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
        notice = gettext("{number}: {department}; access code {code}").format(
            number=case.tracking_no,
            department=spec.name(lang(request)) if spec else case.department,
            code=filed.access_code,
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
    want = filters(request)
    if want.ids:
        refused = await _lookup_allowed(request, fmt)
        if refused is not None:
            return refused
    stmt = select(Case)
    if want.ids:
        # the ids override every other filter (GeoReport v2)
        stmt = stmt.where(Case.tracking_no.in_([i.upper() for i in want.ids]))
    else:
        stmt = stmt.where(
            Case.created_at >= want.start, Case.created_at <= want.end, Case.kind != "tip"
        )
        if want.codes:
            stmt = stmt.where(Case.department.in_(want.codes))
        if want.statuses == {"open"}:
            stmt = stmt.where(Case.status.in_(fmt311.OPEN))
        elif want.statuses == {"closed"}:
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
        return _too_many(fmt, exc)
    return None


def _too_many(fmt: str, exc: RateLimited) -> web.Response:
    message = gettext("Too many attempts; try again in {minutes} minutes.")
    response = fmt311.error(fmt, 429, message.format(minutes=exc.minutes))
    response.headers["Retry-After"] = exc.header
    return response


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
        raise Open311Error(404, "no service request {number}", number=number)
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
        response = fmt311.error(fmt, exc.status, status_message(exc.status))
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
