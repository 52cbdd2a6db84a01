"""HTTP handlers for published data: the JSON API, the Atom feed and the objection desk.

The HTML pages are in ``disclosure.web.pages``; the OpenAPI description of every
route here is in ``disclosure.web.openapi``.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from disclosure import objections, service
from disclosure.feed import FEED_SIZE, build_feed
from disclosure.grades import GRADES, parse_grade
from disclosure.models import RECALL_CATEGORIES
from disclosure.recalls import (
    BadCursor,
    RecallFilter,
    RecallNotFound,
    get_recall,
    list_recalls,
    recall_dict,
    recall_item,
)
from disclosure.web import pages
from disclosure.web.common import complaint_counts, services
from disclosure.web.httpcache import cached_json, conditional
from disclosure.web.openapi import MAX_LIMIT
from infra.i18n import gettext as _
from infra.security import Cipher
from infra.web import SETTINGS, ApiError, json_response, read_json

MAX_RECALL_LIMIT = 100
_MAX_ID = 2**31 - 1


def int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400, "invalid_parameter", _("{name} must be a whole number.").format(name=name)
        ) from None
    if not low <= value <= high:
        raise ApiError(
            400,
            "invalid_parameter",
            _("{name} must be between {low} and {high}.").format(name=name, low=low, high=high),
        )
    return value


def date_param(request: web.Request, name: str) -> date | None:
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400,
            "invalid_parameter",
            _("{name} must be a date like 2026-03-15, not {value}.").format(name=name, value=raw),
            field=name,
        ) from None


def grade_param(request: web.Request) -> str | None:
    raw = request.query.get("grade", "").strip()
    if not raw:
        return None
    grade = parse_grade(raw)
    if grade is None:
        raise ApiError(
            400,
            "invalid_parameter",
            _("grade must be one of {choices}, not {value}.").format(
                choices=", ".join(GRADES), value=raw
            ),
            field="grade",
        )
    return grade


def recall_filter(request: web.Request) -> RecallFilter:
    """The recall filters of the query string, or a 400 naming the bad one."""
    q = request.query.get("q", "").strip()
    if len(q) > 200:
        raise ApiError(400, "invalid_parameter", _("q is longer than 200 characters."), field="q")
    category = request.query.get("category", "").strip().lower() or None
    if category is not None and category not in RECALL_CATEGORIES:
        raise ApiError(
            400,
            "invalid_parameter",
            _("category must be one of {choices}, not {value}.").format(
                choices=", ".join(RECALL_CATEGORIES), value=category
            ),
            field="category",
        )
    since, until = date_param(request, "since"), date_param(request, "until")
    if since and until and since > until:
        raise ApiError(400, "invalid_parameter", _("since is after until."), field="since")
    return RecallFilter(q or None, category, since, until)


async def api_search(request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()
    grade = grade_param(request)
    if not query and not grade:
        raise ApiError(400, "missing_parameter", _("q is required (or grade, to list by grade)."))
    if len(query) > 200:
        raise ApiError(400, "invalid_parameter", _("q is longer than 200 characters."), field="q")
    limit = int_param(request, "limit", 10, 1, MAX_LIMIT)
    items = service.search_enterprises(services(request).published, query, limit, grade=grade)
    return cached_json(
        request, {"query": query, "grade": grade, "items": [i.to_dict() for i in items]}
    )


async def api_enterprise(request: web.Request) -> web.Response:
    svc = services(request)
    try:
        async with svc.sessions() as session:
            data = await service.enterprise_detail(
                session,
                svc.published,
                request.match_info["uscc"],
                complaint_counts=complaint_counts(request),
            )
    except service.BadCode:
        raise ApiError(
            400, "invalid_code", _("This is not a unified social credit code.")
        ) from None
    except service.NotFound:
        raise ApiError(404, "not_found", _("No enterprise is registered with this code.")) from None
    return cached_json(request, data)


async def api_recalls(request: web.Request) -> web.Response:
    filters = recall_filter(request)
    limit = int_param(request, "limit", 20, 1, MAX_RECALL_LIMIT)
    cursor = request.query.get("cursor", "").strip() or None
    try:
        async with services(request).sessions() as session:
            page = await list_recalls(session, filters, limit, cursor)
    except BadCursor:
        raise ApiError(
            400, "invalid_cursor", _("The cursor is not one this service handed out.")
        ) from None
    return cached_json(
        request,
        {"items": [recall_item(r) for r in page.items], "next_cursor": page.next_cursor},
    )


def _recall_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= _MAX_ID:
        raise ApiError(400, "invalid_parameter", _("A recall id is a positive whole number."))
    return int(raw)


async def api_recall(request: web.Request) -> web.Response:
    recall_id = _recall_id(request.match_info["id"])
    try:
        async with services(request).sessions() as session:
            recall = await get_recall(session, recall_id)
    except RecallNotFound:
        raise ApiError(404, "not_found", _("There is no such recall notice.")) from None
    return cached_json(request, recall_dict(recall))


async def feed_recalls(request: web.Request) -> web.Response:
    filters = recall_filter(request)
    async with services(request).sessions() as session:
        page = await list_recalls(session, filters, FEED_SIZE)
    body = build_feed(
        page.items,
        base_url=f"{request.scheme}://{request.host}",
        host=request.url.host,
        lang=request.get("lang", "zh"),
        category=filters.category,
    )
    return conditional(request, body, "application/atom+xml", max_age=300)


def _text(data: dict[str, object], name: str, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ApiError(
            400, "invalid_field", _("{name} must be a string.").format(name=name), field=name
        )
    return value


async def api_file_objection(request: web.Request) -> web.Response:
    svc = services(request)
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
    filing = objections.ObjectionRequest(code, _text(data, "reason"), _text(data, "contact"), year)
    cipher = Cipher(request.app[SETTINGS].require_secret())
    await pages.limit_objections(request)
    try:
        async with svc.sessions() as session, session.begin():
            objection, grade = await objections.file_objection(session, cipher, filing)
    except objections.EnterpriseNotFound:
        raise ApiError(404, "not_found", _("No enterprise is registered with this code.")) from None
    except objections.ObjectionError as exc:
        raise ApiError(
            400, "invalid_field", pages.objection_message(exc), field=exc.field
        ) from None
    body = {
        "objection_no": objection.objection_no,
        "status": objection.status,
        "department": objection.department,
        "grade": {"grade": grade.grade, "year": grade.year},
        "created_at": objection.created_at.isoformat(),
    }
    return json_response(body, status=201, headers={"Cache-Control": "no-store"})


async def _desk_department(request: web.Request) -> str:
    """The department of the staff member whose bearer token came with the request."""
    from infra.accounts import staff_for_token

    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        error = ApiError(401, "unauthorized", _("Send Authorization: Bearer <staff token>."))
        error.headers["WWW-Authenticate"] = 'Bearer realm="desk"'
        raise error
    async with services(request).sessions() as session:
        staff = await staff_for_token(session, token.strip())
    if staff is None:
        error = ApiError(401, "unauthorized", _("The staff token is unknown or revoked."))
        error.headers["WWW-Authenticate"] = 'Bearer realm="desk", error="invalid_token"'
        raise error
    return staff.department


def _cipher(request: web.Request) -> Cipher:
    return Cipher(request.app[SETTINGS].require_secret())


async def desk_objections(request: web.Request) -> web.Response:
    department = await _desk_department(request)
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
        items = await objections.list_objections(session, department, status, _cipher(request))
    return json_response(
        {"department": department, "items": items}, headers={"Cache-Control": "no-store"}
    )


async def desk_objection(request: web.Request) -> web.Response:
    department = await _desk_department(request)
    number = request.match_info["objection_no"]
    async with services(request).sessions() as session:
        item = await objections.get_objection(session, department, number, _cipher(request))
    if item is None:
        raise ApiError(404, "not_found", _("No objection with this number is on your desk."))
    return json_response(item, headers={"Cache-Control": "no-store"})


async def desk_objection_status(request: web.Request) -> web.Response:
    department = await _desk_department(request)
    data = await read_json(request)
    number = request.match_info["objection_no"]
    try:
        async with services(request).sessions() as session, session.begin():
            row = await objections.set_objection_status(
                session, department, number, _text(data, "status")
            )
    except objections.ObjectionError as exc:
        raise ApiError(
            400, "invalid_field", pages.objection_message(exc), field=exc.field
        ) from None
    if row is None:
        raise ApiError(404, "not_found", _("No objection with this number is on your desk."))
    async with services(request).sessions() as session:
        item = await objections.get_objection(session, department, number, _cipher(request))
    return json_response(item, headers={"Cache-Control": "no-store"})


def setup_routes(app: web.Application) -> None:
    add = app.router
    add.add_get("/api/v1/enterprises", api_search, name="api_enterprises")
    add.add_get("/api/v1/enterprises/{uscc}", api_enterprise, name="api_enterprise")
    add.add_post("/api/v1/enterprises/{uscc}/objections", api_file_objection, name="api_objections")
    add.add_get("/api/v1/recalls", api_recalls, name="api_recalls")
    add.add_get("/api/v1/recalls/{id}", api_recall, name="api_recall")
    add.add_get("/api/v1/desk/objections", desk_objections, name="desk_objections")
    add.add_get("/api/v1/desk/objections/{objection_no}", desk_objection, name="desk_objection")
    add.add_post(
        "/api/v1/desk/objections/{objection_no}/status",
        desk_objection_status,
        name="desk_objection_status",
    )
    add.add_get("/feeds/recalls.atom", feed_recalls, name="feed_recalls")
    pages.setup_routes(app)
