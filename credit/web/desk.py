"""The grading authority's desk for proposals: the JSON API under
``/api/v1/desk/grade-proposals`` (bearer token) and the page ``/desk/grades`` (the desk's
login). Accept a proposal, or publish another grade with a reason; staff of any other
department get 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from credit import proposals
from credit.archive import CHINA
from credit.explain import STATUS, explain
from credit.rules import load_rules
from credit.web.common import NO_STORE, bearer_staff, department_names, page_staff, services
from disclosure.grades import GRADES
from infra import csrf
from infra.accounts import Staff
from infra.i18n import gettext
from infra.web import ApiError, json_response, lang, read_json, render


def _year(request: web.Request) -> int:
    raw = request.query.get("year", "")
    today = datetime.now(CHINA).date()
    if not raw:
        return today.year
    if not raw.isascii() or not raw.isdigit() or not 2000 <= int(raw) <= today.year + 1:
        raise ApiError(
            400,
            "invalid_year",
            gettext("year must be from 2000 to {last}").format(last=today.year + 1),
        )
    return int(raw)


def is_authority(staff: Staff) -> bool:
    return staff.department == load_rules().authority


def _authority(request: web.Request, staff: Staff) -> str:
    """The authority's name for a published grade; a 404 for any other department."""
    if not is_authority(staff):
        raise ApiError(
            404, "not_found", gettext("grade proposals are decided by the grading authority")
        )
    return department_names(request, "zh").get(staff.department, staff.department)


def _with_reasons(items: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    rules = load_rules()
    return [{**p, "reasons": explain(p, rules, code)} for p in items]


async def api_list(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    year = _year(request)
    status = request.query.get("status") or None
    if status is not None and status not in STATUS:
        raise ApiError(
            400,
            "invalid_parameter",
            gettext("status must be one of {statuses}").format(statuses=", ".join(STATUS)),
        )
    items: list[dict[str, Any]] = []
    if is_authority(staff):  # another department's desk has no proposals to decide
        async with services(request).sessions() as session:
            items = await proposals.list_proposals(session, year, status)
    return json_response(
        {"year": year, "items": _with_reasons(items, lang(request))}, headers=NO_STORE
    )


async def _decide(
    request: web.Request, staff: Staff, number: str, grade: str | None, reason: str | None
) -> dict[str, Any]:
    authority = _authority(request, staff)
    if not number.isascii() or not number.isdigit() or len(number) > 9:  # an int4 id
        raise ApiError(404, "not_found", gettext("no such grade proposal"))
    svc = services(request)
    async with svc.sessions() as session:
        try:
            row = await proposals.decide(
                session,
                int(number),
                decided_by=f"{staff.name} ({staff.department})",
                authority=authority,
                grade=grade,
                reason=reason,
            )
        except proposals.ProposalNotFound:
            raise ApiError(404, "not_found", gettext("no such grade proposal")) from None
        except proposals.ProposalError as exc:
            raise ApiError(
                exc.status, "invalid_decision", exc.localized(), field=exc.field
            ) from None
        await session.commit()
        result = {
            "id": row.id,
            "status": row.status,
            "grade": row.decided_grade,
            "year": row.year,
            "uscc": row.uscc,
        }
    async with svc.sessions() as session:
        await svc.published.refresh(session)  # this process shows the grade at once
    return result


async def api_accept(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    await read_json(request)
    return json_response(
        await _decide(request, staff, request.match_info["proposal_id"], None, None)
    )


async def api_override(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    data = await read_json(request)
    _authority(request, staff)  # another department learns nothing of the fields
    grade, reason = data.get("grade"), data.get("reason")
    if not isinstance(grade, str) or grade not in GRADES:
        message = gettext("grade must be one of {grades}").format(grades=", ".join(GRADES))
        raise ApiError(400, "invalid_decision", message, field="grade")
    if not isinstance(reason, str):
        raise ApiError(400, "invalid_decision", gettext("reason is required"), field="reason")
    return json_response(
        await _decide(request, staff, request.match_info["proposal_id"], grade, reason)
    )


async def page_desk(request: web.Request) -> web.StreamResponse:
    staff = await page_staff(request)
    if staff is None:
        raise web.HTTPSeeOther(f"/desk?lang={lang(request)}")
    return await _render(request, staff)


async def _render(
    request: web.Request, staff: Staff, error: str | None = None, status: int = 200
) -> web.Response:
    year = _year(request)
    items: list[dict[str, Any]] = []
    if is_authority(staff):
        async with services(request).sessions() as session:
            items = await proposals.list_proposals(session, year)
    ctx = {
        "authority": is_authority(staff),
        "staff": staff,
        "year": year,
        "items": _with_reasons(items, lang(request)),
        "grades": GRADES,
        "status_label": lambda code: gettext(STATUS[code]) if code in STATUS else code,
        "error": error,
        "done": request.query.get("done") in ("accept", "override"),
        "open": sum(1 for p in items if p["status"] == "proposed"),
    }
    response = render("grade_desk.html", request, ctx, status=status)
    response.headers.update(NO_STORE)
    return response


async def page_action(request: web.Request) -> web.StreamResponse:
    staff = await page_staff(request)
    if staff is None:
        raise web.HTTPUnauthorized(text=gettext("log in to the desk first"))
    raw = await request.post()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    csrf.check(request, form.get("csrf_token"))
    action = request.match_info["action"]
    if action not in ("accept", "override"):
        raise web.HTTPNotFound()
    grade = form.get("grade") or None if action == "override" else None
    reason = form.get("reason") if action == "override" else None
    if action == "override" and grade not in GRADES:
        return await _render(request, staff, gettext("Choose a grade."), 400)
    try:
        await _decide(request, staff, request.match_info["proposal_id"], grade, reason)
    except ApiError as exc:
        if exc.status_code == 404:
            raise
        return await _render(request, staff, exc.message, exc.status_code)
    year = _year(request)
    raise web.HTTPSeeOther(f"/desk/grades?year={year}&done={action}&lang={lang(request)}")


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/desk/grade-proposals", api_list, name="api_grade_proposals")
    app.router.add_post(
        "/api/v1/desk/grade-proposals/{proposal_id}/accept", api_accept, name="api_grade_accept"
    )
    app.router.add_post(
        "/api/v1/desk/grade-proposals/{proposal_id}/override",
        api_override,
        name="api_grade_override",
    )
    app.router.add_get("/desk/grades", page_desk, name="grade_desk")
    app.router.add_post(
        "/desk/grades/{proposal_id}/{action}", page_action, name="grade_desk_action"
    )
