"""The database side of the annual assessment: a year's cases and recalls, grouped by
department (the registry's, triage left out) and by the 13 cities, then computed."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.assessment import (
    RecallRow,
    assess,
    completed_recalls,
    join_years,
    load_method,
    method_dict,
)
from campaigns.figures import CaseRow
from campaigns.query import case_rows, department_names
from campaigns.windows import china_today, satisfaction_policy
from disclosure.models import Enterprise, RecallNotice
from nlp.names import jiangsu_regions

NOT_ASSESSED = ("triage",)  # the sorting desk handles nothing itself


def city_names(lang: str) -> dict[str, str]:
    """The 13 cities, stored name (南京市) → display name, in the official order."""
    return {c.name: (c.en if lang.startswith("en") else c.name) for c in jiangsu_regions().cities}


async def recall_rows(session: AsyncSession, start: date, end: date) -> list[RecallRow]:
    stmt = (
        select(
            RecallNotice.category,
            RecallNotice.status,
            RecallNotice.published,
            Enterprise.region.label("city"),
        )
        .outerjoin(Enterprise, Enterprise.uscc == RecallNotice.producer_uscc)
        .where(RecallNotice.published >= start, RecallNotice.published <= end)
    )
    return [RecallRow(**row._mapping) for row in await session.execute(stmt)]


def _by(rows: list[CaseRow], attribute: str) -> dict[str, list[CaseRow]]:
    grouped: dict[str, list[CaseRow]] = defaultdict(list)
    for row in rows:
        key = getattr(row, attribute)
        if key:
            grouped[key].append(row)
    return grouped


async def _year(
    session: AsyncSession,
    year: int,
    as_of: date,
    departments: dict[str, str],
    cities: dict[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    method, policy = load_method(), satisfaction_policy()
    cases = await case_rows(session, start, end)
    by_department, by_city = completed_recalls(
        await recall_rows(session, start, end), start, end, method
    )
    dept_rows = assess(
        departments, _by(cases, "department"), by_department, start, end, as_of, policy, method
    )
    city_rows = assess(cities, _by(cases, "city"), by_city, start, end, as_of, policy, method)
    without_city = sum(1 for c in cases if c.kind != "inquiry" and c.city not in cities)
    return dept_rows, city_rows, without_city


async def build_assessment(
    session: AsyncSession, year: int, *, as_of: date | None = None, lang: str = "zh"
) -> dict[str, Any]:
    """The ``year`` assessment with last year's rows beside each row."""
    as_of = as_of or china_today()
    names = await department_names(session, lang)
    departments = {c: n for c, n in sorted(names.items()) if c not in NOT_ASSESSED}
    cities = city_names(lang)
    dept_rows, city_rows, without_city = await _year(session, year, as_of, departments, cities)
    dept_prev, city_prev, _ = await _year(session, year - 1, as_of, departments, cities)
    join_years(dept_rows, dept_prev)
    join_years(city_rows, city_prev)
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "complete": as_of > date(year, 12, 31),
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "method": method_dict(load_method(), satisfaction_policy(), lang),
        "departments": dept_rows,
        "cities": city_rows,
        "cases_without_city": without_city,
        "previous_year": {"year": year - 1},
    }
