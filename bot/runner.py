"""Building and running the bot: long polling alone (``zhixin bot``), or beside the web
service on the same aiohttp app (``zhixin serve``), by long polling or a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramUnauthorizedError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiohttp import web
from sqlalchemy import update

from bot.api_guard import ApiGuard, LongMessages
from bot.cards import speaking
from bot.delivery import Courier
from bot.handlers import command_menu, feature_routers
from bot.middlewares import (
    ChatIsolation,
    DatabaseSession,
    FormExpiry,
    LanguageMiddleware,
    Throttle,
    UpdateDedupe,
    make_i18n,
)
from bot.models import BotUser
from complaints.runtime import Services
from infra.db import utcnow
from infra.health import is_database_unavailable
from infra.i18n import normalize_lang
from infra.settings import Settings
from nlp.lookup import warm_up

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
BOT_TASKS: web.AppKey[list[asyncio.Task[Any]]] = web.AppKey("bot_tasks")
WEBHOOK_HANDLER: web.AppKey[Any] = web.AppKey("bot_webhook_handler")


def make_storage(settings: Settings) -> BaseStorage:
    """FSM storage: in memory by default, Redis when ``ZHIXIN_REDIS_URL`` is set."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        # destinies keep side data (the recall listing a chat pages through) apart
        return RedisStorage.from_url(
            settings.redis_url,
            key_builder=DefaultKeyBuilder(prefix="zhixin:fsm", with_bot_id=True, with_destiny=True),
        )
    return MemoryStorage()


def _isolation(storage: BaseStorage) -> BaseEventIsolation:
    from aiogram.fsm.storage.redis import RedisStorage

    if isinstance(storage, RedisStorage):
        return storage.create_isolation()
    return ChatIsolation()


def build_dispatcher(
    services: Services,
    storage: BaseStorage | None = None,
    *,
    i18n: I18n | None = None,
    throttle: Throttle | None = None,
    expiry: FormExpiry | None = None,
) -> Dispatcher:
    """The dispatcher with every feature router and the middlewares handlers rely on."""
    storage = storage or MemoryStorage()
    redis = getattr(storage, "redis", None)
    dp = Dispatcher(storage=storage, events_isolation=_isolation(storage), name="zhixin")
    dp["services"] = services
    i18n = i18n or make_i18n()
    dp.update.outer_middleware(UpdateDedupe(redis))
    dp.update.outer_middleware(DatabaseSession())
    LanguageMiddleware(i18n).setup(dp, exclude={"error"})
    throttle = throttle or Throttle(redis=redis)
    dp.message.outer_middleware(throttle)
    dp.callback_query.outer_middleware(throttle)
    expiry = expiry or FormExpiry()
    dp.message.outer_middleware(expiry)
    dp.callback_query.outer_middleware(expiry)
    routers = feature_routers()
    for router in routers:
        # the feature routers are module-level; a second dispatcher in one process (tests,
        # a restarted app) takes them over from the first
        router._parent_router = None
    dp.include_routers(*routers)

    async def on_error(event: ErrorEvent, bot: Bot) -> bool:
        update = event.update
        if is_not_modified(event.exception):
            # a double tap asks for an edit the message already shows: nothing went wrong
            return True
        db_down = is_database_unavailable(event.exception)
        if db_down:  # an outage, not a bug: no traceback for every update
            log.warning("update %s: database unavailable", update.update_id)
        else:
            log.error(
                "update %s failed: %s", update.update_id, event.exception, exc_info=event.exception
            )
        chat_id, lang = _where(update)
        if chat_id is not None:
            from aiogram.utils.i18n import gettext as _

            # the apology is best effort: the fault may be the chat itself
            with speaking(i18n, lang), contextlib.suppress(Exception):
                if db_down:
                    text = _(
                        "The service is temporarily unavailable. Please try again in a few minutes."
                    )
                else:
                    text = _("Sorry, something went wrong on my side. Please try again.")
                await bot.send_message(chat_id, text)
        return True

    dp.errors.register(on_error)
    return dp


def is_not_modified(exc: BaseException) -> bool:
    """Telegram's refusal of an edit that would change nothing."""
    return isinstance(exc, TelegramBadRequest) and "message is not modified" in exc.message


def _where(update: Any) -> tuple[int | None, str]:
    event = update.event
    message = getattr(event, "message", None) if update.callback_query else event
    chat = getattr(message, "chat", None)
    user = getattr(event, "from_user", None)
    lang = normalize_lang(getattr(user, "language_code", None)) or "zh"
    return (chat.id if chat is not None else None), lang


def create_bot(settings: Settings, services: Services | None = None) -> Bot:
    """A Bot for the configured API server, guarded against flood waits and blocked chats."""
    if not settings.bot_token:
        raise ValueError("ZHIXIN_BOT_TOKEN is not set")
    api = TelegramAPIServer.from_base(settings.telegram_api) if settings.telegram_api else None
    session = AiohttpSession(api=api) if api else AiohttpSession()
    session.middleware(LongMessages())
    session.middleware(ApiGuard(_blocked_marker(services) if services else None))
    return Bot(
        settings.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
    )


def _blocked_marker(services: Services) -> Any:
    async def mark(chat_id: int) -> None:
        if chat_id <= 0:
            return
        async with services.sessions() as session:
            await session.execute(
                update(BotUser)
                .where(BotUser.chat_id == chat_id, BotUser.blocked_at.is_(None))
                .values(blocked_at=utcnow())
            )
            await session.commit()
        log.info("chat %s blocked the bot", chat_id)

    return mark


async def set_commands(bot: Bot, i18n: I18n) -> None:
    """The command menu per language: Chinese for everyone (the default) and for ``zh``
    clients, English for ``en`` clients; a failure is not fatal."""
    for lang, code in (("zh", None), ("zh", "zh"), ("en", "en")):
        with speaking(i18n, lang):
            commands = command_menu()
        try:
            await bot.set_my_commands(commands, language_code=code)
        except TelegramAPIError as exc:
            log.warning("could not set the command menu: %s", exc)
            return


async def run_polling(settings: Settings) -> int:
    """``zhixin bot``: services, dispatcher and outbox courier until SIGINT/SIGTERM."""
    services = await Services.start(settings)
    await asyncio.to_thread(warm_up)  # the lookup's compiled kernels, before the first user
    storage = make_storage(settings)
    bot = create_bot(settings, services)
    i18n = make_i18n()
    dp = build_dispatcher(services, storage, i18n=i18n)
    courier = asyncio.create_task(Courier(bot, services, i18n).run(), name="bot-courier")
    try:
        await set_commands(bot, i18n)
        with contextlib.suppress(TelegramAPIError):
            await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(bot, handle_signals=True, close_bot_session=True)
    except TelegramUnauthorizedError:
        log.error("Telegram refused the bot token (ZHIXIN_BOT_TOKEN)")
        return 1
    finally:
        courier.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await courier
        await storage.close()
        await services.close()
    return 0


async def _logged(polling: Any) -> None:
    """Long polling beside the web service: its end is logged, the web service goes on."""
    try:
        await polling
    except TelegramUnauthorizedError:
        log.error("Telegram refused the bot token (ZHIXIN_BOT_TOKEN); the bot is not running")
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("the bot stopped")


def webhook_secret(settings: Settings) -> str:
    """The ``X-Telegram-Bot-Api-Secret-Token`` value: derived, so every worker agrees."""
    key = settings.require_secret().encode()
    return hmac.new(key, f"webhook:{settings.bot_token}".encode(), hashlib.sha256).hexdigest()


def webhook_path(settings: Settings) -> str:
    # a path that does not reveal the token but differs per bot
    digest = hashlib.sha256((settings.bot_token or "").encode()).hexdigest()[:16]
    return f"{WEBHOOK_PATH}/{digest}"


def attach_to_app(app: web.Application, settings: Settings) -> None:
    """Run the bot inside the web service: a webhook route when ``ZHIXIN_WEBHOOK_BASE``
    is set, otherwise long polling in a background task; the courier either way."""
    from infra.web import SERVICES

    path = webhook_path(settings)
    if settings.webhook_base:

        async def webhook(request: web.Request) -> web.StreamResponse:
            handler = request.app.get(WEBHOOK_HANDLER)
            if handler is None:
                raise web.HTTPServiceUnavailable()
            return await handler.handle(request)

        app.router.add_post(path, webhook, name="telegram-webhook")

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler

        services = app[SERVICES]
        storage = make_storage(settings)
        bot = create_bot(settings, services)
        i18n = make_i18n()
        dp = build_dispatcher(services, storage, i18n=i18n)
        tasks = [asyncio.create_task(Courier(bot, services, i18n).run(), name="bot-courier")]
        await set_commands(bot, i18n)
        if settings.webhook_base:
            secret = webhook_secret(settings)
            app[WEBHOOK_HANDLER] = SimpleRequestHandler(dp, bot, secret_token=secret)
            url = settings.webhook_base.rstrip("/") + path
            try:
                await bot.set_webhook(
                    url, secret_token=secret, allowed_updates=dp.resolve_used_update_types()
                )
            except TelegramAPIError as exc:
                log.error("could not set the webhook to %s: %s", url, exc)
        else:
            with contextlib.suppress(TelegramAPIError):
                await bot.delete_webhook(drop_pending_updates=False)
            tasks.append(
                asyncio.create_task(
                    _logged(dp.start_polling(bot, handle_signals=False, close_bot_session=False)),
                    name="bot-polling",
                )
            )
        app[BOT_TASKS] = tasks
        yield
        if not settings.webhook_base:
            with contextlib.suppress(RuntimeError):
                await dp.stop_polling()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await bot.session.close()
        await storage.close()

    app.cleanup_ctx.append(lifecycle)
