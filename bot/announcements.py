"""Outbox events the bot writes itself: new recall notices and grade changes of followed
companies. The importers do not announce them, so the bot watches the tables past a mark
(``BotCursor``) and advances the mark in the same transaction as the events it writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import BotCursor, Subscription
from complaints.models import OutboxEvent
from complaints.outbox import announce
from disclosure.models import CreditGrade, RecallNotice
from infra.db import utcnow

RECALL_TOPIC = "recall.published"
GRADE_TOPIC = "grade.changed"
# an import of old notices is history, not news: only recent ones are broadcast
RECENT = timedelta(days=30)
BATCH = 200


async def _advance(session: AsyncSession, name: str, old: int, new: int) -> bool:
    """Move a mark from ``old`` to ``new``; False when another process moved it first."""
    result = await session.execute(
        update(BotCursor)
        .where(BotCursor.name == name, BotCursor.position == old)
        .values(position=new, updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _mark(session: AsyncSession, name: str, start: int) -> int | None:
    """The mark's position; a new mark starts at ``start`` (now), so history is not sent."""
    cursor = await session.get(BotCursor, name)
    if cursor is None:
        session.add(BotCursor(name=name, position=start))
        try:
            await session.commit()
        except IntegrityError:  # another process started the same mark at the same moment
            await session.rollback()
        return None
    return cursor.position


async def _already_announced(session: AsyncSession, recall_id: int) -> bool:
    """An importer that announces recalls itself wins: never two events for one notice."""
    found = await session.scalar(
        select(OutboxEvent.id)
        .where(
            OutboxEvent.topic == RECALL_TOPIC,
            OutboxEvent.payload["recall_id"].as_integer() == recall_id,
        )
        .limit(1)
    )
    return found is not None


async def announce_recalls(session: AsyncSession, today: date | None = None) -> int:
    """Write ``recall.published`` for notices added since the mark; returns how many."""
    newest = (await session.scalar(select(func.max(RecallNotice.id)))) or 0
    position = await _mark(session, "recalls", newest)
    if position is None or newest <= position:
        return 0
    rows = list(
        await session.scalars(
            select(RecallNotice)
            .where(RecallNotice.id > position)
            .order_by(RecallNotice.id)
            .limit(BATCH)
        )
    )
    today = today or date.today()
    written = 0
    for recall in rows:
        if recall.published < today - RECENT or await _already_announced(session, recall.id):
            continue
        announce(
            session,
            RECALL_TOPIC,
            {
                "recall_id": recall.id,
                "category": recall.category,
                "producer_uscc": recall.producer_uscc,
            },
        )
        written += 1
    if not await _advance(session, "recalls", position, rows[-1].id):
        await session.rollback()
        return 0
    await session.commit()
    return written


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


async def announce_grades(session: AsyncSession) -> int:
    """Write ``grade.changed`` for grades of followed companies stored since the mark."""
    position = await _mark(session, "grades", _micros(utcnow()))
    if position is None:
        return 0
    since = datetime.fromtimestamp(position / 1_000_000, tz=UTC)
    followed = select(Subscription.target).where(Subscription.kind == "enterprise")
    rows = list(
        await session.scalars(
            select(CreditGrade)
            .where(CreditGrade.updated_at > since, CreditGrade.uscc.in_(followed))
            .order_by(CreditGrade.updated_at, CreditGrade.id)
            .limit(BATCH)
        )
    )
    if not rows:
        return 0
    for grade in rows:
        announce(
            session,
            GRADE_TOPIC,
            {"uscc": grade.uscc, "grade": grade.grade, "year": grade.year, "grade_id": grade.id},
        )
    if not await _advance(session, "grades", position, _micros(rows[-1].updated_at)):
        await session.rollback()
        return 0
    await session.commit()
    return len(rows)
