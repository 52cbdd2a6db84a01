"""Evidence over HTTP: the citizen's API (access code), the desk API (staff token) and
the desk's file links (session cookie).

Files go out with their stored type, ``X-Content-Type-Options: nosniff``, a
Content-Security-Policy that lets nothing run, and ``Content-Disposition: attachment``
for documents (a PDF is never shown inside the site). Another department's case, a
wrong access code and a purged file are all 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from complaints import casework, evidence_store, service
from complaints.casework import CaseNotFound
from complaints.evidence import (
    MAX_FILE_BYTES,
    MAX_FILES_PER_CASE,
    EvidenceRefused,
    Prepared,
    prepare,
    too_large,
)
from complaints.models import Case, Evidence
from complaints.web.api import access_code, asker, unavailable
from complaints.web.common import services
from complaints.web.desk import bearer_staff, not_found
from complaints.web.desk_pages import session_staff
from infra.i18n import gettext
from infra.limits import RateLimited
from infra.uploads import MalformedBody, NotMultipart, Upload, UploadTooLarge, read_parts
from infra.web import ApiError, json_response, lang, too_many

if TYPE_CHECKING:
    from complaints.runtime import Services

NO_STORE = {"Cache-Control": "no-store"}
# a file is data, never a page: nothing in it may run, load or frame anything
FILE_CSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"
# room for the multipart framing around the largest file
BODY_SLACK = 64 * 1024


def refused(exc: EvidenceRefused, filename: str | None = None) -> ApiError:
    message = exc.localized()
    if filename:
        message = f"{filename}: {message}"
    return ApiError(exc.status, exc.code, message)


async def read_uploads(request: web.Request, max_files: int) -> tuple[dict[str, str], list[Upload]]:
    """The form fields and files of a multipart request, or a 4xx naming the problem."""
    try:
        parts = await read_parts(
            request,
            max_file=MAX_FILE_BYTES,
            max_total=min(max_files, MAX_FILES_PER_CASE) * MAX_FILE_BYTES + BODY_SLACK,
            max_files=MAX_FILES_PER_CASE + 1,
        )
    except NotMultipart:
        raise ApiError(
            415, "unsupported_media_type", gettext("send the file as multipart/form-data")
        ) from None
    except MalformedBody:
        raise ApiError(400, "invalid_body", gettext("the multipart body cannot be read")) from None
    except UploadTooLarge as exc:
        if exc.what == "files":
            raise refused(too_many_files(0)) from None
        raise refused(too_large()) from None
    return parts.fields, parts.files


def too_many_files(count: int) -> EvidenceRefused:
    from complaints.evidence import N_

    return EvidenceRefused(
        "too_many_files",
        N_("A case may have at most {limit} files; it has {count} already."),
        409,
        limit=MAX_FILES_PER_CASE,
        count=count,
    )


async def check_files(
    svc: Services, uploads: list[Upload], note: str | None = None
) -> list[Prepared]:
    """Every upload checked and re-encoded (off the event loop); the first refusal
    stops them all, so nothing is stored."""
    if len(uploads) > MAX_FILES_PER_CASE:
        raise refused(too_many_files(0))
    prepared = []
    for upload in uploads:
        try:
            prepared.append(await svc.off_loop(prepare, upload.data, note))
        except EvidenceRefused as exc:
            raise refused(exc, upload.filename[:100] or None) from None
    try:
        evidence_store.check_room(0, 0, prepared)
    except EvidenceRefused as exc:
        raise refused(exc) from None
    return prepared


def file_response(item: Evidence, data: bytes, *, thumbnail: bool = False) -> web.Response:
    content_type = "image/jpeg" if thumbnail else item.content_type
    headers = {
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": FILE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    ext = (
        "jpg"
        if thumbnail
        else {"image/png": "png", "application/pdf": "pdf"}.get(item.content_type, "jpg")
    )
    name = f"evidence-{item.id}{'-thumb' if thumbnail else ''}.{ext}"
    disposition = "attachment" if item.kind == "document" and not thumbnail else "inline"
    headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return web.Response(body=data, content_type=content_type, headers=headers)


def _evidence_id(request: web.Request) -> int:
    raw = request.match_info.get("evidence_id", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        raise ApiError(404, "not_found", gettext("no such evidence on this case"))
    return int(raw)


async def _citizen_case(request: web.Request, session: Any) -> Case:
    svc = services(request)
    try:
        return await service.find_case(
            session,
            request.match_info["tracking_no"],
            access_code(request),
            svc.settings.require_secret(),
            asker(request),
        )
    except service.CaseUnavailable:
        raise unavailable() from None
    except RateLimited as exc:
        raise too_many(exc) from None


async def attach_files(
    svc: Services,
    case_id: int,
    prepared: list[Prepared],
    actor: str,
    channel: str,
    *,
    announce_it: bool = True,
) -> list[Evidence]:
    """Attach checked files to a case in their own transaction."""
    async with svc.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        try:
            rows = await evidence_store.attach(
                session,
                svc.evidence_store,
                case,
                prepared,
                actor=actor,
                channel=channel,
                announce_it=announce_it,
            )
        except EvidenceRefused as exc:
            raise refused(exc) from None
        await session.commit()
    return rows


async def post_evidence(request: web.Request) -> web.Response:
    """The citizen adds one file (field ``file``) to a filed case."""
    svc = services(request)
    async with svc.sessions() as session:
        case = await _citizen_case(request, session)
        case_id = case.id
        count, _total = await evidence_store.usage(session, case_id)
    if count >= MAX_FILES_PER_CASE:
        raise refused(too_many_files(count))
    fields, uploads = await read_uploads(request, 1)
    files = [u for u in uploads if u.field == "file"]
    if len(files) != 1:
        raise ApiError(
            400, "invalid_field", gettext("send exactly one file in the field file"), field="file"
        )
    prepared = await check_files(svc, files, fields.get("note"))
    rows = await attach_files(svc, case_id, prepared, "citizen", "api")
    item = rows[0]
    body = {
        "id": item.id,
        "content_type": item.content_type,
        "bytes": item.bytes,
        "sha256": item.sha256,
    }
    return json_response(body, status=201, headers=NO_STORE)


async def list_evidence(request: web.Request) -> web.Response:
    async with services(request).sessions() as session:
        case = await _citizen_case(request, session)
        items = await evidence_store.list_for(session, case.id)
    return json_response({"items": [evidence_store.describe(i) for i in items]}, headers=NO_STORE)


async def _serve(request: web.Request, session: Any, case: Case, thumbnail: bool) -> web.Response:
    try:
        item = await evidence_store.one(session, case.id, _evidence_id(request))
        data = await evidence_store.content(
            services(request).evidence_store, item, thumbnail=thumbnail
        )
    except evidence_store.EvidenceNotFound:
        raise ApiError(404, "not_found", gettext("no such evidence on this case")) from None
    return file_response(item, data, thumbnail=thumbnail)


async def get_evidence(request: web.Request) -> web.Response:
    async with services(request).sessions() as session:
        case = await _citizen_case(request, session)
        return await _serve(request, session, case, thumbnail=False)


async def _staff_case(request: web.Request, session: Any, staff: Any) -> Case:
    try:
        return await casework.case_for_staff(session, staff, request.match_info["tracking_no"])
    except CaseNotFound:
        raise not_found() from None


async def desk_list(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    async with services(request).sessions() as session:
        case = await _staff_case(request, session, staff)
        items = await evidence_store.list_for(session, case.id)
    body = {"items": [{**evidence_store.describe(i), "added_by": i.added_by} for i in items]}
    return json_response(body, headers=NO_STORE)


def desk_file(thumbnail: bool):
    async def handler(request: web.Request) -> web.Response:
        staff = await bearer_staff(request)
        async with services(request).sessions() as session:
            case = await _staff_case(request, session, staff)
            return await _serve(request, session, case, thumbnail)

    handler.__name__ = "desk_evidence_thumbnail" if thumbnail else "desk_evidence_file"
    return handler


def page_file(thumbnail: bool):
    """The desk page's links and thumbnails (the desk's session cookie)."""

    async def handler(request: web.Request) -> web.Response:
        staff = await session_staff(request)
        if staff is None:
            raise web.HTTPSeeOther(f"/desk?lang={lang(request)}")
        async with services(request).sessions() as session:
            try:
                case = await casework.case_for_staff(
                    session, staff, request.match_info["tracking_no"]
                )
            except CaseNotFound:
                raise web.HTTPNotFound() from None
            return await _serve(request, session, case, thumbnail)

    handler.__name__ = "page_evidence_thumbnail" if thumbnail else "page_evidence_file"
    return handler


def setup(app: web.Application) -> None:
    add = app.router
    base = "/api/v1/cases/{tracking_no}/evidence"
    add.add_post(base, post_evidence, name="api_case_evidence_add")
    add.add_get(base, list_evidence, name="api_case_evidence")
    add.add_get(base + "/{evidence_id}", get_evidence, name="api_case_evidence_file")
    desk = "/api/v1/desk/cases/{tracking_no}/evidence"
    add.add_get(desk, desk_list, name="api_desk_evidence")
    add.add_get(desk + "/{evidence_id}", desk_file(False), name="api_desk_evidence_file")
    add.add_get(
        desk + "/{evidence_id}/thumbnail", desk_file(True), name="api_desk_evidence_thumbnail"
    )
    page = "/desk/cases/{tracking_no}/evidence/{evidence_id}"
    add.add_get(page, page_file(False), name="desk_evidence_file")
    add.add_get(page + "/thumbnail", page_file(True), name="desk_evidence_thumbnail")
