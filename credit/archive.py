"""The enterprise quality archive: one dated timeline of grades (with validity and
authority), recalls the enterprise produced, its verified complaints and tips with
their outcomes, penalties, and objections with their decisions.

Newest first; pages are cut with an opaque cursor naming the last event shown, so an
event added meanwhile never shifts a page. Cases show no text and nobody's identity.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Case
from complaints.publication import counts_against_enterprise
from credit.evidence import EVIDENCE_KINDS
from disclosure.grades import GradeRecord, current_grade
from disclosure.models import CreditGrade, Enterprise, GradeObjection, RecallNotice

CHINA = ZoneInfo("Asia/Shanghai")
# within a day: the grade first, then what happened
ORDER = {"grade": 5, "recall": 4, "complaint": 3, "tip": 3, "penalty": 2, "objection": 1}
DECISIONS = ("upheld", "dismissed")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class BadCursor(ValueError):
    """A cursor this archive did not hand out."""


@dataclass(frozen=True, slots=True)
class ArchiveEvent:
    type: str
    day: date
    ref: int
    data: dict[str, Any] = field(default_factory=dict)
    staff: dict[str, Any] = field(default_factory=dict)  # only for staff exports

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.day.isoformat(), ORDER[self.type], self.ref)

    def public(self) -> dict[str, Any]:
        return {"type": self.type, "date": self.day.isoformat(), **self.data}


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _yuan(fen: int | None) -> float:
    return round((fen or 0) / 100, 2)


async def archive_events(
    session: AsyncSession, uscc: str, today: date | None = None
) -> list[ArchiveEvent]:
    """Every event of the enterprise's archive, newest first."""
    today = today or datetime.now(CHINA).date()
    events: list[ArchiveEvent] = []
    grades = list(await session.scalars(select(CreditGrade).where(CreditGrade.uscc == uscc)))
    records = [
        GradeRecord(g.grade, g.year, g.valid_from, g.valid_until, g.authority) for g in grades
    ]
    now = current_grade(records, today)
    by_id = {g.id: g for g in grades}
    for g in grades:
        events.append(
            ArchiveEvent(
                "grade",
                g.valid_from or date(g.year, 1, 1),
                g.id,
                {
                    "year": g.year,
                    "grade": g.grade,
                    "valid_from": _iso(g.valid_from),
                    "valid_until": _iso(g.valid_until),
                    "authority": g.authority,
                    "current": now is not None and now.year == g.year,
                },
            )
        )
    recalls = await session.scalars(select(RecallNotice).where(RecallNotice.producer_uscc == uscc))
    for r in recalls:
        events.append(
            ArchiveEvent(
                "recall",
                r.published,
                r.id,
                {
                    "recall_id": r.id,
                    "recall_no": r.recall_no,
                    "title": r.title,
                    "product": r.product,
                    "category": r.category,
                    "level": r.level,
                    "status": r.status,
                },
            )
        )
    cases = await session.scalars(
        select(Case).where(Case.enterprise_uscc == uscc, Case.kind.in_(EVIDENCE_KINDS))
    )
    for c in cases:
        # the public rule for every count against an enterprise (complaints.publication)
        if not counts_against_enterprise(c):
            continue
        resolved = china_day(c.resolved_at) if c.resolved_at else None
        events.append(
            ArchiveEvent(
                c.kind,
                china_day(c.created_at),
                c.id,
                {
                    "category": c.category,
                    "department": c.department,
                    "status": c.status,
                    "outcome": c.outcome,
                    "accepted_on": _iso(china_day(c.accepted_at)) if c.accepted_at else None,
                    "resolved_on": _iso(resolved),
                    "money_recovered_yuan": _yuan(c.recovered_fen),
                },
                {"tracking_no": c.tracking_no, "department": c.department},
            )
        )
        if c.penalty_fen:
            events.append(
                ArchiveEvent(
                    "penalty",
                    resolved or china_day(c.created_at),
                    c.id,
                    {"amount_yuan": _yuan(c.penalty_fen), "department": c.department},
                    {"tracking_no": c.tracking_no, "department": c.department},
                )
            )
    objections = await session.scalars(select(GradeObjection).where(GradeObjection.uscc == uscc))
    for o in objections:
        grade = by_id.get(o.grade_id) if o.grade_id else None
        events.append(
            ArchiveEvent(
                "objection",
                china_day(o.created_at),
                o.id,
                {
                    "grade": grade.grade if grade else None,
                    "grade_year": grade.year if grade else None,
                    "status": o.status,
                    "decision": o.status if o.status in DECISIONS else None,
                },
                {"objection_no": o.objection_no, "department": o.department},
            )
        )
    events.sort(key=lambda e: e.key, reverse=True)
    return events


def encode_cursor(event: ArchiveEvent) -> str:
    day, order, ref = event.key
    raw = f"{day}|{order}|{ref}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, order, ref = raw.split("|")
        date.fromisoformat(day)
        key = (day, int(order), int(ref))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if not (0 <= key[1] <= 9 and 0 <= key[2] < 2**63):
        raise BadCursor(cursor)
    return key


def page(
    events: Sequence[ArchiveEvent], cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> tuple[list[ArchiveEvent], str | None]:
    """The events after ``cursor`` (newest first), at most ``limit``, and the next cursor."""
    after = decode_cursor(cursor) if cursor else None
    rest = [e for e in events if after is None or e.key < after]
    shown = rest[:limit]
    return shown, encode_cursor(shown[-1]) if len(rest) > limit else None


async def enterprise_name(session: AsyncSession, uscc: str) -> str | None:
    return await session.scalar(select(Enterprise.name).where(Enterprise.uscc == uscc))


CSV_COLUMNS = (
    "date",
    "type",
    "grade",
    "year",
    "valid_from",
    "valid_until",
    "authority",
    "recall_no",
    "title",
    "level",
    "category",
    "department",
    "status",
    "outcome",
    "amount_yuan",
    "money_recovered_yuan",
    "objection_no",
    "decision",
    "tracking_no",
)


def csv_rows(events: Sequence[ArchiveEvent], department: str) -> list[list[str]]:
    """The archive for a department's staff as CSV rows (header first): the numbers of
    its own cases and objections, which it can open at its desk; never a reporter's
    identity or a case's text."""
    rows = [list(CSV_COLUMNS)]
    for e in events:
        own = e.staff.get("department") == department
        values = {
            **e.public(),
            **({k: v for k, v in e.staff.items() if k != "department"} if own else {}),
        }
        rows.append(["" if values.get(c) is None else str(values.get(c)) for c in CSV_COLUMNS])
    return rows
