"""The department desk's JSON API under ``/api/v1/desk/`` (bearer staff tokens).

Every route answers 401 without a valid token and 404 for a case of another department.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from aiohttp import web

from complaints import casework, linking, workflow
from complaints.casework import ActionResult, CaseNotFound
from complaints.event_text import describe
from complaints.intake import china_date, is_overdue
from complaints.labels import routing_reasons
from complaints.models import STATUSES, Case, CaseEvent
from complaints.web.api import reject_unknown, workflow_error
from complaints.web.common import services
from infra import desk_auth
from infra.accounts import Staff
from infra.db import utcnow
from infra.i18n import gettext
from infra.security import Cipher
from infra.web import ApiError, json_response, lang, read_json

if TYPE_CHECKING:
    from complaints.runtime import Services

NO_STORE = {"Cache-Control": "no-store"}
PARAMS: dict[str, tuple[str, ...]] = {
    "accept": ("note",),
    "reject": ("reason", "note"),
    "transfer": ("department", "reason", "note"),
    "progress": ("note", "public"),
    "resolve": ("outcome", "amount_yuan", "penalty_yuan", "reward_level", "note"),
    "close": ("note",),
    "notify": ("note",),
}


async def bearer_staff(request: web.Request) -> Staff:
    """The staff member of the ``Authorization: Bearer`` token, or a 401."""
    return await desk_auth.bearer_staff(request, services(request).sessions)


def not_found() -> ApiError:
    return ApiError(404, "not_found", gettext("no such case at your department"))


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def case_summary(case: Case, today: date) -> dict[str, Any]:
    return {
        "tracking_no": case.tracking_no,
        "kind": case.kind,
        "status": case.status,
        "department": case.department,
        "company": case.company,
        "summary": case.text[:120],
        "created_at": case.created_at.isoformat(),
        "accept_due": _day(case.accept_due),
        "resolve_due": _day(case.resolve_due),
        "notify_due": _day(case.notify_due),
        "overdue": is_overdue(case, today),
        "duplicate": case.duplicate_of_id is not None,
    }


def department_names(svc: Services, language: str) -> dict[str, str]:
    """Department codes to their names in ``language``."""
    return {code: spec.name(language) for code, spec in svc.departments.items()}


def _last_transfer(case: Case, names: dict[str, str]) -> dict[str, Any] | None:
    """The transfer that brought the case to its current department, or None."""
    for event in reversed(case.events):
        if event.action == "transfer":
            data = event.data or {}
            source = data.get("from_department") or ""
            return {
                "at": event.at.isoformat(),
                "staff": data.get("staff"),
                "from_department": source,
                "from_department_name": names.get(source, source),
                "reason": data.get("reason"),
            }
    return None


async def case_detail(
    session: Any,
    staff: Staff,
    case: Case,
    cipher: Cipher,
    today: date,
    language: str = "zh",
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the handling department sees, the reporter only where it may."""
    names = names or {}
    links = {}
    for name, case_id in (
        ("duplicate_of", case.duplicate_of_id),
        ("split_from", case.split_from_id),
    ):
        other = await session.get(Case, case_id) if case_id else None
        links[name] = other.tracking_no if other is not None else None
    identity = casework.identity_for(staff, case, cipher)
    withheld = identity is None and not case.anonymous and case.contact_enc is not None
    return {
        **case_summary(case, today),
        "text": case.text,
        "channel": case.channel,
        "routed_department": case.routed_department,
        "routing_confidence": case.routing_confidence,
        "routing_reasons": routing_reasons(case.routing_reasons, language, staff=True),
        "enterprise_uscc": case.enterprise_uscc,
        "city": case.city,
        "address": case.address,
        "anonymous": case.anonymous,
        "reporter": identity,
        "reporter_withheld": withheld,
        "accepted_at": case.accepted_at.isoformat() if case.accepted_at else None,
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "notified_at": case.notified_at.isoformat() if case.notified_at else None,
        "reject_reason": case.reject_reason,
        "outcome": case.outcome,
        "amount_yuan": case.recovered_fen / 100 if case.recovered_fen else None,
        "penalty_yuan": case.penalty_fen / 100 if case.penalty_fen else None,
        "reward_yuan": case.reward_fen / 100 if case.reward_fen else None,
        "working_days": case.working_days,
        "rating": case.rating,
        "rating_comment": case.rating_comment,
        "allowed_actions": casework.allowed_actions(case),
        "transfer": _last_transfer(case, names),
        **links,
        "events": [
            {
                "text": describe(
                    {"action": e.action, "actor": e.actor, "data": e.data, "public": e.public},
                    lambda code: names.get(code, code),
                    language,
                ),
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "public": e.public,
                "data": e.data,
            }
            for e in case.events
        ],
    }


async def run_action(
    svc: Services, staff: Staff, tracking_no: str, action: str, params: dict[str, Any]
) -> ActionResult:
    """Apply a desk action in its own transaction; a transfer then teaches the router."""
    departments = {code for code in svc.departments}
    async with svc.sessions() as session:
        case = await casework.case_for_staff(session, staff, tracking_no)
        result = await casework.act(session, staff, case, action, params, departments=departments)
        await session.commit()
    if result.lesson is not None:
        text, department, kind = result.lesson
        svc.router.learn(text, department, kind)
    return result


async def api_me(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    spec = services(request).departments.get(staff.department)
    return json_response(
        {
            "id": staff.id,
            "name": staff.name,
            "department": staff.department,
            "department_name": spec.name(request.get("lang", "zh")) if spec else staff.department,
        },
        headers=NO_STORE,
    )


def _query_int(request: web.Request, name: str, low: int, high: int) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        message = gettext("{name} must be a whole number from {low} to {high}")
        raise ApiError(400, "invalid_parameter", message.format(name=name, low=low, high=high))
    return int(raw)


async def api_list(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    status = request.query.get("status") or None
    if status is not None and status not in STATUSES:
        message = gettext("status must be one of: {choices}").format(choices=", ".join(STATUSES))
        raise ApiError(400, "invalid_parameter", message)
    overdue_raw = request.query.get("overdue", "")
    if overdue_raw not in ("", "true", "false"):
        raise ApiError(400, "invalid_parameter", gettext("overdue must be true or false"))
    overdue = None if overdue_raw == "" else overdue_raw == "true"
    limit = _query_int(request, "limit", 1, 200) or 50
    before = _query_int(request, "before", 1, 2**31 - 1)
    today = china_date(utcnow())
    async with services(request).sessions() as session:
        cases = await casework.list_cases(
            session, staff, today=today, status=status, overdue=overdue, limit=limit, before=before
        )
    body = {
        "department": staff.department,
        "items": [case_summary(c, today) for c in cases],
        "next_before": cases[-1].id if len(cases) == limit else None,
    }
    return json_response(body, headers=NO_STORE)


async def api_case(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    svc = services(request)
    cipher = Cipher(svc.settings.require_secret())
    async with svc.sessions() as session:
        try:
            case = await casework.case_for_staff(
                session, staff, request.match_info["tracking_no"], events=True
            )
        except CaseNotFound:
            raise not_found() from None
        body = await case_detail(
            session,
            staff,
            case,
            cipher,
            china_date(utcnow()),
            lang(request),
            department_names(svc, lang(request)),
        )
    return json_response(body, headers=NO_STORE)


def action_handler(action: str):
    async def handler(request: web.Request) -> web.Response:
        staff = await bearer_staff(request)
        params = await read_json(request) if request.body_exists else {}
        reject_unknown(params, PARAMS[action])
        svc = services(request)
        try:
            result = await run_action(svc, staff, request.match_info["tracking_no"], action, params)
        except CaseNotFound:
            raise not_found() from None
        except workflow.WorkflowError as exc:
            raise workflow_error(exc) from None
        case = result.case
        body = {
            "tracking_no": case.tracking_no,
            "action": action,
            "status": case.status,
            "department": case.department,
            "event_id": result.event.id,
            "changes": result.event.data.get("changes", {}),
        }
        return json_response(body, headers=NO_STORE)

    handler.__name__ = f"api_desk_{action}"
    return handler


async def link_enterprise(
    svc: Services, staff: Staff, tracking_no: str, params: dict[str, Any]
) -> tuple[Case, CaseEvent]:
    """Link the case to a registered enterprise (``uscc``) or unlink it (null), logged."""
    async with svc.sessions() as session:
        case = await casework.case_for_staff(session, staff, tracking_no)
        if "uscc" not in params:
            raise workflow.WorkflowError("missing_uscc", "uscc is required (null to unlink)")
        event = await linking.set_enterprise(
            session, staff, case, params.get("uscc"), params.get("note")
        )
        await session.commit()
    return case, event


async def api_enterprise(request: web.Request) -> web.Response:
    staff = await bearer_staff(request)
    params = await read_json(request) if request.body_exists else {}
    reject_unknown(params, ("uscc", "note"))
    try:
        case, event = await link_enterprise(
            services(request), staff, request.match_info["tracking_no"], params
        )
    except CaseNotFound:
        raise not_found() from None
    except workflow.WorkflowError as exc:
        raise workflow_error(exc) from None
    body = {
        "tracking_no": case.tracking_no,
        "action": event.action,
        "enterprise_uscc": case.enterprise_uscc,
        "event_id": event.id,
        "changes": event.data["changes"],
    }
    return json_response(body, headers=NO_STORE)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/desk/me", api_me, name="api_desk_me")
    app.router.add_get("/api/v1/desk/cases", api_list, name="api_desk_cases")
    app.router.add_get("/api/v1/desk/cases/{tracking_no}", api_case, name="api_desk_case")
    app.router.add_post(
        "/api/v1/desk/cases/{tracking_no}/enterprise", api_enterprise, name="api_desk_enterprise"
    )
    for action in workflow.ACTIONS:
        app.router.add_post(
            f"/api/v1/desk/cases/{{tracking_no}}/{action}",
            action_handler(action),
            name=f"api_desk_{action}",
        )
