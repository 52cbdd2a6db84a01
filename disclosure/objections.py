"""Objections (异议) to a quality-credit grade: filed by the enterprise, reviewed by the
grading authority (department ``zhijian`` unless the grade names another).

An objection gets a number people can read out on the phone: ``YY`` (异议), the
filing date in China (Asia/Shanghai), and four characters without look-alikes, e.g.
``YY20260315-K7MQ``, and an access code with which the objector follows it.

Identity: the objector types the enterprise's unified social credit code, which must be
the graded enterprise's, and a contact; staff verify that the contact speaks for the
enterprise before anything is done (``objection_flow``). Every step is logged.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from disclosure import objection_flow
from disclosure.models import CreditGrade, Enterprise, GradeObjection, ObjectionEvent
from disclosure.objection_flow import N_, IllegalObjectionStep, ObjectionError
from infra.db import utcnow
from infra.formatting import china_day
from infra.security import Cipher, keyed_hash, readable_code
from nlp import uscc as uscc_codes

__all__ = [
    "DESK_STATUSES",
    "EnterpriseNotFound",
    "IllegalObjectionStep",
    "ObjectionError",
    "ObjectionRequest",
    "ObjectionUnavailable",
    "act",
    "file_objection",
    "get_objection",
    "list_objections",
    "set_objection_status",
    "track",
]

CHINA = ZoneInfo("Asia/Shanghai")
GRADING_AUTHORITY = "zhijian"
MAX_REASON = 4000
MIN_REASON = 10
MAX_CONTACT = 200
DESK_STATUSES = objection_flow.STATUSES
_DUMMY_HASH = "0" * 64


class EnterpriseNotFound(LookupError):
    """No enterprise is registered with this code."""


class ObjectionUnavailable(LookupError):
    """No objection with this number and access code (the two are not told apart)."""


@dataclass(frozen=True, slots=True)
class ObjectionRequest:
    uscc: str  # the graded enterprise (the page or path the objection is filed on)
    reason: str
    contact: str
    year: int | None = None  # the grade objected to; the latest one when None
    claimed_uscc: str | None = None  # the code the objector typed: must be ``uscc``


def objection_number(now: datetime) -> str:
    """``YY`` + the day in China + four random characters."""
    return f"YY{china_day(now):%Y%m%d}-{readable_code(4)}"


def _code_hash(secret_key: str, code: str) -> str:
    return keyed_hash(secret_key, f"objection:{code}")


def _check_identity(request: ObjectionRequest) -> None:
    claimed = (request.claimed_uscc or "").strip()
    if not claimed:
        raise ObjectionError(
            "uscc", N_("give the enterprise's unified social credit code to show you speak for it")
        )
    check = uscc_codes.validate(claimed)
    if not check.acceptable or check.code != request.uscc:
        raise ObjectionError(
            "uscc", N_("this unified social credit code is not the graded enterprise's")
        )


async def file_objection(
    session: AsyncSession, cipher: Cipher, request: ObjectionRequest, *, secret_key: str
) -> tuple[GradeObjection, CreditGrade, str]:
    """Record an objection in the caller's transaction; returns it, the grade it concerns
    and the objector's access code (shown once, stored as a keyed hash)."""
    enterprise = await session.get(Enterprise, request.uscc)
    if enterprise is None:
        raise EnterpriseNotFound(request.uscc)
    reason = request.reason.strip()
    contact = request.contact.strip()
    _check_identity(request)
    if len(reason) < MIN_REASON:
        raise ObjectionError(
            "reason", N_("explain the objection in at least {n} characters"), n=MIN_REASON
        )
    if len(reason) > MAX_REASON:
        raise ObjectionError("reason", N_("the reason is longer than {n} characters"), n=MAX_REASON)
    if not contact:
        raise ObjectionError(
            "contact", N_("a contact (telephone or e-mail) is required for the reply")
        )
    if len(contact) > MAX_CONTACT:
        raise ObjectionError(
            "contact", N_("the contact is longer than {n} characters"), n=MAX_CONTACT
        )
    stmt = select(CreditGrade).where(CreditGrade.uscc == request.uscc)
    if request.year is not None:
        stmt = stmt.where(CreditGrade.year == request.year)
    grade = await session.scalar(stmt.order_by(CreditGrade.year.desc()).limit(1))
    if grade is None:
        if request.year is not None:
            raise ObjectionError(
                "year", N_("this enterprise has no published grade for {year}"), year=request.year
            )
        raise ObjectionError("year", N_("this enterprise has no published grade at all"))
    now = utcnow()
    number = objection_number(now)
    while await session.scalar(
        select(GradeObjection.id).where(GradeObjection.objection_no == number)
    ):
        number = objection_number(now)
    code = readable_code(8)
    objection = GradeObjection(
        objection_no=number,
        uscc=request.uscc,
        grade_id=grade.id,
        reason=reason,
        contact_enc=cipher.encrypt(contact),
        status="received",
        department=GRADING_AUTHORITY,
        created_at=now,
        access_code_hash=_code_hash(secret_key, code),
    )
    session.add(objection)
    await session.flush()
    session.add(
        ObjectionEvent(
            objection_id=objection.id,
            at=now,
            actor="objector",
            action="filed",
            to_status="received",
            public=True,
        )
    )
    await session.flush()
    return objection, grade, code


def _event(event: ObjectionEvent, staff_view: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "at": event.at.isoformat(),
        "at_china": event.at.astimezone(CHINA).isoformat(),
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
    }
    if staff_view:
        row.update(actor=event.actor, note=event.note, public=event.public)
    elif event.action in ("uphold", "dismiss"):
        row["note"] = event.note  # the decision's reasons are the objector's to read
    return row


def _row(
    objection: GradeObjection,
    name: str,
    grade: CreditGrade | None,
    cipher: Cipher | None,
    events: list[ObjectionEvent] | None = None,
) -> dict[str, Any]:
    verified = objection.identity_verified_at
    row = {
        "objection_no": objection.objection_no,
        "uscc": objection.uscc,
        "enterprise": name,
        "grade": grade.grade if grade else None,
        "year": grade.year if grade else None,
        "reason": objection.reason,
        "status": objection.status,
        "department": objection.department,
        "created_at": objection.created_at.isoformat(),
        "created_at_china": objection.created_at.astimezone(CHINA).isoformat(),
        "identity_verified": verified is not None,
        "identity_verified_at": verified.isoformat() if verified else None,
        "identity_verified_by": objection.identity_verified_by,
        "allowed_actions": objection_flow.allowed_actions(objection.status, verified is not None),
    }
    if cipher is not None:
        row["contact"] = cipher.decrypt(objection.contact_enc)
    if events is not None:
        row["events"] = [_event(e, staff_view=True) for e in events]
    return row


def _desk_query(department: str):
    return (
        select(GradeObjection, Enterprise.name, CreditGrade)
        .join(Enterprise, Enterprise.uscc == GradeObjection.uscc)
        .outerjoin(CreditGrade, CreditGrade.id == GradeObjection.grade_id)
        .where(GradeObjection.department == department)
    )


async def list_objections(
    session: AsyncSession,
    department: str,
    status: str | None = None,
    cipher: Cipher | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The objections on one department's desk, newest first; contacts only with ``cipher``."""
    stmt = (
        _desk_query(department)
        .order_by(GradeObjection.created_at.desc(), GradeObjection.id.desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(GradeObjection.status == status)
    return [_row(o, name, g, cipher) for o, name, g in await session.execute(stmt)]


async def get_objection(
    session: AsyncSession, department: str, number: str, cipher: Cipher | None = None
) -> dict[str, Any] | None:
    """One objection of the department's desk with its log (None for another department's)."""
    stmt = _desk_query(department).where(GradeObjection.objection_no == number.strip().upper())
    row = (await session.execute(stmt.options(selectinload(GradeObjection.events)))).first()
    if row is None:
        return None
    return _row(row[0], row[1], row[2], cipher, list(row[0].events))


async def act(
    session: AsyncSession,
    department: str,
    number: str,
    action: str,
    actor: str,
    note: Any = None,
    *,
    now: datetime | None = None,
) -> GradeObjection | None:
    """Apply one desk action to an objection of the department and log it, in the caller's
    transaction; None when the objection is not the department's."""
    objection = await session.scalar(
        select(GradeObjection).where(
            GradeObjection.department == department,
            GradeObjection.objection_no == number.strip().upper(),
        )
    )
    if objection is None:
        return None
    verified = objection.identity_verified_at is not None
    step = objection_flow.plan(objection.status, verified, action, note)
    now = now or utcnow()
    values: dict[str, Any] = {"status": step.to_status}
    if step.verifies:
        values.update(identity_verified_at=now, identity_verified_by=actor[:64])
    # claim the change: a parallel action on the same objection finds the state moved
    claim = update(GradeObjection).where(
        GradeObjection.id == objection.id, GradeObjection.status == step.from_status
    )
    if step.verifies:
        claim = claim.where(GradeObjection.identity_verified_at.is_(None))
    result = await session.execute(
        claim.values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise IllegalObjectionStep(
            "status", N_("the objection was changed by someone else meanwhile; reload it")
        )
    for name, value in values.items():
        setattr(objection, name, value)
    session.add(
        ObjectionEvent(
            objection_id=objection.id,
            at=now,
            actor=actor[:64],
            action=step.action,
            from_status=step.from_status,
            to_status=step.to_status,
            note=step.note,
            public=not step.verifies,
        )
    )
    await session.flush()
    return objection


async def set_objection_status(
    session: AsyncSession,
    department: str,
    number: str,
    status: Any,
    actor: str = "staff",
    note: Any = None,
) -> GradeObjection | None:
    """Move an objection of the department's desk to ``status`` through the state machine
    (None when not its own)."""
    action = objection_flow.action_for_status(status)
    return await act(session, department, number, action, actor, note)


async def track(
    session: AsyncSession, number: Any, access_code: Any, secret_key: str
) -> dict[str, Any]:
    """The objector's view: status, grade, dates (China time) and the public log.
    ``ObjectionUnavailable`` for a wrong number or code alike."""
    if not isinstance(number, str) or not isinstance(access_code, str):
        raise ObjectionUnavailable(number)
    wanted = number.strip().upper()
    found = None
    if 0 < len(wanted) <= 32 and 0 < len(access_code) <= 64:
        found = (
            await session.execute(
                select(GradeObjection, Enterprise.name, CreditGrade)
                .join(Enterprise, Enterprise.uscc == GradeObjection.uscc)
                .outerjoin(CreditGrade, CreditGrade.id == GradeObjection.grade_id)
                .where(GradeObjection.objection_no == wanted)
                .options(selectinload(GradeObjection.events))
            )
        ).first()
    given = _code_hash(secret_key, access_code[:64])
    stored = (found[0].access_code_hash if found is not None else None) or _DUMMY_HASH
    # compare even when there is none, so timing does not tell the two apart
    if not hmac.compare_digest(given, stored) or found is None:
        raise ObjectionUnavailable(number)
    objection, name, grade = found
    return {
        "objection_no": objection.objection_no,
        "uscc": objection.uscc,
        "enterprise": name,
        "grade": grade.grade if grade else None,
        "year": grade.year if grade else None,
        "status": objection.status,
        "identity_verified": objection.identity_verified_at is not None,
        "filed_at": objection.created_at.astimezone(CHINA).isoformat(),
        "events": [_event(e, staff_view=False) for e in objection.events if e.public],
    }
