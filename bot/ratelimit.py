"""Telegram's sending limits, with the token buckets of ``infra.ratelimit`` driven by an
injectable clock.

Telegram allows a bot about 30 messages a second overall, one a second in a
private chat and 20 a minute in a group; incoming messages are throttled per
user with the same arithmetic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from infra.ratelimit import TokenBucket

__all__ = ["SendLimiter", "TokenBucket"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class SendLimiter:
    """Waits as long as needed before each message so Telegram's limits hold."""

    def __init__(
        self,
        overall: float = 30.0,
        per_chat: float = 1.0,
        per_group: float = 20 / 60,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        # evenly spaced: never more than ``overall`` in any one-second window
        self.overall = TokenBucket(overall)
        self.per_chat = per_chat
        self.per_group = per_group
        self.clock = clock
        self.sleep = sleep
        self.chats: dict[int, TokenBucket] = {}

    def _bucket(self, chat_id: int) -> TokenBucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            # negative ids are groups and channels, which Telegram limits per minute
            bucket = TokenBucket(self.per_group if chat_id < 0 else self.per_chat)
            self.chats[chat_id] = bucket
        return bucket

    def schedule(self, chat_id: int) -> float:
        """Reserve a slot for one message to ``chat_id``; the moment it may be sent."""
        now = self.clock()
        if len(self.chats) > 10_000:
            self.chats = {k: b for k, b in self.chats.items() if not b.idle(now)}
        return self.overall.reserve(self._bucket(chat_id).reserve(now))

    async def wait(self, chat_id: int) -> None:
        delay = self.schedule(chat_id) - self.clock()
        if delay > 0:
            await self.sleep(delay)

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """Telegram asked to wait (flood control): hold every message, or one chat's."""
        until = self.clock() + seconds
        (self._bucket(chat_id) if chat_id is not None else self.overall).pause_until(until)
