"""Grade proposals in the database: gather a year's evidence, store the proposals, and
the authority's decision (accept, or another grade with a reason) that publishes a grade.

Only a decided proposal becomes a ``credit_grades`` row; until then nothing is public.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Case
from credit.archive import CHINA, china_day
from credit.evidence import EVIDENCE_KINDS, counts_publicly
from credit.models import GradeProposal
from credit.rules import Evidence, GradeRules, load_rules, propose
from disclosure.cache import mark_change
from disclosure.grades import GRADES
from disclosure.models import CreditGrade, Enterprise, RecallNotice
from infra.db import utcnow
from infra.i18n import LocalizedError

MIN_REASON = 10
MAX_REASON = 2000


class ProposalError(LocalizedError):
    """A decision that cannot be made; ``field`` names the input at fault. ``msgid`` is
    the English message with ``{placeholders}`` filled from ``params``, so each page or
    answer can say it in the reader's language (``localized()``)."""

    def __init__(self, field: str, msgid: str, status: int = 400, **params: object) -> None:
        super().__init__(msgid, **params)
        self.field = field
        self.status = status


class ProposalNotFound(LookupError):
    """No such proposal (or not this desk's to decide)."""


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA).astimezone(UTC)


async def gather_evidence(session: AsyncSession, year: int) -> dict[str, Evidence]:
    """Each enterprise's evidence for ``year``: graded before it, or with verified events."""
    found: dict[str, Evidence] = {}

    def of(uscc: str) -> Evidence:
        return found.setdefault(uscc, Evidence(uscc, year))

    rows = await session.execute(
        select(CreditGrade.uscc, CreditGrade.year, CreditGrade.grade)
        .where(CreditGrade.year < year)
        .order_by(CreditGrade.year)
    )
    for uscc, graded, grade in rows:
        ev = of(uscc)
        ev.previous, ev.previous_year = grade, graded
        ev.grades_before += graded >= year - 3
        if grade in ("AAA", "AA"):
            ev.ever_rewarded = True
    cases = await session.execute(
        select(Case.enterprise_uscc, Case.kind, Case.status, Case.outcome, Case.penalty_fen).where(
            Case.enterprise_uscc.is_not(None),
            Case.kind.in_(EVIDENCE_KINDS),
            Case.created_at >= _utc(date(year, 1, 1)),
            Case.created_at < _utc(date(year + 1, 1, 1)),
        )
    )
    for uscc, kind, status, outcome, penalty in cases:
        if not counts_publicly(kind, status, outcome):
            continue
        ev = of(uscc)
        if kind == "complaint":
            ev.complaint_outcomes.append(outcome)
        elif outcome == "case_opened":
            ev.tips_substantiated += 1
        ev.penalty_fen += penalty or 0
    recalls = await session.execute(
        select(RecallNotice.producer_uscc, RecallNotice.level).where(
            RecallNotice.producer_uscc.is_not(None),
            RecallNotice.published >= date(year, 1, 1),
            RecallNotice.published <= date(year, 12, 31),
        )
    )
    for uscc, level in recalls:
        of(uscc).recall_levels.append(level)
    return found


async def run_proposals(
    session: AsyncSession, year: int, rules: GradeRules | None = None
) -> Counter[str]:
    """Compute and store the year's proposals (caller commits); decided ones stay as they
    are. Returns how many open proposals there are by grade."""
    rules = rules or load_rules()
    evidence = await gather_evidence(session, year)
    stored = {
        p.uscc: p
        for p in await session.scalars(select(GradeProposal).where(GradeProposal.year == year))
    }
    counts: Counter[str] = Counter()
    for uscc, ev in sorted(evidence.items()):
        result = propose(ev, rules)
        row = stored.pop(uscc, None)
        if row is not None and row.status != "proposed":
            continue
        if result is None:
            if row is not None:
                await session.delete(row)
            continue
        if row is None:
            row = GradeProposal(uscc=uscc, year=year, status="proposed")
            session.add(row)
        row.proposed = result["grade"]
        row.score = result["score"]
        row.explanation = result["explanation"]
        row.reward_eligible = result["reward_eligible"]
        counts[result["grade"]] += 1
    stale = [p.id for p in stored.values() if p.status == "proposed"]
    if stale:
        await session.execute(delete(GradeProposal).where(GradeProposal.id.in_(stale)))
    await session.flush()
    return counts


def proposal_dict(p: GradeProposal, name: str, published: str | None) -> dict[str, Any]:
    return {
        "id": p.id,
        "uscc": p.uscc,
        "enterprise": name,
        "year": p.year,
        "proposed": p.proposed,
        "score": p.score,
        "published_grade": published,
        "status": p.status,
        "decided_grade": p.decided_grade,
        "decided_by": p.decided_by,
        "decided_at": p.decided_at.isoformat() if p.decided_at else None,
        "override_reason": p.override_reason,
        "reward_eligible": p.reward_eligible,
        "explanation": p.explanation,
    }


async def list_proposals(
    session: AsyncSession, year: int, status: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """The year's proposals, open ones first, then by enterprise name."""
    stmt = (
        select(GradeProposal, Enterprise.name, CreditGrade.grade)
        .join(Enterprise, Enterprise.uscc == GradeProposal.uscc)
        .outerjoin(
            CreditGrade,
            (CreditGrade.uscc == GradeProposal.uscc) & (CreditGrade.year == GradeProposal.year),
        )
        .where(GradeProposal.year == year)
        .order_by(GradeProposal.status.desc(), Enterprise.name, GradeProposal.id)
        .limit(limit)
    )
    if status:
        stmt = stmt.where(GradeProposal.status == status)
    return [proposal_dict(p, n, g) for p, n, g in await session.execute(stmt)]


def _valid_until(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, 28)
    return date(year, month, day) - timedelta(days=1)


async def decide(
    session: AsyncSession,
    proposal_id: int,
    *,
    decided_by: str,
    authority: str,
    grade: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
    rules: GradeRules | None = None,
) -> GradeProposal:
    """Accept the proposal (``grade`` None or equal to it) or set ``grade`` instead with a
    ``reason``; publishes the grade for the proposal's year (caller commits)."""
    rules = rules or load_rules()
    proposal = await session.get(GradeProposal, proposal_id)
    if proposal is None:
        raise ProposalNotFound(proposal_id)
    if proposal.status != "proposed":
        raise ProposalError("status", "this proposal has already been decided", 409)
    reason = (reason or "").strip()
    if grade is not None and grade not in GRADES:
        raise ProposalError("grade", "grade must be one of {grades}", grades=", ".join(GRADES))
    overridden = grade is not None and grade != proposal.proposed
    if overridden and len(reason) < MIN_REASON:
        raise ProposalError(
            "reason",
            "give the reason for another grade in at least {count} characters",
            count=MIN_REASON,
        )
    if len(reason) > MAX_REASON:
        raise ProposalError(
            "reason", "the reason is longer than {count} characters", count=MAX_REASON
        )
    now = now or utcnow()
    final = grade if overridden else proposal.proposed
    start = china_day(now)
    published = await session.scalar(
        select(CreditGrade).where(
            CreditGrade.uscc == proposal.uscc, CreditGrade.year == proposal.year
        )
    )
    if published is None:
        published = CreditGrade(uscc=proposal.uscc, year=proposal.year)
        session.add(published)
    published.grade = final
    published.valid_from = start
    published.valid_until = _valid_until(start, rules.valid_months)
    published.authority = authority
    published.source = f"{proposal.year} grade proposal #{proposal.id}"
    await session.flush()
    proposal.status = "overridden" if overridden else "accepted"
    proposal.decided_grade = final
    proposal.decided_by = decided_by[:100]
    proposal.decided_at = now
    proposal.override_reason = reason or None
    proposal.grade_id = published.id
    mark_change(session, "grades")
    await session.flush()
    return proposal
