"""Routing lessons shared by every process.

A staff transfer stores a ``RoutingExample`` and teaches the router of the process that
served it at once (``complaints.web.desk.run_action``). The other processes learn it from
the table: ``SharedRouter.catch_up`` reads the rows added since it last looked (the
change loop in ``infra.changes`` calls it every second, and at once when PostgreSQL
announces a new row). A lesson is learned once per process whichever way comes first.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import RoutingExample
from nlp.router import Example, Router

Lesson = tuple[str, str, str | None]
# how long a lesson read from the table waits for the same lesson taught here (the
# moment between the desk's commit and its call to learn)
_PAIRING_SECONDS = 60.0


async def load_lessons(session: AsyncSession) -> tuple[list[Example], int]:
    """Every stored lesson, oldest first, and the id of the newest."""
    rows = list(await session.scalars(select(RoutingExample).order_by(RoutingExample.id)))
    last = rows[-1].id if rows else 0
    return [Example(r.text, r.department, r.kind) for r in rows], last


class SharedRouter(Router):
    """A router that also learns the lessons other processes stored."""

    def __init__(self, *args: Any, last_lesson: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_lesson = last_lesson
        self._taught_here: Counter[Lesson] = Counter()  # learned here, row not read yet
        self._read_first: dict[Lesson, list[float]] = {}  # row read before learn() here

    def learn(
        self, text: str, department: str, kind: str | None = None, confirmed: bool = False
    ) -> None:
        lesson = (text, department, kind)
        waiting = self._read_first.get(lesson)
        if waiting:  # the change loop read this very row a moment ago and learned it
            waiting.pop(0)
            return
        self._taught_here[lesson] += 1
        super().learn(text, department, kind, confirmed)

    async def catch_up(self, session: AsyncSession) -> int:
        """Learn the lessons stored since the last look; returns how many were new here."""
        rows = await session.execute(
            select(
                RoutingExample.id,
                RoutingExample.text,
                RoutingExample.department,
                RoutingExample.kind,
            )
            .where(RoutingExample.id > self.last_lesson)
            .order_by(RoutingExample.id)
        )
        learned = 0
        now = time.monotonic()
        for row_id, text, department, kind in rows:
            self.last_lesson = max(self.last_lesson, row_id)
            lesson = (text, department, kind)
            if self._taught_here[lesson]:
                self._taught_here[lesson] -= 1
                continue
            super().learn(text, department, kind)
            self._read_first.setdefault(lesson, []).append(now)
            learned += 1
        self._forget_old_pairings(now)
        return learned

    def _forget_old_pairings(self, now: float) -> None:
        for lesson in list(self._read_first):
            fresh = [t for t in self._read_first[lesson] if now - t < _PAIRING_SECONDS]
            if fresh:
                self._read_first[lesson] = fresh
            else:
                del self._read_first[lesson]
        for lesson in [k for k, n in self._taught_here.items() if n <= 0]:
            del self._taught_here[lesson]
