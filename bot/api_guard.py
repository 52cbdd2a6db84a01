"""Bot API errors, handled where every request passes: flood waits and network faults are
retried, a user who blocked the bot is marked so nothing more is sent to them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.markup import LIMIT, split_html

log = logging.getLogger(__name__)
OnBlocked = Callable[[int], Awaitable[None]]


class ApiGuard(BaseRequestMiddleware):
    """Retry what is worth retrying; report chats that refuse messages."""

    def __init__(
        self,
        on_blocked: OnBlocked | None = None,
        *,
        tries: int = 3,
        max_wait: float = 30.0,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.on_blocked = on_blocked
        self.tries = tries
        self.max_wait = max_wait
        self.backoff = backoff
        self.sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):  # the polling loop has its own backoff
            return await make_request(bot, method)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= self.tries or exc.retry_after > self.max_wait:
                    raise
                log.warning(
                    "flood control on %s: waiting %ss", method.__api_method__, exc.retry_after
                )
                await self.sleep(exc.retry_after)
            except (TelegramNetworkError, TelegramServerError) as exc:
                if attempt >= self.tries:
                    raise
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning("%s failed (%s); retrying in %.1fs", method.__api_method__, exc, delay)
                await self.sleep(delay)
            except TelegramForbiddenError:
                chat_id = _chat_of(method)
                if chat_id is not None and self.on_blocked is not None:
                    try:
                        await self.on_blocked(chat_id)
                    except Exception:  # recording it must not hide the original error
                        log.warning("could not record blocked chat %s", chat_id, exc_info=True)
                raise


def _chat_of(method: Any) -> int | None:
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int) else None


class LongMessages(BaseRequestMiddleware):
    """Messages longer than Telegram's limit go out as several, the keyboard on the last."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not isinstance(method, SendMessage) or len(method.text) <= LIMIT // 2:
            return await make_request(bot, method)
        parts = split_html(method.text)
        if len(parts) == 1:
            return await make_request(bot, method)
        for part in parts[:-1]:
            await make_request(bot, method.model_copy(update={"text": part, "reply_markup": None}))
        return await make_request(bot, method.model_copy(update={"text": parts[-1]}))
