"""The demo's quality-credit stage: objections to grades, and the current year's grade
proposals (the annual assessment needs nothing more: it is computed from the cases).

Runs after the loader's enterprises, grades, recalls and cases; idempotent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from complaints.models import Case
from credit.proposals import run_proposals
from disclosure.models import CreditGrade, GradeObjection
from infra.security import Cipher

N_OBJECTIONS = 12
OBJECTION_STATUSES = ("upheld", "dismissed", "dismissed", "reviewing", "received")
REASONS = (
    "评定时未考虑我司已整改完毕的问题，请求复核。",
    "评定所依据的投诉已调解结案，且非我司产品质量问题，请求更正等级。",
    "我司本年度无质量事故，评定等级低于同类企业，请求说明依据。",
)


async def load_credit_demo(services, today: date) -> tuple[int, int]:
    """Add the demo objections and compute this year's proposals; returns how many of each."""
    cipher = Cipher(services.settings.require_secret())
    added = 0
    async with services.sessions() as session:
        # graded enterprises with the most cases have the fullest archives
        busiest = await session.execute(
            select(CreditGrade.uscc, func.count(Case.id).label("n"))
            .join(Case, Case.enterprise_uscc == CreditGrade.uscc)
            .where(CreditGrade.year == today.year)
            .group_by(CreditGrade.uscc)
            .order_by(func.count(Case.id).desc(), CreditGrade.uscc)
            .limit(N_OBJECTIONS)
        )
        known = set(await session.scalars(select(GradeObjection.objection_no)))
        for i, (uscc, _n) in enumerate(busiest.all()):
            grade = await session.scalar(
                select(CreditGrade).where(
                    CreditGrade.uscc == uscc, CreditGrade.year == today.year - 1 - i % 2
                )
            ) or await session.scalar(
                select(CreditGrade).where(CreditGrade.uscc == uscc).order_by(CreditGrade.year)
            )
            filed = (grade.valid_from or date(grade.year, 4, 1)) + timedelta(days=20 + i * 3)
            number = f"YY{filed:%Y%m%d}-DM{i:02d}"
            if number in known or filed >= today:
                continue
            session.add(
                GradeObjection(
                    objection_no=number,
                    uscc=uscc,
                    grade_id=grade.id,
                    reason=REASONS[i % len(REASONS)],
                    contact_enc=cipher.encrypt(f"0251234{i:04d}"),
                    status=OBJECTION_STATUSES[i % len(OBJECTION_STATUSES)],
                    department="zhijian",
                    created_at=datetime.combine(filed, time(2, 0), tzinfo=UTC),
                )
            )
            added += 1
        counts = await run_proposals(session, today.year)
        await session.commit()
    return added, sum(counts.values())
