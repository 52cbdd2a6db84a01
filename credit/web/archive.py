"""The enterprise quality archive over HTTP: the JSON API (cursor paging), the page, and
the CSV export for staff (bearer token, or the desk's login)."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from campaigns.export import csv_text_cell
from credit import archive
from credit.explain import event_text, event_title
from credit.web.common import NO_STORE, bearer_staff, department_names, page_staff, services
from disclosure.service import BadCode, check_code
from infra.i18n import gettext
from infra.web import ApiError, json_response, lang, render

CACHE = {"Cache-Control": "public, max-age=60", "Vary": "Accept-Language"}


def _code(request: web.Request) -> str:
    try:
        return check_code(request.match_info["uscc"])
    except BadCode:
        raise ApiError(
            400, "invalid_code", gettext("This is not a unified social credit code.")
        ) from None


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit", "")
    if not raw:
        return archive.DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= archive.MAX_LIMIT:
        message = gettext("limit must be a whole number from 1 to {most}")
        raise ApiError(400, "invalid_parameter", message.format(most=archive.MAX_LIMIT))
    return int(raw)


async def _events(request: web.Request, code: str) -> tuple[str, list[archive.ArchiveEvent]]:
    async with services(request).sessions() as session:
        name = await archive.enterprise_name(session, code)
        if name is None:
            raise ApiError(404, "not_found", gettext("no enterprise is registered with this code"))
        return name, await archive.archive_events(session, code)


def _page(request: web.Request, events: list[archive.ArchiveEvent]):
    cursor = request.query.get("cursor", "").strip() or None
    try:
        return archive.page(events, cursor, _limit(request))
    except archive.BadCursor:
        raise ApiError(
            400, "invalid_cursor", gettext("the cursor is not one this archive gave")
        ) from None


async def api_archive(request: web.Request) -> web.Response:
    code = _code(request)
    name, events = await _events(request, code)
    shown, following = _page(request, events)
    body = {
        "uscc": code,
        "name": name,
        "total": len(events),
        "items": [e.public() for e in shown],
        "next": following,
    }
    return json_response(body, headers=CACHE)


async def page_archive(request: web.Request) -> web.Response:
    code = _code(request)
    name, events = await _events(request, code)
    shown, following = _page(request, events)
    here = lang(request)
    names = department_names(request, here)
    items = [
        {
            **e.public(),
            "title": event_title(e.public(), here),
            "text": event_text(e.public(), here, names),
        }
        for e in shown
    ]
    counts: dict[str, int] = {}
    for e in events:
        counts[e.type] = counts.get(e.type, 0) + 1
    ctx = {
        "uscc": code,
        "name": name,
        "items": items,
        "counts": counts,
        "total": len(events),
        "next": following,
        "first_page": not request.query.get("cursor"),
    }
    return render("archive.html", request, ctx)


def _csv(code: str, events: list[archive.ArchiveEvent], department: str) -> web.Response:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in archive.csv_rows(events, department):
        writer.writerow([csv_text_cell(v) for v in row])
    return web.Response(
        body=buf.getvalue().encode("utf-8-sig"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="archive-{code}.csv"', **NO_STORE},
    )


async def api_archive_csv(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    code = _code(request)
    _name, events = await _events(request, code)
    return _csv(code, events, staff.department)


async def desk_archive_csv(request: web.Request) -> web.Response:
    staff = await page_staff(request)
    if staff is None:
        raise web.HTTPSeeOther(f"/desk?lang={lang(request)}")
    code = _code(request)
    _name, events = await _events(request, code)
    return _csv(code, events, staff.department)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/enterprises/{uscc}/archive", api_archive, name="api_archive")
    app.router.add_get(
        "/api/v1/desk/enterprises/{uscc}/archive.csv", api_archive_csv, name="api_archive_csv"
    )
    app.router.add_get("/enterprises/{uscc}/archive", page_archive, name="archive_page")
    app.router.add_get(
        "/desk/enterprises/{uscc}/archive.csv", desk_archive_csv, name="desk_archive_csv"
    )


ITEM: dict[str, Any] = {
    "type": "object",
    "required": ["type", "date"],
    "properties": {
        "type": {
            "type": "string",
            "enum": ["grade", "recall", "complaint", "tip", "penalty", "objection"],
        },
        "date": {"type": "string", "format": "date"},
    },
    "additionalProperties": True,
}
