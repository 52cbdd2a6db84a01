"""What may be published about an enterprise from its complaints and tips: the one rule
every public count uses (the company page and API, the bot's company card, campaign
reports' "most complained-about enterprises", the quality archive).

A case **counts publicly against an enterprise** (:func:`counts_against_enterprise`)
only when all of these hold:

- it is linked to a registered enterprise (a strong, unambiguous match or a person's
  confirmation: see ``complaints.intake``), never by the name as typed;
- it is a complaint or a tip (an inquiry accuses nobody);
- it is not a duplicate of another case (one grievance filed twice counts once);
- a department decided it deserves handling: a **complaint** once it was accepted
  (accepted, in progress, resolved, or closed after that), never before and never
  when rejected; a **tip** only once the department's investigation found a
  violation (resolved as ``case_opened``): a tip under investigation is never
  published, so its target does not learn of it, and an unfounded tip never counts.

And a firm is **published** (:func:`publishable`) only on more than one such case,
or on one that is **verified**: a complaint the department resolved, or a tip it
confirmed. A single accepted complaint still being handled names no firm.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from complaints.models import Case

# a complaint's states once a department accepted it (closed also follows a rejection)
ACCEPTED_STATES = ("accepted", "in_progress", "resolved", "closed")
# a tip counts only on this outcome: the investigation found a violation
CONFIRMED_TIP = "case_opened"
# at least this many countable cases, unless one of them is verified
MIN_UNVERIFIED_CASES = 2


class CaseFacts(Protocol):
    """What the rule reads of a case (a ``Case`` row, a campaign ``CaseRow``)."""

    kind: str
    status: str
    accepted_at: Any
    reject_reason: str | None
    outcome: str | None


def _duplicate(case: Any) -> bool:
    return getattr(case, "duplicate_of_id", None) is not None


def counts_against_enterprise(case: CaseFacts) -> bool:
    """True when ``case`` may be counted publicly against its enterprise (see above);
    the caller checks that the case is linked to one."""
    if _duplicate(case) or case.reject_reason is not None or case.status == "rejected":
        return False
    if case.kind == "complaint":
        return case.status in ACCEPTED_STATES and (
            case.status != "closed" or case.accepted_at is not None or case.outcome is not None
        )
    if case.kind == "tip":
        return case.status in ("resolved", "closed") and case.outcome == CONFIRMED_TIP
    return False


def is_verified(case: CaseFacts) -> bool:
    """A countable case whose handling is finished: a resolved complaint or a confirmed tip."""
    if not counts_against_enterprise(case):
        return False
    finished = case.outcome is not None and case.status in ("resolved", "closed")
    return case.kind == "tip" or finished


def publishable(cases: Iterable[CaseFacts]) -> bool:
    """Whether a firm may be named on the strength of these countable cases."""
    listed = [c for c in cases if counts_against_enterprise(c)]
    return len(listed) >= MIN_UNVERIFIED_CASES or any(is_verified(c) for c in listed)


def countable_clause() -> ColumnElement[bool]:
    """SQL form of :func:`counts_against_enterprise` over ``cases`` (link not checked)."""
    return and_(
        Case.duplicate_of_id.is_(None),
        Case.reject_reason.is_(None),
        or_(
            and_(
                Case.kind == "complaint",
                Case.status.in_(ACCEPTED_STATES),
                or_(
                    Case.status != "closed",
                    Case.accepted_at.is_not(None),
                    Case.outcome.is_not(None),
                ),
            ),
            and_(
                Case.kind == "tip",
                Case.status.in_(("resolved", "closed")),
                Case.outcome == CONFIRMED_TIP,
            ),
        ),
    )


async def public_cases(session: AsyncSession, uscc: str) -> list[Case]:
    """The cases that count publicly against the enterprise, or none when they do not
    make it publishable (see :func:`publishable`), oldest first."""
    rows = list(
        await session.scalars(
            select(Case)
            .where(Case.enterprise_uscc == uscc, countable_clause())
            .order_by(Case.created_at, Case.id)
        )
    )
    return rows if publishable(rows) else []


async def public_counts_by_outcome(session: AsyncSession, uscc: str) -> dict[str, int]:
    """Complaints and tips publicly counted against an enterprise, by outcome (or by
    status while a complaint is handled); empty when the firm is not publishable."""
    outcome = func.coalesce(Case.outcome, Case.status)
    rows = await session.execute(
        select(outcome, func.count(), func.count(Case.outcome))
        .where(Case.enterprise_uscc == uscc, countable_clause())
        .group_by(outcome)
    )
    counts: dict[str, int] = {}
    total = verified = 0
    for key, n, decided in rows.all():
        counts[key] = n
        total += n
        verified += decided
    if total < MIN_UNVERIFIED_CASES and not verified:
        return {}
    return counts
