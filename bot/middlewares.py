"""What every update passes through: de-duplication, a database session, the user's
language and throttling. Handlers receive ``services``, ``session`` and ``lang`` by name."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _

from bot.models import BotUser
from infra import i18n as catalogue
from infra.ratelimit import Limit, MemoryBackend, RateLimiter, RedisBackend

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from complaints.runtime import Services

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ChatIsolation(BaseEventIsolation):
    """One update at a time per chat and user in this process; idle locks are dropped."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[Hashable, _Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock = self._locks.get(key)
        if lock is None:
            lock = _Lock()
            self._locks[key] = lock
        async with lock.lock:
            yield

    async def close(self) -> None:
        self._locks.clear()


class _Lock:
    """A weak-referenceable holder (asyncio.Lock has __slots__ without __weakref__)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()


class UpdateDedupe(BaseMiddleware):
    """Telegram may deliver an update twice (webhook retries, restarts): handle it once."""

    def __init__(self, redis: Redis | None = None, remember: int = 10_000) -> None:
        self.redis = redis
        self.remember = remember
        self.seen: OrderedDict[tuple[int, int], None] = OrderedDict()

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        if self.redis is not None:
            key = f"zhixin:bot:update:{bot_id}:{update_id}"
            return bool(await self.redis.set(key, 1, nx=True, ex=86_400))
        marker = (bot_id, update_id)
        if marker in self.seen:
            return False
        self.seen[marker] = None
        while len(self.seen) > self.remember:
            self.seen.popitem(last=False)
        return True

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if not await self.first_time(data["bot"].id, event.update_id):
            log.info("update %s delivered again; ignored", event.update_id)
            return None
        return await handler(event, data)


class DatabaseSession(BaseMiddleware):
    """One AsyncSession per update, closed afterwards; handlers commit what they change."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        services: Services = data["services"]
        async with services.sessions() as session:
            data["session"] = session
            return await handler(event, data)


class LanguageMiddleware(I18nMiddleware):
    """The user's choice from /language wins; otherwise Telegram's language code, mapped
    explicitly (``zh-hans``, ``zh-hant``, ``zh`` → zh_CN; ``en*`` → en); otherwise Chinese."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        lang = catalogue.DEFAULT_LANG
        if user is not None and not user.is_bot:
            lang = await remember_user(data["session"], user)
        data["lang"] = lang
        return catalogue.CATALOGUE[lang]

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        locale = await self.get_locale(event, data)
        data[self.i18n_key or "i18n"] = self.i18n
        token = catalogue.current_lang.set(data["lang"])
        try:
            with self.i18n.context(), self.i18n.use_locale(locale):
                return await handler(event, data)
        finally:
            catalogue.current_lang.reset(token)


async def remember_user(session: Any, user: User) -> str:
    """Register a user on first contact; return their language (``zh`` or ``en``)."""
    row = await session.get(BotUser, user.id)
    telegram_lang = catalogue.normalize_lang(user.language_code) or catalogue.DEFAULT_LANG
    changed = False
    if row is None:
        row = BotUser(chat_id=user.id, lang=telegram_lang, lang_chosen=False)
        session.add(row)
        changed = True
    elif not row.lang_chosen and row.lang != telegram_lang:
        row.lang = telegram_lang
        changed = True
    if row.blocked_at is not None:  # writing to the bot again means it is unblocked
        row.blocked_at = None
        changed = True
    if changed:
        await session.commit()
    return row.lang if row.lang in catalogue.LANGS else catalogue.DEFAULT_LANG


class CatalogueI18n(I18n):
    """aiogram's i18n over the shared catalogue, loaded as the web pages load it: the
    compiled ``.mo`` file, or the ``.po`` file in a source checkout that was not built."""

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # the context variable lives on each class; aiogram's gettext reads I18n's
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, Any]:
        return {
            folder: catalogue.translations(lang) for lang, folder in catalogue.CATALOGUE.items()
        }


def make_i18n() -> I18n:
    return CatalogueI18n(
        path=catalogue.LOCALES_DIR, default_locale="zh_CN", domain=catalogue.DOMAIN
    )


class Throttle(BaseMiddleware):
    """At most ``burst`` messages at once and ``rate`` a second afterwards, per user.

    Too-fast users get one polite notice per ``notice_every`` seconds; their extra
    messages are dropped. With Redis the count is shared by every process.
    """

    def __init__(
        self,
        rate: float = 2.0,
        burst: int = 10,
        redis: Redis | None = None,
        clock: Callable[[], float] = time.monotonic,
        notice_every: float = 10.0,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.limit = Limit(count=burst, period=burst / rate)
        if limiter is None:
            shared = RedisBackend(redis, prefix="zhixin:bot:") if redis is not None else None
            # a Redis outage falls back to counting in this process
            limiter = RateLimiter(shared, MemoryBackend(clock), clock=clock)
        self.limiter = limiter
        self.clock = clock
        self.notice_every = notice_every
        self.noticed: dict[int, float] = {}

    async def allowed(self, user_id: int) -> bool:
        decision = await self.limiter.hit("throttle", str(user_id), self.limit)
        return decision.allowed

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or await self.allowed(user.id):
            return await handler(event, data)
        now = self.clock()
        if len(self.noticed) > 50_000:
            self.noticed.clear()
        if now - self.noticed.get(user.id, float("-inf")) >= self.notice_every:
            self.noticed[user.id] = now
            notice = _("You are sending messages too quickly. Please wait a few seconds.")
            if isinstance(event, Message):
                await event.answer(notice)
            elif isinstance(event, CallbackQuery):
                await event.answer(notice, show_alert=False)
        elif isinstance(event, CallbackQuery):
            await event.answer()
        return None


class FormExpiry(BaseMiddleware):
    """An unfinished form closes after ``ttl`` seconds without an answer: the next
    message or press is told so and is handled as if no form were open."""

    def __init__(self, ttl: float = 30 * 60, clock: Callable[[], float] = time.time) -> None:
        self.ttl = ttl
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from bot.filing import FORM_STATES

        state = data.get("state")
        if state is None:
            return await handler(event, data)
        now = self.clock()
        if data.get("raw_state") in FORM_STATES:
            form = await state.get_data()
            if now - float(form.get("at", now)) > self.ttl:
                await state.clear()
                data["raw_state"] = None
                notice = _(
                    "Your unfinished form expired after {minutes} minutes without an answer; "
                    "nothing was sent."
                ).format(minutes=int(self.ttl // 60))
                target = event.message if isinstance(event, CallbackQuery) else event
                if isinstance(target, Message):
                    await target.answer(notice)
        result = await handler(event, data)
        if await state.get_state() in FORM_STATES:
            await state.update_data(at=now)
        return result
