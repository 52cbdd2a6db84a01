"""What department staff do with cases: list, read, and act, each action logged.

Staff see only their own department's cases: a case elsewhere is reported as not found,
so its existence does not leak. ``triage`` staff see the unrouted cases and route them
by transfer. The reporter of a tip is shown to the handling department only, and never
to triage, which only routes (a complaint's contact is shown to triage, which may need
to ask the complainant what they meant).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from complaints import workflow
from complaints.deadlines import Rules, default_rules
from complaints.intake import china_date
from complaints.models import Case, CaseEvent, RoutingExample
from complaints.outbox import announce
from infra.accounts import Staff
from infra.characters import has_surrogate
from infra.db import utcnow
from infra.security import Cipher
from nlp.registry import TRIAGE

MAX_NOTE = 2000
_TIMESTAMP = {
    "accept": "accepted_at",
    "resolve": "resolved_at",
    "close": "closed_at",
    "notify": "notified_at",
}


class CaseNotFound(LookupError):
    """No such case in the staff member's department."""


@dataclass(frozen=True, slots=True)
class ActionResult:
    case: Case
    event: CaseEvent
    # set by a transfer: (text, department, kind) for the router to learn once committed
    lesson: tuple[str, str, str] | None = None


def overdue_clause(today: date) -> ColumnElement[bool]:
    """SQL condition for "a deadline that applies to the case's status has passed"."""
    # each part is false, never NULL, for a missing date, so the clause can be negated
    return or_(
        and_(Case.status == "received", Case.accept_due.is_not(None), Case.accept_due < today),
        and_(
            Case.status.in_(("accepted", "in_progress")),
            Case.resolve_due.is_not(None),
            Case.resolve_due < today,
        ),
        and_(Case.notify_due.is_not(None), Case.notify_due < today, Case.notified_at.is_(None)),
    )


def _filters(
    staff: Staff, today: date, status: str | None, kind: str | None, overdue: bool | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Case.department == staff.department]
    if status is not None:
        where.append(Case.status == status)
    if kind is not None:
        where.append(Case.kind == kind)
    if overdue is True:
        where.append(overdue_clause(today))
    elif overdue is False:
        where.append(~overdue_clause(today))
    return where


def _action_order() -> tuple[Any, ...]:
    """Cases needing a decision first, then the open ones, each by the due date that
    applies to them, then the finished ones newest first."""
    rank = sql_case(
        (Case.status == "received", 0),
        (Case.status.in_(("accepted", "in_progress")), 1),
        (Case.status.in_(("rejected", "resolved")), 2),
        else_=3,
    )
    due = sql_case(
        (Case.status == "received", Case.accept_due),
        (Case.status.in_(("accepted", "in_progress")), Case.resolve_due),
        else_=None,
    )
    return (rank, due.is_(None), due, Case.id.desc())


async def list_cases(
    session: AsyncSession,
    staff: Staff,
    *,
    today: date,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
    limit: int = 50,
    before: int | None = None,
    offset: int = 0,
    by_action: bool = False,
) -> list[Case]:
    """The department's cases, newest first (``before`` is the id cursor of the next page),
    or with ``by_action`` those needing action first, paged by ``offset``."""
    stmt = select(Case).where(*_filters(staff, today, status, kind, overdue))
    if before is not None:
        stmt = stmt.where(Case.id < before)
    order = _action_order() if by_action else (Case.id.desc(),)
    return list(await session.scalars(stmt.order_by(*order).offset(offset).limit(limit)))


async def count_cases(
    session: AsyncSession,
    staff: Staff,
    *,
    today: date,
    status: str | None = None,
    kind: str | None = None,
    overdue: bool | None = None,
) -> int:
    """How many of the department's cases pass the filters."""
    stmt = select(func.count()).select_from(Case)
    stmt = stmt.where(*_filters(staff, today, status, kind, overdue))
    return int(await session.scalar(stmt) or 0)


async def case_for_staff(
    session: AsyncSession, staff: Staff, tracking_no: str, *, events: bool = False
) -> Case:
    stmt = select(Case).where(Case.tracking_no == tracking_no, Case.department == staff.department)
    if events:
        stmt = stmt.options(selectinload(Case.events))
    case = await session.scalar(stmt)
    if case is None:
        raise CaseNotFound(tracking_no)
    return case


def identity_for(staff: Staff, case: Case, cipher: Cipher) -> dict[str, str | None] | None:
    """The reporter's contact and name, for the staff who may see them; else None."""
    if case.anonymous or staff.department != case.department:
        return None
    if case.kind == "tip" and staff.department == TRIAGE:
        return None
    contact = cipher.decrypt(case.contact_enc)
    name = cipher.decrypt(case.reporter_name_enc)
    if contact is None and name is None:
        return None
    return {"contact": contact, "name": name}


def _state(case: Case) -> workflow.CaseState:
    return workflow.CaseState(
        kind=case.kind,
        status=case.status,
        department=case.department,
        anonymous=case.anonymous,
        received=china_date(case.created_at),
        notified=case.notified_at is not None,
    )


def allowed_actions(case: Case) -> list[str]:
    return workflow.allowed_actions(_state(case))


def _note(params: dict[str, Any], required: bool = False) -> str | None:
    note = params.get("note")
    if note is None or (isinstance(note, str) and not note.strip()):
        if required:
            raise workflow.WorkflowError("missing_note", "note is required")
        return None
    if not isinstance(note, str) or has_surrogate(note):
        raise workflow.WorkflowError("invalid_note", "note must be text")
    if len(note) > MAX_NOTE:
        raise workflow.WorkflowError(
            "invalid_note", "note is longer than {limit} characters", limit=MAX_NOTE
        )
    return note.strip()


def plan_action(
    case: Case,
    action: str,
    params: dict[str, Any],
    *,
    departments: set[str],
    today: date,
    rules: Rules,
) -> workflow.Plan:
    """Check the action against the state machine and the given values (no writes)."""
    state = _state(case)
    if action == "accept":
        return workflow.accept(state, today, rules)
    if action == "reject":
        return workflow.reject(state, params.get("reason"), today, rules)
    if action == "transfer":
        if not isinstance(params.get("reason"), str) or not params["reason"].strip():
            raise workflow.WorkflowError("missing_reason", "reason is required for a transfer")
        return workflow.transfer(state, params.get("department"), departments, today, rules)
    if action == "progress":
        public = params.get("public", True)
        if not isinstance(public, bool):
            raise workflow.WorkflowError("invalid_public", "public must be true or false")
        return workflow.progress(state, public)
    if action == "resolve":
        return workflow.resolve(
            state,
            params.get("outcome"),
            today,
            rules,
            amount=params.get("amount_yuan"),
            penalty=params.get("penalty_yuan"),
            reward_level=params.get("reward_level"),
        )
    if action == "close":
        return workflow.close(state)
    if action == "notify":
        return workflow.notify(state)
    raise workflow.WorkflowError("unknown_action", "unknown action {action}", action=action)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


async def act(
    session: AsyncSession,
    staff: Staff,
    case: Case,
    action: str,
    params: dict[str, Any],
    *,
    departments: set[str],
    now: datetime | None = None,
    rules: Rules | None = None,
) -> ActionResult:
    """Apply one action to a case of the staff member's department, log it and announce
    it, in the caller's transaction."""
    now = now or utcnow()
    today = china_date(now)
    plan = plan_action(
        case, action, params, departments=departments, today=today, rules=rules or default_rules()
    )
    note = _note(params, required=action == "progress")
    # claim the change: a parallel action on the same case finds the state moved and fails
    claim = (
        update(Case)
        .where(
            Case.id == case.id,
            Case.status == plan.from_status,
            Case.department == case.department,
        )
        .values(status=plan.to_status)
        .execution_options(synchronize_session=False)
    )
    if action == "notify":
        claim = claim.where(Case.notified_at.is_(None))
    if (await session.execute(claim)).rowcount != 1:  # type: ignore[attr-defined]
        raise workflow.IllegalTransition(
            "conflict", "the case was changed by someone else meanwhile; reload it"
        )
    result = apply_plan(session, staff, case, plan, params, note, now, announce_it=False)
    await session.flush()  # the event's id, which the announcements carry
    announce_action(session, case, result.event, now)
    await session.flush()
    return result


def record(
    session: AsyncSession,
    staff: Staff,
    case: Case,
    action: str,
    params: dict[str, Any],
    *,
    departments: set[str],
    now: datetime,
    rules: Rules,
) -> ActionResult:
    """The same action as ``act`` for a writer that is alone on the case (loading data):
    checked the same way, logged and announced the same way, with no claim and no flush,
    so many actions go to the database together."""
    plan = plan_action(
        case, action, params, departments=departments, today=china_date(now), rules=rules
    )
    note = _note(params, required=action == "progress")
    return apply_plan(session, staff, case, plan, params, note, now)


def apply_plan(
    session: AsyncSession,
    staff: Staff,
    case: Case,
    plan: workflow.Plan,
    params: dict[str, Any],
    note: str | None,
    now: datetime,
    *,
    announce_it: bool = True,
) -> ActionResult:
    """Set the plan's fields on the case and add its log entry, routing lesson and
    (unless the caller announces after a flush) announcements to the session; no
    statement is sent."""
    action = plan.action
    changed: dict[str, list[Any]] = {}
    for name, value in plan.changes.items():
        old = getattr(case, name)
        if old != value:
            changed[name] = [_jsonable(old), _jsonable(value)]
        setattr(case, name, value)
    if plan.to_status != plan.from_status:
        changed["status"] = [plan.from_status, plan.to_status]
    case.status = plan.to_status
    if action in _TIMESTAMP:
        setattr(case, _TIMESTAMP[action], now)
    data: dict[str, Any] = {"changes": changed, "staff": staff.name}
    if note:
        data["note"] = note
    if action == "transfer":
        data["reason"] = params["reason"].strip()[:MAX_NOTE]
        data["from_department"] = changed["department"][0]
    if action == "resolve" and params.get("reward_level") is not None:
        data["reward_level"] = params["reward_level"]
    event = CaseEvent(
        case_id=case.id,
        at=now,
        actor=f"staff:{staff.id}",
        action=action,
        from_status=plan.from_status,
        to_status=plan.to_status,
        data=data,
        public=plan.public,
    )
    session.add(event)
    lesson = None
    if action == "transfer":
        session.add(
            RoutingExample(
                text=case.text,
                department=case.department,
                kind=case.kind,
                case_id=case.id,
                created_at=now,
            )
        )
        lesson = (case.text, case.department, case.kind)
    if announce_it:
        announce_action(session, case, event, now)
    return ActionResult(case, event, lesson)


def announce_action(session: AsyncSession, case: Case, event: CaseEvent, now: datetime) -> None:
    """The outbox messages of a logged action; once the event is flushed, they name it,
    so a push is rendered from its own event rather than the case's current state."""
    payload = {
        "event_id": event.id,
        "case_id": case.id,
        "tracking_no": case.tracking_no,
        "department": case.department,
        "kind": case.kind,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "public": event.public,
    }
    if event.action == "transfer":
        from_department = event.data["from_department"]
        announce(
            session, "case.transferred", {**payload, "from_department": from_department}, at=now
        )
    announce(session, "case.status", payload, at=now)
