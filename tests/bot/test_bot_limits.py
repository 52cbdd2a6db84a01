"""Pure pieces of the bot: Telegram's rate limits with a fake clock, splitting long HTML
messages, the per-user throttle and the API error guard."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter
from aiogram.methods import GetUpdates, SendMessage

from bot.api_guard import ApiGuard, LongMessages
from bot.markup import LIMIT, quote, split_html
from bot.middlewares import Throttle
from bot.ratelimit import SendLimiter, TokenBucket
from tests.support.fake_telegram import RecordingSession, make_bot


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    assert [bucket.allow(0.0) for _ in range(4)] == [True, True, True, False]
    assert not bucket.allow(0.4)
    assert bucket.allow(0.5)  # one token back after 1/rate seconds


async def test_one_message_a_second_per_chat() -> None:
    clock = FakeClock()
    limiter = SendLimiter(clock=clock, sleep=clock.sleep)
    sent_at = []
    for _ in range(5):
        await limiter.wait(42)
        sent_at.append(clock.now)
    assert sent_at == [0.0, 1.0, 2.0, 3.0, 4.0]


async def test_thirty_messages_a_second_overall() -> None:
    clock = FakeClock()
    limiter = SendLimiter(clock=clock, sleep=clock.sleep)
    sent_at = []
    for chat in range(1, 121):  # 120 different chats
        await limiter.wait(chat)
        sent_at.append(clock.now)
    # never more than 30 in any one-second window, and no idling beyond that
    for i in range(len(sent_at) - 30):
        assert sent_at[i + 30] - sent_at[i] >= 1.0 - 1e-9
    assert sent_at[-1] == pytest.approx(119 / 30)


async def test_groups_get_twenty_a_minute_and_flood_waits_pause_everything() -> None:
    clock = FakeClock()
    limiter = SendLimiter(clock=clock, sleep=clock.sleep)
    await limiter.wait(-100)
    await limiter.wait(-100)
    assert clock.now == pytest.approx(3.0)
    limiter.pause(10)
    await limiter.wait(7)
    assert clock.now == pytest.approx(13.0)


def test_short_messages_are_left_alone() -> None:
    assert split_html("<b>hi</b>") == ["<b>hi</b>"]


def test_long_messages_split_at_lines_and_keep_tags_balanced() -> None:
    line = "<b>第一行</b> " + quote("a < b & c") * 40 + "\n"
    text = line * 60
    parts = split_html(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-16-le")) // 2 <= LIMIT for p in parts)
    assert "".join(p + "\n" for p in parts) == text  # cut only at line ends
    for part in parts:
        assert part.count("<b>") == part.count("</b>")


def test_a_single_huge_line_is_cut_outside_tags_and_entities() -> None:
    text = "<i>" + "&amp;字" * 3000 + "</i>"
    parts = split_html(text, limit=1000)
    assert len(parts) >= 9
    for part in parts:
        assert len(part) <= 1000
        assert part.startswith("<i>") and part.endswith("</i>")
        body = part[3:-4].replace("&amp;", "")
        assert "&" not in body and "amp;" not in body  # no entity broken in two


async def test_long_messages_go_out_in_parts_with_the_keyboard_last() -> None:
    session = RecordingSession()
    session.middleware(LongMessages())
    bot = make_bot(session)
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="x")]]
    )
    await bot.send_message(1, ("行" * 100 + "\n") * 100, reply_markup=keyboard)
    sent = session.sent(1)
    assert len(sent) == 3
    assert [s.reply_markup for s in sent] == [None, None, keyboard]


async def test_throttle_lets_a_burst_through_then_drops() -> None:
    clock = FakeClock()
    throttle = Throttle(rate=1.0, burst=3, clock=clock)
    assert [await throttle.allowed(7) for _ in range(4)] == [True, True, True, False]
    assert await throttle.allowed(8)  # per user
    clock.now += 1.0
    assert await throttle.allowed(7)


async def test_guard_retries_flood_waits_and_network_faults() -> None:
    clock = FakeClock()
    session = RecordingSession()
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    session.middleware(ApiGuard(on_blocked, sleep=clock.sleep))
    bot = make_bot(session)
    method = SendMessage(chat_id=5, text="x")
    session.fail(
        SendMessage,
        TelegramRetryAfter(method, "flood", retry_after=7),
        TelegramNetworkError(method, "reset"),
    )
    await bot.send_message(5, "hello")
    assert clock.slept == [7, 1.0]
    assert len(session.sent(5)) == 3  # two failures, then delivered

    session.fail(SendMessage, *(TelegramNetworkError(method, "down") for _ in range(3)))
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(5, "hello")

    session.fail(SendMessage, TelegramForbiddenError(method, "bot was blocked by the user"))
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(5, "hello")
    assert blocked == [5]

    # a flood wait longer than the guard will sit through is left to the caller
    session.fail(SendMessage, TelegramRetryAfter(method, "flood", retry_after=3600))
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(5, "hello")

    # polling has its own backoff
    session.fail(GetUpdates, TelegramNetworkError(GetUpdates(), "down"))
    with pytest.raises(TelegramNetworkError):
        await bot(GetUpdates())
