"""HTTP handlers for published data: the JSON API and the Atom feed (objections:
``disclosure.web.objections``).

The HTML pages are in ``disclosure.web.pages``; the OpenAPI description of every
route here is in ``disclosure.web.openapi``.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from disclosure import service
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
from disclosure.web.objections import setup_routes as objection_routes
from disclosure.web.openapi import MAX_LIMIT
from infra.i18n import gettext as _
from infra.web import ApiError

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


def setup_routes(app: web.Application) -> None:
    add = app.router
    add.add_get("/api/v1/enterprises", api_search, name="api_enterprises")
    add.add_get("/api/v1/enterprises/{uscc}", api_enterprise, name="api_enterprise")
    add.add_get("/api/v1/recalls", api_recalls, name="api_recalls")
    add.add_get("/api/v1/recalls/{id}", api_recall, name="api_recall")
    add.add_get("/feeds/recalls.atom", feed_recalls, name="feed_recalls")
    objection_routes(app)
    pages.setup_routes(app)
