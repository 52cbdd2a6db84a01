"""What every process keeps in memory: the enterprise search index and current grades.

Search and grade reads never touch the database per request. Every write to
published data leaves a ``DataChange`` mark in its own transaction; each
process polls the newest mark (one indexed read a second) and reloads only
the rows changed since, so an import in another process is searchable at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from nlp.lookup import EnterpriseIndex
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disclosure.grades import GradeRecord, current_grade
from disclosure.models import CreditGrade, DataChange, Enterprise
from zhixin.db import utcnow

log = logging.getLogger(__name__)
# Rows committed by a slow transaction may carry an updated_at a little older than the
# moment its DataChange mark becomes visible; reloading a margin is cheap and idempotent.
_MARGIN = timedelta(seconds=30)


@dataclass
class PublishedData:
    index: EnterpriseIndex = field(default_factory=EnterpriseIndex)
    history: dict[str, list[GradeRecord]] = field(default_factory=lambda: defaultdict(list))
    names: dict[str, str] = field(default_factory=dict)
    last_change: int = 0
    loaded_at: datetime | None = None

    def grade_of(self, uscc: str, today: date | None = None) -> GradeRecord | None:
        return current_grade(self.history.get(uscc, ()), today or date.today())

    async def load(self, session: AsyncSession) -> None:
        """Build everything from the database (start-up)."""
        self.last_change = (await session.scalar(select(func.max(DataChange.id)))) or 0
        self.loaded_at = utcnow()
        rows = await session.execute(select(Enterprise.uscc, Enterprise.name, Enterprise.aliases))
        records = [(u, n, tuple(a or ())) for u, n, a in rows]
        self.index = EnterpriseIndex.build(records)
        self.names = {u: n for u, n, _ in records}
        self.history = defaultdict(list)
        await self._load_grades(session, None)

    async def _load_grades(self, session: AsyncSession, since: datetime | None) -> None:
        stmt = select(
            CreditGrade.uscc,
            CreditGrade.grade,
            CreditGrade.year,
            CreditGrade.valid_from,
            CreditGrade.valid_until,
            CreditGrade.authority,
        )
        touched: set[str] = set()
        if since is not None:
            changed = select(CreditGrade.uscc).where(CreditGrade.updated_at >= since)
            touched = set((await session.scalars(changed)).all())
            if not touched:
                return
            stmt = stmt.where(CreditGrade.uscc.in_(touched))
            for uscc in touched:
                self.history.pop(uscc, None)
        for uscc, grade, year, vf, vu, authority in await session.execute(stmt):
            self.history[uscc].append(GradeRecord(grade, year, vf, vu, authority))

    async def refresh(self, session: AsyncSession) -> bool:
        """Apply rows changed since the last look; True when anything changed."""
        newest = (await session.scalar(select(func.max(DataChange.id)))) or 0
        if newest <= self.last_change:
            return False
        since = (self.loaded_at or utcnow()) - _MARGIN
        self.loaded_at = utcnow()
        self.last_change = newest
        rows = await session.execute(
            select(Enterprise.uscc, Enterprise.name, Enterprise.aliases).where(
                Enterprise.updated_at >= since
            )
        )
        for uscc, name, aliases in rows:
            self.index.add(uscc, name, tuple(aliases or ()))
            self.names[uscc] = name
        await self._load_grades(session, since)
        return True

    async def watch(self, sessions: async_sessionmaker[AsyncSession], every: float = 1.0) -> None:
        """Poll for changes until cancelled; database faults are logged and retried."""
        while True:
            await asyncio.sleep(every)
            try:
                async with sessions() as session:
                    if await self.refresh(session):
                        log.info("published data refreshed (%d enterprises)", len(self.index))
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly unavailable; try again
                log.warning("could not refresh published data", exc_info=True)


def mark_change(session: AsyncSession, *topics: str) -> None:
    """Record that published data changed, in the caller's transaction."""
    for topic in topics:
        session.add(DataChange(topic=topic))
