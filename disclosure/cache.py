"""What every process keeps in memory: the enterprise search index and current grades.

Search and grade reads never touch the database per request. Every write to
published data leaves a ``DataChange`` mark in its own transaction; each
process looks for new marks (``infra.changes``: woken at once by PostgreSQL's
NOTIFY, and every second in any case) and reloads only the rows changed since,
so an import in another process is searchable within milliseconds.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from disclosure.grades import GradeRecord, current_grade
from disclosure.index_file import SHARED_FROM, open_or_build, registry_size
from disclosure.models import CreditGrade, DataChange, Enterprise
from infra.db import utcnow
from nlp.lookup import EnterpriseIndex, LookupHit

# Rows committed by a slow transaction may carry an updated_at a little older than the
# moment its DataChange mark becomes visible; reloading a margin is cheap and idempotent.
_MARGIN = timedelta(seconds=30)
_new_hit = tuple.__new__  # LookupHit from a plain tuple, without the named tuple's __new__


class MemoIndex(EnterpriseIndex):
    """The search index with a memo of recent answers, emptied by every change.

    The same names are searched again and again (a company in the news, the shops of a
    town), and a fuzzy search costs about a millisecond: a repeated query is answered
    from the memo. Only the index's own answers are kept; grades are added per request.
    """

    MEMO_SIZE = 4096

    def __init__(self) -> None:
        super().__init__()
        # plain tuples of strings and numbers: the collector stops tracking them after one
        # look, where thousands of named tuples churning through the memo made every full
        # collection a pause of tens of milliseconds. In an OrderedDict, dropping the
        # oldest answer is O(1); a dict finds its first key by stepping over the slots of
        # the keys deleted before it, which cost about 5 µs a search
        self._memo: OrderedDict[tuple[str, int], tuple[tuple[str, str, float, str], ...]]
        self._memo = OrderedDict()
        self.memo_hits = 0
        self.memo_misses = 0

    # under the index's lock: an answer computed before a change is not kept after it
    def search(self, query: str, limit: int = 10) -> list[LookupHit]:
        key = (query, limit)
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self.memo_hits += 1
                self._memo.move_to_end(key)
                return [_new_hit(LookupHit, hit) for hit in found]
            self.memo_misses += 1
            hits = super().search(query, limit)
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.popitem(last=False)  # the least recently used
            self._memo[key] = tuple(map(tuple, hits))
        return hits

    def add(self, uscc: str, name: str, aliases: Sequence[str] = ()) -> None:
        with self._lock:
            self._memo.clear()
            super().add(uscc, name, aliases)

    def remove(self, uscc: str) -> None:
        with self._lock:
            self._memo.clear()
            super().remove(uscc)

    def compact(self) -> None:
        with self._lock:
            self._memo.clear()
            super().compact()


@dataclass
class PublishedData:
    index: EnterpriseIndex = field(default_factory=MemoIndex)
    history: dict[str, list[GradeRecord]] = field(default_factory=lambda: defaultdict(list))
    last_change: int = 0
    loaded_at: datetime | None = None
    # current grades of one day, worked out once per enterprise; emptied by any change
    _current: dict[str, GradeRecord | None] = field(default_factory=dict, repr=False)
    _current_day: date | None = field(default=None, repr=False)

    def name_of(self, uscc: str) -> str | None:
        """The registered name (the index holds it; no second table of names)."""
        entry = self.index.get(uscc)
        return entry.name if entry is not None else None

    def grade_of(self, uscc: str, today: date | None = None) -> GradeRecord | None:
        day = today or date.today()
        if day != self._current_day:
            self._current.clear()
            self._current_day = day
        try:
            return self._current[uscc]
        except KeyError:
            grade = self._current[uscc] = current_grade(self.history.get(uscc, ()), day)
            return grade

    async def load(
        self, session: AsyncSession, index_file: Path | None = None, shared_from: int = SHARED_FROM
    ) -> None:
        """Build everything from the database (start-up). With ``index_file``, a registry of
        at least ``shared_from`` names is mapped from that file, which the first process
        builds (``disclosure.index_file``), instead of being built in every process."""
        self.loaded_at = utcnow()
        if index_file is not None and await registry_size(session) >= shared_from:
            self.index, self.last_change = await open_or_build(MemoIndex, session, index_file)
        else:
            self.last_change = (await session.scalar(select(func.max(DataChange.id)))) or 0
            rows = await session.execute(
                select(Enterprise.uscc, Enterprise.name, Enterprise.aliases)
            )
            self.index = MemoIndex.build([(u, n, tuple(a or ())) for u, n, a in rows])
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
        self._current.clear()

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
        await self._load_grades(session, since)
        return True


def mark_change(session: AsyncSession, *topics: str) -> None:
    """Record that published data changed, in the caller's transaction."""
    for topic in topics:
        session.add(DataChange(topic=topic))
