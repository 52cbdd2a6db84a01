"""The outbox courier: case news to citizens, new cases and overdue alerts to department
chats, recall and grade alerts to subscribers.

Each (event, chat) pair is claimed as a ``Delivery`` row before sending, so a restart or
a second process never sends a message twice; a claim left pending by a crash is taken
on again after a lease. Messages go out within Telegram's limits (``SendLimiter``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot import alerts
from bot.announcements import announce_grades, announce_recalls
from bot.cards import speaking
from bot.markup import split_html
from bot.models import BotUser, Delivery
from bot.ratelimit import SendLimiter
from complaints.outbox import claim_batch, mark_done
from complaints.runtime import Services
from infra.db import utcnow

log = logging.getLogger(__name__)
TOPICS = (
    "case.filed",
    "case.transferred",
    "case.status",
    "case.overdue",
    "case.evidence",
    "recall.published",
    "grade.changed",
)
LEASE = timedelta(seconds=60)
MAX_EVENT_ATTEMPTS = 20
MAX_SEND_ATTEMPTS = 5
FINAL = ("sent", "blocked", "failed")


@dataclass(frozen=True, slots=True)
class Letter:
    """One message for one chat, rendered in that chat's language."""

    chat_id: int
    text: str
    keyboard: InlineKeyboardMarkup | None = None


class Courier:
    def __init__(
        self,
        bot: Bot,
        services: Services,
        i18n: I18n,
        limiter: SendLimiter | None = None,
        *,
        poll: float = 1.0,
        batch: int = 20,
        now: Callable[[], Any] = utcnow,
    ) -> None:
        self.bot = bot
        self.services = services
        self.i18n = i18n
        self.limiter = limiter or SendLimiter()
        self.poll = poll
        self.batch = batch
        self.now = now

    async def run(self) -> None:
        """Deliver until cancelled; a failed round is logged and tried again."""
        while True:
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox delivery round failed")
                busy = 0
            if not busy:
                await asyncio.sleep(self.poll)

    async def run_once(self) -> int:
        """Announce new recalls and grades, then deliver one batch; events handled."""
        async with self.services.sessions() as session:
            await announce_recalls(session)
            await announce_grades(session)
        async with self.services.sessions() as session:
            events = await claim_batch(session, TOPICS, self.batch, max_attempts=MAX_EVENT_ATTEMPTS)
            claimed = [(e.id, e.topic, dict(e.payload or {}), e.attempts) for e in events]
            await session.commit()  # the claim is an attempt count; sending takes long
        done = []
        for event_id, topic, payload, attempts in claimed:
            try:
                finished = await self.deliver(event_id, topic, payload)
            except (TelegramRetryAfter, TelegramNetworkError, TelegramServerError) as exc:
                log.warning("event %s postponed: %s", event_id, exc)
                finished = False
            if finished or attempts >= MAX_EVENT_ATTEMPTS:
                if not finished:
                    log.error("event %s given up after %s attempts", event_id, attempts)
                done.append(event_id)
        if done:
            async with self.services.sessions() as session:
                await mark_done(session, done)
                await session.commit()
        return len(claimed)

    async def deliver(self, event_id: int, topic: str, payload: dict[str, Any]) -> bool:
        """Send the event to every recipient; True when nothing is left pending."""
        letters = await self.letters(topic, payload)
        finished = True
        for letter in letters:
            if not await self.send_once(event_id, letter):
                finished = False
        return finished

    async def letters(self, topic: str, payload: dict[str, Any]) -> list[Letter]:
        async with self.services.sessions() as session:
            recipients = await alerts.recipients(session, topic, payload)
            if not recipients:
                return []
            langs = await self.languages(session, recipients)
            why = await alerts.reasons(session, topic, payload, recipients)
            out = []
            # one rendering per language and reason (case news go to a single chat)
            rendered: dict[tuple[str, str], tuple[str, InlineKeyboardMarkup | None] | None] = {}
            for chat_id in recipients:
                lang, reason = langs.get(chat_id, "zh"), why.get(chat_id, "")
                if (lang, reason) not in rendered:
                    with speaking(self.i18n, lang):
                        rendered[lang, reason] = await alerts.render(
                            session, self.services, topic, payload, chat_id, lang, reason
                        )
                letter = rendered[lang, reason]
                if letter is not None:
                    out.append(Letter(chat_id, letter[0], letter[1]))
            return out

    async def languages(self, session: Any, chats: list[int]) -> dict[int, str]:
        rows = await session.execute(
            select(BotUser.chat_id, BotUser.lang).where(BotUser.chat_id.in_(chats))
        )
        return {chat_id: lang for chat_id, lang in rows}

    async def claim(self, event_id: int, chat_id: int) -> bool:
        """Take the (event, chat) pair on; False when it is done or another sender has it."""
        now = self.now()
        async with self.services.sessions() as session:
            session.add(Delivery(event_id=event_id, chat_id=chat_id, attempts=1, claimed_at=now))
            try:
                await session.commit()
                return True
            except IntegrityError:
                await session.rollback()
            result = await session.execute(
                update(Delivery)
                .where(
                    Delivery.event_id == event_id,
                    Delivery.chat_id == chat_id,
                    Delivery.status == "pending",
                    Delivery.claimed_at < now - LEASE,
                    Delivery.attempts < MAX_SEND_ATTEMPTS,
                )
                .values(claimed_at=now, attempts=Delivery.attempts + 1)
            )
            await session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def settle(self, event_id: int, chat_id: int, status: str, error: str | None) -> None:
        now = self.now()
        values: dict[str, Any] = {"status": status, "last_error": (error or None) and error[:200]}
        if status == "sent":
            values["sent_at"] = now
        elif status == "pending":
            # release the claim so the next round may try at once
            values["claimed_at"] = now - LEASE - timedelta(seconds=1)
        async with self.services.sessions() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.event_id == event_id, Delivery.chat_id == chat_id)
                .values(**values)
            )
            if status == "blocked" and chat_id > 0:
                await session.execute(
                    update(BotUser)
                    .where(BotUser.chat_id == chat_id, BotUser.blocked_at.is_(None))
                    .values(blocked_at=now)
                )
            await session.commit()

    async def send_once(self, event_id: int, letter: Letter) -> bool:
        """Send one letter unless already sent; True when it needs no further attempt."""
        if not await self.claim(event_id, letter.chat_id):
            return await self.is_final(event_id, letter.chat_id)
        parts = split_html(letter.text)
        try:
            for i, part in enumerate(parts):
                await self.limiter.wait(letter.chat_id)
                keyboard = letter.keyboard if i == len(parts) - 1 else None
                await self.bot.send_message(letter.chat_id, part, reply_markup=keyboard)
        except TelegramRetryAfter as exc:
            self.limiter.pause(exc.retry_after)
            await self.settle(event_id, letter.chat_id, "pending", str(exc))
            raise
        except TelegramForbiddenError as exc:
            await self.settle(event_id, letter.chat_id, "blocked", str(exc))
            return True
        except (TelegramNetworkError, TelegramServerError) as exc:
            await self.settle(event_id, letter.chat_id, "pending", str(exc))
            raise
        except (TelegramBadRequest, TelegramAPIError) as exc:  # chat gone, bad markup…
            log.warning("delivery of event %s to %s failed: %s", event_id, letter.chat_id, exc)
            await self.settle(event_id, letter.chat_id, "failed", str(exc))
            return True
        await self.settle(event_id, letter.chat_id, "sent", None)
        return True

    async def is_final(self, event_id: int, chat_id: int) -> bool:
        async with self.services.sessions() as session:
            row = await session.scalar(
                select(Delivery).where(Delivery.event_id == event_id, Delivery.chat_id == chat_id)
            )
            return row is None or row.status in FINAL or row.attempts >= MAX_SEND_ATTEMPTS
