"""The department desk's pages under ``/desk``: log in with the staff token, list the
department's cases with overdue flags, read a case and act on it through forms.

The login sets a signed session cookie (HttpOnly, SameSite=Strict, path /desk). The
signature covers the staff id, the time of login, the token's hash and the account's
session epoch: revoking the token, its expiry, or a logout (which moves the epoch on,
on the server) ends every session made before.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import update

from complaints import casework, evidence_store, workflow
from complaints.casework import CaseNotFound
from complaints.deadlines import default_rules
from complaints.intake import china_date
from complaints.models import KINDS, STATUSES
from complaints.web.common import services
from complaints.web.desk import (
    PARAMS,
    case_detail,
    case_summary,
    department_names,
    link_enterprise,
    run_action,
)
from infra import csrf
from infra.accounts import Staff, staff_for_token
from infra.db import utcnow
from infra.i18n import gettext
from infra.security import Cipher
from infra.web import lang, render

COOKIE = "zx_desk"
MAX_AGE = 12 * 3600
NO_STORE = {"Cache-Control": "no-store"}


def _sign(secret: str, staff: Staff, issued: int) -> str:
    epoch = staff.session_epoch or 0
    message = f"desk-session:{staff.id}:{issued}:{staff.token_hash}:{epoch}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def session_cookie(secret: str, staff: Staff, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return f"{staff.id}.{issued}.{_sign(secret, staff, issued)}"


async def session_staff(request: web.Request) -> Staff | None:
    """The logged-in staff member, or None (no, bad, expired or revoked session)."""
    raw = request.cookies.get(COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
        return None
    staff_id, issued, signature = int(parts[0]), int(parts[1]), parts[2]
    if not 0 <= time.time() - issued <= MAX_AGE or staff_id > 2**31:
        return None
    async with services(request).sessions() as session:
        staff = await session.get(Staff, staff_id)
    if staff is None or not staff.active():
        return None
    secret = services(request).settings.require_secret()
    expected = _sign(secret, staff, issued)
    return staff if hmac.compare_digest(expected, signature) else None


def _page(template: str, request: web.Request, ctx: dict[str, Any], status: int = 200):
    response = render(template, request, ctx, status=status)
    response.headers.update(NO_STORE)
    return response


def _login_page(request: web.Request, error: str | None = None, status: int = 200):
    return _page("cases/desk_login.html", request, {"error": error}, status)


def _redirect(request: web.Request, path: str) -> web.HTTPSeeOther:
    separator = "&" if "?" in path else "?"
    return web.HTTPSeeOther(f"{path}{separator}lang={lang(request)}")


PAGE_SIZE = 25


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 else 1


async def desk_home(request: web.Request) -> web.Response:
    staff = await session_staff(request)
    if staff is None:
        return _login_page(request)
    status = request.query.get("status") or None
    status = status if status in STATUSES else None
    kind = request.query.get("kind") or None
    kind = kind if kind in KINDS else None
    overdue = True if request.query.get("overdue") == "true" else None
    number = _page_number(request.query.get("page"))
    today = china_date(utcnow())
    filters = {"status": status, "kind": kind, "overdue": overdue}
    async with services(request).sessions() as session:
        total = await casework.count_cases(session, staff, today=today, **filters)
        pages = max(1, -(-total // PAGE_SIZE))
        number = min(number, pages)
        cases = await casework.list_cases(
            session,
            staff,
            today=today,
            **filters,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
            by_action=True,
        )
    spec = services(request).departments.get(staff.department)
    query = {k: v for k, v in (("status", status), ("kind", kind)) if v}
    if overdue:
        query["overdue"] = "true"
    ctx = {
        "staff": staff,
        "department_name": spec.name(lang(request)) if spec else staff.department,
        "cases": [_row(case_summary(c, today), today) for c in cases],
        "statuses": STATUSES,
        "kinds": KINDS,
        "status": status,
        "kind": kind,
        "overdue": overdue,
        "done": _done(request),
        "total": total,
        "page": number,
        "pages": pages,
        "page_query": urlencode({**query, "lang": lang(request)}),
    }
    return _page("cases/desk_list.html", request, ctx)


def _row(summary: dict[str, Any], today: date) -> dict[str, Any]:
    """A list row: the summary shortened, the due date that applies to the status."""
    due = None
    if summary["status"] == "received":
        due = summary["accept_due"]
    elif summary["status"] in ("accepted", "in_progress"):
        due = summary["resolve_due"]
    text = summary["summary"]
    return {
        **summary,
        "summary": text if len(text) <= 60 else text[:59] + "…",
        "due": due,
        "late": bool(due and date.fromisoformat(due) < today),
        "needs_action": summary["status"] == "received",
    }


def _done(request: web.Request) -> str | None:
    """The action the notice box confirms: only a known one, never the query as sent."""
    action = request.query.get("done")
    return action if action in PARAMS else None


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    csrf.check(request, form.get("csrf_token") if isinstance(form.get("csrf_token"), str) else None)
    token = form.get("token")
    staff = None
    if isinstance(token, str) and 0 < len(token.strip()) <= 200:
        async with services(request).sessions() as session:
            staff = await staff_for_token(session, token.strip())
    if staff is None:
        return _login_page(request, gettext("This token is not valid."), 401)
    response = _redirect(request, "/desk")
    value = session_cookie(services(request).settings.require_secret(), staff)
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/desk",
    )
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    csrf.check(request, form.get("csrf_token") if isinstance(form.get("csrf_token"), str) else None)
    staff = await session_staff(request)
    if staff is not None:
        # every cookie signed with the old epoch stops working, wherever it was copied
        async with services(request).sessions() as session:
            await session.execute(
                update(Staff)
                .where(Staff.id == staff.id)
                .values(session_epoch=Staff.session_epoch + 1)
            )
            await session.commit()
    response = _redirect(request, "/desk")
    response.del_cookie(COOKIE, path="/desk")
    raise response


async def _case_page(
    request: web.Request,
    staff: Staff,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> web.Response:
    svc = services(request)
    number = request.match_info["tracking_no"]
    names = department_names(svc, lang(request))
    async with svc.sessions() as session:
        try:
            case = await casework.case_for_staff(session, staff, number, events=True)
        except CaseNotFound:
            raise web.HTTPNotFound(text=gettext("no such case at your department")) from None
        detail = await case_detail(
            session,
            staff,
            case,
            Cipher(svc.settings.require_secret()),
            china_date(utcnow()),
            lang(request),
            names,
        )
        files = [
            {**evidence_store.describe(i), "added_by": i.added_by}
            for i in await evidence_store.list_for(session, case.id)
        ]
    ctx = {
        "staff": staff,
        "case": detail,
        "evidence": files,
        "error": error,
        "done": _done(request),
        "department_names": names,
        "transfer_targets": sorted(c for c in names if c != staff.department),
        "reject_reasons": workflow.REJECT_REASONS,
        "outcomes": workflow.OUTCOMES.get(detail["kind"], ()),
        "reward_levels": [r.level for r in default_rules().reward_levels],
        "form": form or {},
    }
    return _page("cases/desk_case.html", request, ctx, status)


async def case_page(request: web.Request) -> web.StreamResponse:
    staff = await session_staff(request)
    if staff is None:
        raise _redirect(request, "/desk")
    return await _case_page(request, staff)


def _form_params(action: str, form: dict[str, str]) -> dict[str, Any]:
    """Form fields as the action's parameters (checkbox, numbers), empty fields left out."""
    params: dict[str, Any] = {}
    for name in PARAMS[action]:
        value = form.get(name, "").strip()
        if name == "public":
            params[name] = value == "1"
        elif name == "reward_level" and value:
            params[name] = (
                int(value) if value.isascii() and value.isdigit() and len(value) < 3 else value
            )
        elif value:
            params[name] = value
    return params


def _weighty_problem(action: str, form: dict[str, str]) -> str | None:
    """What is missing from a reject or transfer form: its reason, its target, the tick
    that confirms it. The page asks with ``required`` fields; this holds without them."""
    if action not in ("reject", "transfer"):
        return None
    if action == "transfer" and not form.get("department", "").strip():
        return gettext("Choose the department to transfer the case to.")
    if not form.get("reason", "").strip():
        if action == "reject":
            return gettext("Choose the reason for not accepting the case.")
        return gettext("Write why the case goes to another department.")
    if form.get("confirm") != "yes":
        return gettext("Tick the box to confirm this decision.")
    return None


async def case_action(request: web.Request) -> web.StreamResponse:
    staff = await session_staff(request)
    if staff is None:
        raise web.HTTPUnauthorized(text=gettext("log in to the desk first"))
    raw = await request.post()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    csrf.check(request, form.get("csrf_token"))
    action = request.match_info["action"]
    number = request.match_info["tracking_no"]
    if action == "enterprise":
        return await _enterprise_action(request, staff, number, form)
    if action not in PARAMS:
        raise web.HTTPNotFound()
    problem = _weighty_problem(action, form)
    if problem:
        kept = {
            f"{action}_reason": form.get("reason", ""),
            "department": form.get("department", ""),
        }
        return await _case_page(request, staff, problem, 400, kept)
    try:
        result = await run_action(
            services(request), staff, number, action, _form_params(action, form)
        )
    except CaseNotFound:
        raise web.HTTPNotFound(text=gettext("no such case at your department")) from None
    except workflow.WorkflowError as exc:
        message = exc.localized()
        return await _case_page(request, staff, message, exc.status)
    if result.case.department != staff.department:
        # transferred away: the case is no longer this desk's to see
        raise _redirect(request, f"/desk?done={action}")
    raise _redirect(request, f"/desk/cases/{number}?done={action}")


async def _enterprise_action(
    request: web.Request, staff: Staff, number: str, form: dict[str, str]
) -> web.StreamResponse:
    """The desk's link/unlink form: an empty code unlinks."""
    params = {"uscc": form.get("uscc", "").strip() or None, "note": form.get("note") or None}
    try:
        await link_enterprise(services(request), staff, number, params)
    except CaseNotFound:
        raise web.HTTPNotFound(text=gettext("no such case at your department")) from None
    except workflow.WorkflowError as exc:
        message = exc.localized()
        return await _case_page(request, staff, message, exc.status)
    raise _redirect(request, f"/desk/cases/{number}")


def setup(app: web.Application) -> None:
    app.router.add_get("/desk", desk_home, name="desk")
    app.router.add_post("/desk/login", login, name="desk_login")
    app.router.add_post("/desk/logout", logout, name="desk_logout")
    app.router.add_get("/desk/cases/{tracking_no}", case_page, name="desk_case")
    app.router.add_post("/desk/cases/{tracking_no}/{action}", case_action, name="desk_case_action")
