"""With ``ZHIXIN_REDIS_URL`` set, conversations, recall paging, update de-duplication and
throttling live in Redis: a second bot process (a restart) carries on where the first
stopped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.middlewares import Throttle
from bot.runner import build_dispatcher, make_storage
from complaints.models import Case
from infra.settings import Settings
from tests.conftest import REDIS_URL, need_redis
from tests.support.bot_world import seed
from tests.support.fake_telegram import Person, buttons, make_bot, texts


@pytest.fixture
async def storages():
    need_redis()
    made = []

    def make():
        storage = make_storage(Settings(redis_url=REDIS_URL))
        made.append(storage)
        return storage

    first = make()
    async for key in first.redis.scan_iter("zhixin:*"):
        await first.redis.delete(key)
    yield make
    async for key in first.redis.scan_iter("zhixin:*"):
        await first.redis.delete(key)
    for storage in made:
        await storage.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_restarted_bot_carries_on_the_conversation(services, storages) -> None:
    await seed(services)
    bot = make_bot()

    def dispatcher():
        return build_dispatcher(services, storages(), throttle=Throttle(rate=100, burst=100))

    before = Person(dispatcher(), bot, 700)
    await before.send("/complain")
    [ask] = await before.send("我在南京金陵食品有限公司买的速冻水饺发霉了，要求退款赔偿损失。")
    assert "企业" in ask.text
    await before.send("/recalls")

    after = Person(dispatcher(), bot, 700)  # another process, same Redis
    after.seen = before.seen
    company = [d for t, d in buttons(ask.reply_markup) if "南京金陵食品有限公司" in t]
    [city] = await after.press_data(company[0])
    assert "城市" in city.text
    await after.press("南京")
    await after.send("13800138000")
    [receipt] = await after.press("提交")
    async with services.sessions() as s:
        [case] = list(await s.scalars(select(Case)))
    assert case.tracking_no in receipt.text

    # the recall listing opened before the restart still pages
    listing = next(c for c in bot.session.sent(700) if "最新召回公告" in c.text)
    older = [d for t, d in buttons(listing.reply_markup) if "较早" in t]
    await after.press_data(older[0])
    assert "第6批" in bot.session.calls[-1].text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_duplicates_and_floods_are_caught_across_processes(services, storages) -> None:
    bot = make_bot()
    one = Person(build_dispatcher(services, storages()), bot, 701, "en")
    two = Person(build_dispatcher(services, storages()), bot, 701, "en")
    update = one.message_update("/help")
    await one.feed(update)
    await two.feed(update)
    assert len(one.replies()) == 1
    for i in range(30):
        await (one if i % 2 else two).feed(one.message_update("/help"))
    replies = texts(one.replies())
    assert "too quickly" in replies and replies.count("What I can do") < 30
