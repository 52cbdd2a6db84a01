"""Reads the bot needs that the domain services do not offer as such."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Subscription


async def subscriptions_of(session: AsyncSession, chat_id: int) -> list[Subscription]:
    stmt = select(Subscription).where(Subscription.chat_id == chat_id).order_by(Subscription.id)
    return list(await session.scalars(stmt))
