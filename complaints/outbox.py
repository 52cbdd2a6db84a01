"""The notifications outbox: events written in the same transaction as the change they
announce, read by the deliverers (the bot) in batches.

Topics: ``case.filed`` (new case at a department), ``case.status`` (any desk action that
the citizen may hear of), ``case.transferred`` (a case arrived at another department),
``case.overdue`` (a deadline passed), ``case.evidence`` (the citizen added
evidence to a filed case). Payloads carry ids and codes only, never contact
details: a deliverer reads what it needs from the case.

Reading, safe with several processes::

    async with sessions() as session, session.begin():
        events = await claim_batch(session, ["case.status"], 50)
        for event in events:
            ...deliver...
        await mark_done(session, [e.id for e in events])

On PostgreSQL the claimed rows stay locked (``FOR UPDATE SKIP LOCKED``) until the
transaction ends, so another process claims other rows; if the process dies before
committing, the rows are claimed again. SQLite has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import OutboxEvent
from infra.db import utcnow

TOPICS = ("case.filed", "case.status", "case.transferred", "case.overdue", "case.evidence")


def announce(
    session: AsyncSession, topic: str, payload: dict[str, Any], *, at: datetime | None = None
) -> OutboxEvent:
    """Add an event to the caller's transaction."""
    event = OutboxEvent(topic=topic, payload=payload, created_at=at or utcnow(), attempts=0)
    session.add(event)
    return event


async def claim_batch(
    session: AsyncSession,
    topics: Iterable[str] | None = None,
    limit: int = 100,
    *,
    max_attempts: int | None = None,
) -> list[OutboxEvent]:
    """Lock and return up to ``limit`` undelivered events, oldest first, counting an attempt
    on each. Events another process holds are skipped, not waited for."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.processed_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if topics is not None:
        stmt = stmt.where(OutboxEvent.topic.in_(list(topics)))
    if max_attempts is not None:
        stmt = stmt.where(OutboxEvent.attempts < max_attempts)
    events = list(await session.scalars(stmt))
    for event in events:
        event.attempts += 1
    await session.flush()
    return events


async def mark_done(session: AsyncSession, event_ids: Sequence[int]) -> int:
    """Mark delivered events as processed (in the claiming transaction); returns how many."""
    if not event_ids:
        return 0
    result = await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(list(event_ids)), OutboxEvent.processed_at.is_(None))
        .values(processed_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
