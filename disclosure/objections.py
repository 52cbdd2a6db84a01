"""Objections (异议) to a quality-credit grade: filed by the enterprise, reviewed by the
grading authority (department ``zhijian`` unless the grade names another).

An objection gets a number people can read out on the phone: ``YY`` (异议), the
filing date, and four characters without look-alikes, e.g. ``YY20260315-K7MQ``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from disclosure.models import CreditGrade, Enterprise, GradeObjection
from infra.db import utcnow
from infra.formatting import china_day
from infra.security import Cipher, readable_code

GRADING_AUTHORITY = "zhijian"
MAX_REASON = 4000
MIN_REASON = 10
MAX_CONTACT = 200


class ObjectionError(ValueError):
    """An objection that cannot be filed; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class EnterpriseNotFound(LookupError):
    """No enterprise is registered with this code."""


@dataclass(frozen=True, slots=True)
class ObjectionRequest:
    uscc: str
    reason: str
    contact: str
    year: int | None = None  # the grade objected to; the latest one when None


def objection_number(now: datetime) -> str:
    """``YY`` + the day in China + four random characters."""
    return f"YY{china_day(now):%Y%m%d}-{readable_code(4)}"


async def file_objection(
    session: AsyncSession, cipher: Cipher, request: ObjectionRequest
) -> tuple[GradeObjection, CreditGrade]:
    """Record an objection in the caller's transaction; returns it and the grade it concerns."""
    enterprise = await session.get(Enterprise, request.uscc)
    if enterprise is None:
        raise EnterpriseNotFound(request.uscc)
    reason = request.reason.strip()
    contact = request.contact.strip()
    if len(reason) < MIN_REASON:
        raise ObjectionError("reason", f"explain the objection in at least {MIN_REASON} characters")
    if len(reason) > MAX_REASON:
        raise ObjectionError("reason", f"the reason is longer than {MAX_REASON} characters")
    if not contact:
        raise ObjectionError("contact", "a contact (telephone or e-mail) is required for the reply")
    if len(contact) > MAX_CONTACT:
        raise ObjectionError("contact", f"the contact is longer than {MAX_CONTACT} characters")
    stmt = select(CreditGrade).where(CreditGrade.uscc == request.uscc)
    if request.year is not None:
        stmt = stmt.where(CreditGrade.year == request.year)
    grade = await session.scalar(stmt.order_by(CreditGrade.year.desc()).limit(1))
    if grade is None:
        which = f"for {request.year}" if request.year is not None else "at all"
        raise ObjectionError("year", f"this enterprise has no published grade {which}")
    now = utcnow()
    number = objection_number(now)
    while await session.scalar(
        select(GradeObjection.id).where(GradeObjection.objection_no == number)
    ):
        number = objection_number(now)
    objection = GradeObjection(
        objection_no=number,
        uscc=request.uscc,
        grade_id=grade.id,
        reason=reason,
        contact_enc=cipher.encrypt(contact),
        status="received",
        department=GRADING_AUTHORITY,
        created_at=now,
    )
    session.add(objection)
    await session.flush()
    return objection, grade


def _row(
    objection: GradeObjection, name: str, grade: CreditGrade | None, cipher: Cipher | None
) -> dict[str, Any]:
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
    }
    if cipher is not None:
        row["contact"] = cipher.decrypt(objection.contact_enc)
    return row


async def list_objections(
    session: AsyncSession,
    department: str,
    status: str | None = None,
    cipher: Cipher | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The objections on one department's desk, newest first; contacts only with ``cipher``."""
    stmt = (
        select(GradeObjection, Enterprise.name, CreditGrade)
        .join(Enterprise, Enterprise.uscc == GradeObjection.uscc)
        .outerjoin(CreditGrade, CreditGrade.id == GradeObjection.grade_id)
        .where(GradeObjection.department == department)
        .order_by(GradeObjection.created_at.desc(), GradeObjection.id.desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(GradeObjection.status == status)
    return [_row(o, name, g, cipher) for o, name, g in await session.execute(stmt)]


async def get_objection(
    session: AsyncSession, department: str, number: str, cipher: Cipher | None = None
) -> dict[str, Any] | None:
    """One objection of the department's desk (None for another department's)."""
    stmt = (
        select(GradeObjection, Enterprise.name, CreditGrade)
        .join(Enterprise, Enterprise.uscc == GradeObjection.uscc)
        .outerjoin(CreditGrade, CreditGrade.id == GradeObjection.grade_id)
        .where(GradeObjection.department == department)
        .where(GradeObjection.objection_no == number.strip().upper())
    )
    row = (await session.execute(stmt)).first()
    return _row(row[0], row[1], row[2], cipher) if row else None


DESK_STATUSES = ("received", "reviewing", "upheld", "dismissed")


async def set_objection_status(
    session: AsyncSession, department: str, number: str, status: str
) -> GradeObjection | None:
    """Move an objection of the department's desk to ``status`` (None when not its own)."""
    if status not in DESK_STATUSES:
        raise ObjectionError("status", f"status must be one of {', '.join(DESK_STATUSES)}")
    objection = await session.scalar(
        select(GradeObjection).where(
            GradeObjection.department == department,
            GradeObjection.objection_no == number.strip().upper(),
        )
    )
    if objection is not None:
        objection.status = status
    return objection
