"""Telegram stand-ins for the bot's tests: a Bot session that records API calls instead of
sending them, and a person who talks to the dispatcher through ``feed_update``."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

TOKEN = "123456:TEST-TOKEN-FOR-ZHIXIN"
_update_ids = itertools.count(1000)

# How long a reply may take at most. Waits end as soon as the reply is there, so a
# generous ceiling costs nothing on a quiet machine and keeps a loaded one from failing.
EXPECT_WITHIN = 90.0


class RecordingSession(BaseSession):
    """Answers every API call with a plausible result and keeps the calls for asserting."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.failures: dict[type, list[Exception]] = {}
        self._message_ids = itertools.count(1)
        # files people sent, by file_id: what getFile and the download return
        self.files: dict[str, bytes] = {}

    def fail(self, method: type, *errors: Exception) -> None:
        """The next calls of ``method`` raise ``errors`` one after another."""
        self.failures.setdefault(method, []).extend(errors)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> Any:
        self.calls.append(method)
        pending = self.failures.get(type(method))
        if pending:
            raise pending.pop(0)
        if isinstance(method, SendMessage):
            return Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=Chat(
                    id=int(method.chat_id), type="private" if int(method.chat_id) > 0 else "group"
                ),
                from_user=User(id=bot.id, is_bot=True, first_name="Zhixin"),
                text=method.text,
                reply_markup=method.reply_markup,
            )
        if isinstance(method, GetMe):
            return User(id=bot.id, is_bot=True, first_name="Zhixin", username="zhixin_bot")
        if isinstance(method, GetFile):
            from tests.support.telegram_files import file_of

            return file_of(self.files, method.file_id)
        return True

    async def close(self) -> None:
        pass

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        url = str(kwargs.get("url") or (args[0] if args else ""))
        yield self.files.get(url.rsplit("/", 1)[-1], b"")

    def sent(self, chat_id: int | None = None) -> list[SendMessage]:
        return [
            c
            for c in self.calls
            if isinstance(c, SendMessage) and (chat_id is None or int(c.chat_id) == chat_id)
        ]

    def of(self, kind: type) -> list[Any]:
        return [c for c in self.calls if isinstance(c, kind)]


def make_bot(session: RecordingSession | None = None) -> Bot:
    return Bot(
        TOKEN,
        session=session or RecordingSession(),
        default=DefaultBotProperties(parse_mode="HTML"),
    )


def buttons(markup: Any) -> list[tuple[str, str]]:
    """(text, callback data) of every inline button."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [(b.text, b.callback_data or "") for row in markup.inline_keyboard for b in row]


class Person:
    """Someone writing to the bot in a private chat (or a group, with ``chat_id`` < 0)."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        user_id: int,
        language_code: str | None = "zh-hans",
        chat_id: int | None = None,
        username: str | None = None,
    ) -> None:
        self.dp, self.bot = dp, bot
        self.user = User(
            id=user_id,
            is_bot=False,
            first_name="Test",
            username=username,
            language_code=language_code,
        )
        self.chat_id = chat_id if chat_id is not None else user_id
        kind = "private" if self.chat_id > 0 else "supergroup"
        self.chat = Chat(id=self.chat_id, type=kind, title=None if kind == "private" else "Desk")
        self._message_ids = itertools.count(50_000)
        self.seen = 0

    @property
    def session(self) -> RecordingSession:
        assert isinstance(self.bot.session, RecordingSession)
        return self.bot.session

    async def feed(self, update: Update) -> None:
        await self.dp.feed_update(self.bot, update)

    def message_update(self, text: str) -> Update:
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            text=text,
        )
        return Update(update_id=next(_update_ids), message=message)

    async def send(self, text: str) -> list[SendMessage]:
        """Send a text message; return what the bot sent to this chat in answer."""
        await self.feed(self.message_update(text))
        return self.replies()

    def replies(self) -> list[SendMessage]:
        """Messages to this chat since the last look."""
        mine = self.session.sent(self.chat_id)
        new, self.seen = mine[self.seen :], len(mine)
        return new

    def last_keyboard(self) -> tuple[SendMessage, list[tuple[str, str]]]:
        for call in reversed(self.session.sent(self.chat_id)):
            if isinstance(call.reply_markup, InlineKeyboardMarkup):
                return call, buttons(call.reply_markup)
        raise AssertionError("no message with buttons")

    def callback_update(self, data: str, text: str = "", markup: Any = None) -> Update:
        message = Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=User(id=self.bot.id, is_bot=True, first_name="Zhixin"),
            text=text or "…",
            reply_markup=markup,
        )
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.user,
            chat_instance=str(self.chat_id),
            message=message,
            data=data,
        )
        return Update(update_id=next(_update_ids), callback_query=query)

    async def press(self, label: str) -> list[SendMessage]:
        """Press the button whose text contains ``label`` on the newest keyboard."""
        call, found = self.last_keyboard()
        matches = [data for text, data in found if label in text]
        assert matches, f"no button {label!r} among {[t for t, _ in found]}"
        await self.feed(self.callback_update(matches[0], call.text, call.reply_markup))
        return self.replies()

    async def press_data(self, data: str) -> list[SendMessage]:
        await self.feed(self.callback_update(data))
        return self.replies()

    def answers(self) -> list[AnswerCallbackQuery]:
        return self.session.of(AnswerCallbackQuery)

    def edits(self) -> list[EditMessageText | EditMessageReplyMarkup]:
        return [
            c for c in self.session.calls if isinstance(c, EditMessageText | EditMessageReplyMarkup)
        ]

    def deletions(self) -> list[DeleteMessage]:
        return self.session.of(DeleteMessage)


def texts(calls: list[SendMessage]) -> str:
    return "\n---\n".join(c.text for c in calls)
