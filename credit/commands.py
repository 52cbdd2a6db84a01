"""The command line of quality credit: ``zhixin grade propose --year YYYY``."""

from __future__ import annotations

import sys

from credit.proposals import run_proposals
from credit.rules import RulesError, load_rules
from disclosure.grades import GRADES
from infra.db import make_engine, make_sessionmaker
from infra.migrate import ensure_schema
from infra.settings import Settings

FIRST_YEAR = 2000
LAST_YEAR = 2100


async def cli_propose(settings: Settings, year: int) -> int:
    """Compute and store the year's proposals; prints how many, by grade."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        print(
            f"zhixin: --year {year}: give a year from {FIRST_YEAR} to {LAST_YEAR}", file=sys.stderr
        )
        return 1
    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"zhixin: {exc}", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema(engine)
        async with make_sessionmaker(engine)() as session:
            counts = await run_proposals(session, year, rules)
            await session.commit()
    finally:
        await engine.dispose()
    total = sum(counts.values())
    by_grade = ", ".join(f"{g} {counts.get(g, 0)}" for g in GRADES)
    print(f"{year}: {total} grade proposals awaiting decision ({by_grade})")
    return 0
