"""The bundled demo data set (``zhixin demo``): deterministic and idempotent.

2,400 Jiangsu enterprises across the 13 cities, grade histories for a few hundred
manufacturers, 72 recall notices and 1,200 cases over two years with their whole
lifecycle, so every page, report and bot answer has real content on first run. What a
recall, a case or a grade names fits the enterprise's industry (``fit.py``).

Each stage is one transaction with bulk inserts; progress goes to stderr (a bar on a
terminal, a line a stage otherwise).

May import: every project package (it is part of the composition root).
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import insert, select

from disclosure.cache import mark_change
from disclosure.models import CreditGrade, Enterprise
from disclosure.namegen import EnterpriseRecord, generate_enterprises
from zhixin.demo.cases import DEMO_STAFF, N_CASES, SEED, add_cases
from zhixin.demo.credit import load_credit_demo
from zhixin.demo.fit import gradable
from zhixin.demo.progress import Progress
from zhixin.demo.recalls import N_RECALLS, add_recalls

if TYPE_CHECKING:
    from complaints.runtime import Services

__all__ = ["DEMO_STAFF", "N_CASES", "N_ENTERPRISES", "N_RECALLS", "load_demo"]
N_ENTERPRISES = 2400
N_GRADED = 450
GRADE_WEIGHTS = {"AAA": 8, "AA": 17, "A": 40, "B": 22, "C": 9, "D": 4}


async def load_demo(
    services: Services, today: date | None = None, *, stream: TextIO | None = None
) -> int:
    """Load what is missing of the demo set; running it again changes nothing."""
    today = today or date.today()
    begun = time.monotonic()
    progress = Progress(stream)
    rng = random.Random(SEED)
    records = list(generate_enterprises(N_ENTERPRISES, seed=SEED))
    async with services.sessions() as session:
        progress.start("enterprises", len(records))
        known = set(await session.scalars(select(Enterprise.uscc)))
        new = [r for r in records if r.uscc not in known]
        if new:
            await session.execute(insert(Enterprise), [_enterprise(r) for r in new])
        progress.step(len(records))
        progress.done(f"{len(new)} added")

        progress.start("grades", N_GRADED)
        n_grades = await _grades(session, rng, records)
        progress.step(N_GRADED)
        progress.done(f"{n_grades} added")

        progress.start("recalls", N_RECALLS)
        n_recalls = await add_recalls(session, random.Random(SEED + 1), records, today)
        progress.step(N_RECALLS)
        progress.done(f"{n_recalls} added")
        mark_change(session, "enterprises", "grades", "recalls")
        await session.commit()
    async with services.sessions() as session:
        await services.published.refresh(session)
    n_cases = await add_cases(services, random.Random(SEED + 2), records, today, progress)
    progress.done(f"{n_cases} added")
    progress.start("objections and grade proposals", 1)
    n_objections, n_proposals = await load_credit_demo(services, today)
    progress.done(f"{n_objections} objections, {n_proposals} proposals")
    print(
        f"demo: {len(new)} enterprises, {n_grades} grades, {n_recalls} recalls, "
        f"{n_cases} cases added, {n_objections} objections ({len(records)} enterprises in "
        f"the demo set); {n_proposals} grade proposals for {today.year} await decision; "
        f"in {time.monotonic() - begun:.1f} s"
    )
    return 0


def _enterprise(r: EnterpriseRecord) -> dict[str, object]:
    return {
        "uscc": r.uscc,
        "name": r.name,
        "aliases": list(r.aliases),
        "region": r.region,
        "industry": r.industry,
        "status": r.status,
    }


async def _grades(session, rng: random.Random, records: list[EnterpriseRecord]) -> int:
    """Grade histories for manufacturers only, in one INSERT."""
    graded = rng.sample([r for r in records if gradable(r)], N_GRADED)
    rows = await session.execute(select(CreditGrade.uscc, CreditGrade.year))
    existing = {(uscc, year) for uscc, year in rows}
    new = []
    for r in graded:
        first = rng.choice((2022, 2023, 2024, 2025))
        grade = rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0]
        for year in range(first, 2027):
            grade = _drift(rng, grade)
            if (r.uscc, year) in existing:
                continue
            new.append(
                {
                    "uscc": r.uscc,
                    "grade": grade,
                    "year": year,
                    "valid_from": date(year, 4, 1),
                    "valid_until": date(year + 1, 3, 31),
                    "authority": f"{r.region}市场监督管理局质量信用评价委员会",
                    "source": f"{year}年度{r.region}企业质量信用等级评价结果公告",
                }
            )
    if new:
        await session.execute(insert(CreditGrade), new)
    return len(new)


def _drift(rng: random.Random, grade: str) -> str:
    order = list(GRADE_WEIGHTS)
    i = order.index(grade) + rng.choice((-1, 0, 0, 0, 1))
    return order[min(max(i, 0), len(order) - 1)]
