"""The database side of the campaign report: read the window's cases, compute, label."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.figures import CHINA, CaseRow, compute, report_dict
from campaigns.models import Campaign
from campaigns.windows import china_today, satisfaction_policy
from complaints.models import Case
from disclosure.models import Enterprise
from infra.accounts import Department


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA).astimezone(UTC)


async def case_rows(session: AsyncSession, start: date, end: date) -> list[CaseRow]:
    """The cases received from ``start`` to ``end`` inclusive (China dates)."""
    stmt = (
        select(
            Case.kind,
            Case.channel,
            Case.department,
            Case.status,
            Case.created_at,
            Case.city,
            Case.category,
            Case.company,
            Case.enterprise_uscc,
            Enterprise.name.label("enterprise_name"),
            Case.accept_due,
            Case.resolve_due,
            Case.accepted_at,
            Case.resolved_at,
            Case.reject_reason,
            Case.outcome,
            Case.recovered_fen,
            Case.penalty_fen,
            Case.reward_fen,
            Case.working_days,
            Case.rating,
            Case.duplicate_of_id,
        )
        .outerjoin(Enterprise, Enterprise.uscc == Case.enterprise_uscc)
        .where(
            Case.created_at >= _utc_start(start),
            Case.created_at < _utc_start(end + timedelta(days=1)),
        )
    )
    return [CaseRow(**row._mapping) for row in await session.execute(stmt)]


async def department_names(session: AsyncSession, lang: str) -> dict[str, str]:
    return {d.code: d.name(lang) for d in await session.scalars(select(Department))}


def campaign_summary(campaign: Campaign, lang: str) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "name": campaign.name(lang),
        "name_zh": campaign.name_zh,
        "name_en": campaign.name_en,
        "start": f"{campaign.start_month:02d}-{campaign.start_day:02d}",
        "end": f"{campaign.end_month:02d}-{campaign.end_day:02d}",
    }


async def build_report(
    session: AsyncSession,
    campaign: Campaign,
    year: int,
    *,
    as_of: date | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """The report of ``campaign`` in ``year``, with the previous year's figures beside it."""
    as_of = as_of or china_today()
    policy = satisfaction_policy()
    start, end = campaign.period(year)
    prev_start, prev_end = campaign.period(year - 1)
    current = compute(await case_rows(session, start, end), start, end, as_of, policy)
    previous = compute(
        await case_rows(session, prev_start, prev_end), prev_start, prev_end, as_of, policy
    )
    names = await department_names(session, lang)
    for code in (*current.by_department, *previous.by_department, *policy.producer_departments):
        names.setdefault(code, code)
    return report_dict(
        current,
        previous,
        campaign=campaign_summary(campaign, lang),
        year=year,
        as_of=as_of,
        policy=policy,
        names=dict(sorted(names.items())),
    )
