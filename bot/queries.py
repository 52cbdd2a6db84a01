"""Reads and writes of the bot's own tables (subscriptions) that no domain service offers."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Subscription


async def subscriptions_of(session: AsyncSession, chat_id: int) -> list[Subscription]:
    stmt = select(Subscription).where(Subscription.chat_id == chat_id).order_by(Subscription.id)
    return list(await session.scalars(stmt))


async def set_subscription(
    session: AsyncSession, chat_id: int, kind: str, target: str, on: bool
) -> None:
    """Subscribe or unsubscribe; repeating either is harmless."""
    if not on:
        await session.execute(
            delete(Subscription).where(
                Subscription.chat_id == chat_id,
                Subscription.kind == kind,
                Subscription.target == target,
            )
        )
        await session.commit()
        return
    exists = await session.scalar(
        select(Subscription.id).where(
            Subscription.chat_id == chat_id,
            Subscription.kind == kind,
            Subscription.target == target,
        )
    )
    if exists:
        return
    session.add(Subscription(chat_id=chat_id, kind=kind, target=target))
    try:
        await session.commit()
    except IntegrityError:  # the same button pressed twice at once
        await session.rollback()
