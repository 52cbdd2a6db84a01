"""Overdue cases: the ``zhixin_cases_overdue`` gauge and the ``case.overdue`` notices.

The gauge is refreshed by a background task once a minute rather than at scrape time:
a case only becomes overdue when a day ends or a desk action changes it, so a minute of
lag costs nothing, and a scrape never waits on a query over every open case (nor fails
when the database is down). The same task logs each passed deadline once per case
(an ``overdue`` log entry, staff-only, plus a ``case.overdue`` outbox event for the
department's chat); on PostgreSQL an advisory lock makes one process do it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.casework import overdue_clause
from complaints.intake import china_date, missed_deadline
from complaints.models import Case, CaseEvent
from complaints.outbox import announce
from infra.accounts import Department
from infra.db import utcnow
from infra.metrics import Metrics

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60.0
_LOCK_KEY = 0x5A58_0D0E  # "ZX" overdue job
# A deadline missed longer ago than this (the service was down, or the data was imported)
# is not announced any more: the desk and the gauge still show it, the chats are spared
# a flood of stale notices.
NOTICE_WINDOW_DAYS = 7
_BATCH = 500


async def refresh_overdue(session: AsyncSession, metrics: Metrics, today: date) -> dict[str, int]:
    """Set the gauge to the number of overdue open cases of each department (0 included)."""
    rows = await session.execute(
        select(Case.department, func.count()).where(overdue_clause(today)).group_by(Case.department)
    )
    counts = {dept: int(n) for dept, n in rows}
    for code in await session.scalars(select(Department.code).where(Department.active)):
        metrics.cases_overdue.labels(code).set(counts.get(code, 0))
    for code, n in counts.items():
        metrics.cases_overdue.labels(code).set(n)
    return counts


async def _lock(session: AsyncSession) -> bool:
    if session.bind.dialect.name != "postgresql":
        return True
    return bool(await session.scalar(text(f"SELECT pg_try_advisory_xact_lock({_LOCK_KEY})")))


async def flag_overdue(session: AsyncSession, now: datetime | None = None) -> int:
    """Log each newly passed deadline once; returns how many were flagged (caller commits)."""
    now = now or utcnow()
    today = china_date(now)
    if not await _lock(session):
        return 0
    flagged = 0
    last_id = 0
    floor = today - timedelta(days=NOTICE_WINDOW_DAYS)
    recent = or_(Case.accept_due >= floor, Case.resolve_due >= floor, Case.notify_due >= floor)
    while True:
        cases = list(
            await session.scalars(
                select(Case)
                .where(overdue_clause(today), recent, Case.id > last_id)
                .order_by(Case.id)
                .limit(_BATCH)
            )
        )
        if not cases:
            return flagged
        last_id = cases[-1].id
        seen: set[tuple[int, str, str]] = set()
        logged = await session.execute(
            select(CaseEvent.case_id, CaseEvent.data).where(
                CaseEvent.action == "overdue", CaseEvent.case_id.in_([c.id for c in cases])
            )
        )
        for case_id, data in logged:
            seen.add((case_id, str(data.get("deadline")), str(data.get("due"))))
        for case in cases:
            which = missed_deadline(case, today)
            if which is None:
                continue
            due = {"accept": case.accept_due, "resolve": case.resolve_due}.get(
                which, case.notify_due
            )
            key = (case.id, which, due.isoformat() if due else "None")
            if key in seen or due is None or due < floor:
                continue
            session.add(
                CaseEvent(
                    case_id=case.id,
                    at=now,
                    actor="system",
                    action="overdue",
                    from_status=case.status,
                    to_status=case.status,
                    data={"deadline": which, "due": key[2]},
                    public=False,
                )
            )
            announce(
                session,
                "case.overdue",
                {
                    "case_id": case.id,
                    "tracking_no": case.tracking_no,
                    "department": case.department,
                    "kind": case.kind,
                    "deadline": which,
                    "due": key[2],
                },
                at=now,
            )
            flagged += 1


async def run_once(sessions: async_sessionmaker[AsyncSession], metrics: Metrics) -> None:
    async with sessions() as session:
        await flag_overdue(session)
        await session.commit()
        await refresh_overdue(session, metrics, china_date(utcnow()))


@contextlib.asynccontextmanager
async def overdue_watch(
    sessions: async_sessionmaker[AsyncSession], metrics: Metrics
) -> AsyncIterator[None]:
    """Refresh on entry and then every minute until the block ends."""
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            try:
                await run_once(sessions, metrics)
            except Exception as exc:  # the database may be away; try again next round
                log.warning("overdue refresh failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), INTERVAL_SECONDS)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        # let a round in progress finish its queries rather than cut a connection
        stop.set()
        try:
            await asyncio.wait_for(task, 10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
