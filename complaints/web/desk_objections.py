"""The grading authority's objection desk pages under ``/desk/objections`` (the desk's
login session): the department's objections, one with its log, and forms for the
steps of ``disclosure.objection_flow`` (verify the objector, review, uphold, dismiss),
each logged with the staff member who took it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from complaints.labels import N_
from complaints.web.common import services
from complaints.web.desk_pages import session_staff
from disclosure import objection_flow, objections
from disclosure.labels import OBJECTION_STATUS, label
from infra import csrf
from infra.accounts import Staff
from infra.db import utcnow
from infra.i18n import gettext
from infra.security import Cipher
from infra.web import lang, render

CHINA = ZoneInfo("Asia/Shanghai")
NO_STORE = {"Cache-Control": "no-store"}
STEP_LABELS = {
    "filed": N_("Filed"),
    "verify": N_("Identity verified"),
    "review": N_("Review begun"),
    "uphold": N_("Upheld"),
    "dismiss": N_("Dismissed"),
}


def _china(value: str) -> str:
    """An ISO time as China time, to the minute."""
    return datetime.fromisoformat(value).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _page(request: web.Request, ctx: dict[str, Any], status: int = 200) -> web.Response:
    ctx.update(
        objection_status=lambda code: label(OBJECTION_STATUS, code),
        step_label=lambda code: gettext(STEP_LABELS[code]) if code in STEP_LABELS else code,
        china=_china,
    )
    response = render("cases/desk_objections.html", request, ctx, status=status)
    response.headers.update(NO_STORE)
    return response


async def _staff(request: web.Request) -> Staff:
    staff = await session_staff(request)
    if staff is None:
        raise web.HTTPSeeOther(f"/desk?lang={lang(request)}")
    return staff


async def objection_list(request: web.Request) -> web.Response:
    staff = await _staff(request)
    async with services(request).sessions() as session:
        items = await objections.list_objections(session, staff.department)
    return _page(request, {"staff": staff, "items": items, "item": None})


async def _detail(
    request: web.Request, staff: Staff, error: str | None = None, status: int = 200
) -> web.Response:
    svc = services(request)
    number = request.match_info["objection_no"]
    async with svc.sessions() as session:
        item = await objections.get_objection(
            session, staff.department, number, Cipher(svc.settings.require_secret())
        )
    if item is None:
        raise web.HTTPNotFound(text=gettext("no objection with this number on your desk"))
    return _page(request, {"staff": staff, "item": item, "error": error}, status)


async def objection_page(request: web.Request) -> web.Response:
    return await _detail(request, await _staff(request))


async def objection_action(request: web.Request) -> web.StreamResponse:
    staff = await session_staff(request)
    if staff is None:
        raise web.HTTPUnauthorized(text=gettext("log in to the desk first"))
    raw = await request.post()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    csrf.check(request, form.get("csrf_token"))
    action = request.match_info["action"]
    number = request.match_info["objection_no"]
    if action not in objection_flow.ACTIONS:
        raise web.HTTPNotFound()
    try:
        async with services(request).sessions() as session, session.begin():
            row = await objections.act(
                session,
                staff.department,
                number,
                action,
                f"staff:{staff.id}",
                form.get("note", "").strip() or None,
                now=utcnow(),
            )
    except objection_flow.ObjectionError as exc:
        return await _detail(request, staff, exc.localized(), exc.status)
    if row is None:
        raise web.HTTPNotFound(text=gettext("no objection with this number on your desk"))
    raise web.HTTPSeeOther(f"/desk/objections/{row.objection_no}?lang={lang(request)}")


def setup(app: web.Application) -> None:
    app.router.add_get("/desk/objections", objection_list, name="desk_objection_list")
    app.router.add_get(
        "/desk/objections/{objection_no}", objection_page, name="desk_objection_page"
    )
    app.router.add_post(
        "/desk/objections/{objection_no}/{action}",
        objection_action,
        name="desk_objection_action",
    )
