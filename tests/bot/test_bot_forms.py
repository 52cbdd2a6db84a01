"""Forms that expire and forgive (issue 17, points 4 and 7): an unfinished form closes
after 30 minutes; another command closes it and runs; every step checks its answer; a
long description may come in parts; "reach me in Telegram" needs a username."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.filing import Filing
from complaints.models import Case
from tests.support.bot_world import make_world
from tests.support.fake_telegram import buttons, texts

COMPLAINT = "我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款，要求退款赔偿。"


@pytest.fixture
async def world(services):
    return await make_world(services)


def key(world, person) -> StorageKey:
    return StorageKey(bot_id=world.bot.id, chat_id=person.chat_id, user_id=person.user.id)


async def cases(services) -> list[Case]:
    async with services.sessions() as s:
        return list(await s.scalars(select(Case).order_by(Case.id)))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_an_unfinished_form_expires(world) -> None:
    person = world.person(400)
    await person.send("/complain")
    await person.send(COMPLAINT)
    storage = world.dp.storage
    assert await storage.get_state(key(world, person)) == Filing.company.state
    data = await storage.get_data(key(world, person))
    await storage.update_data(key(world, person), {"at": data["at"] - 31 * 60})
    # half an hour later the name is a look-up, not the old form's answer
    answers = await person.send("澄瑞电子")
    assert "30 分钟" in answers[0].text and "没有提交" in answers[0].text
    assert "苏州澄瑞电子科技有限公司" in answers[1].text
    assert await storage.get_state(key(world, person)) is None


async def test_a_command_closes_the_form_and_runs(world, services) -> None:
    person = world.person(401, "en")
    await person.send("/complain")
    await person.send(COMPLAINT)
    closed, ask = await person.send("/grade")
    assert "unfinished complaint was closed" in closed.text
    assert "company's name" in ask.text
    [card] = await person.send("澄瑞")  # the look-up, never the form's company
    assert "苏州澄瑞电子科技有限公司" in card.text
    # /help leaves a form open
    await person.send("/tip")
    [help_text] = await person.send("/help")
    assert "What I can do" in help_text.text and "closed" not in help_text.text
    [asked] = await person.send("A factory in Wuxi pours waste dye into the river at night.")
    assert "Which company" in asked.text
    assert await cases(services) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_each_step_checks_its_answer(world) -> None:
    person = world.person(402)
    await person.send("/complain")
    [refused] = await person.send("13800138000")
    assert "电话号码" in refused.text and "描述" in refused.text
    [ask] = await person.send("买的电热水壶用了两天就漏电，商家不给退货，要求退款。")
    assert "企业" in ask.text
    [refused] = await person.send("13800138000")
    assert "不是企业名称" in refused.text
    found, ask = await person.send("就是南京金陵食品有限公司卖的，在新街口那家店，东西很差。")
    assert "南京金陵食品有限公司" in found.text and "一句话" in found.text
    assert any("南京金陵食品有限公司" in t for t, _ in buttons(ask.reply_markup))
    [city] = await person.press("南京金陵食品有限公司")
    assert "城市" in city.text
    [refused] = await person.send("13800138000")
    assert "不是地点" in refused.text
    [contact] = await person.send("我是在苏州的一家超市里买的")
    assert "联系" in contact.text  # the city was found in the sentence
    [summary] = await person.send("wang@example.com")
    assert "苏州市" in summary.text and "wang@example.com" in summary.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_long_description_arrives_in_parts(world, services) -> None:
    person = world.person(403, "en")
    await person.send("/complain")
    first = "The washing machine leaks and the shop refuses a refund. " * 70  # ~4,000 chars
    [more] = await person.send(first[:4096])
    assert "Send the rest" in more.text
    [ask] = await person.send("The last part: I want my money back.")
    assert "Which company" in ask.text
    await person.press("No particular company")
    await person.press("Skip")
    await person.send("13800138000")
    await person.press("Send")
    [case] = await cases(services)
    assert case.text.startswith("The washing machine") and case.text.endswith("money back.")

    # a long part waits for the next one, or for "That is all"
    other = world.person(404, "en")
    await other.send("/tip")
    await other.send(first[:4096])
    [ask] = await other.press("That is all")
    assert "Which company" in ask.text


async def test_telegram_contact_needs_a_username(world, services) -> None:
    nameless = world.person(405)
    await nameless.send("/complain")
    await nameless.send(COMPLAINT)
    await nameless.press("南京金陵食品有限公司")
    await nameless.press("南京")
    [ask] = await nameless.press("Telegram")
    assert "用户名" in ask.text and "电话" in ask.text
    [summary] = await nameless.send("025-88886666")
    assert "025-88886666" in summary.text and "Telegram" not in summary.text

    named = world.person(406, username="wang_citizen")
    await named.send("/complain")
    await named.send(COMPLAINT)
    await named.press("南京金陵食品有限公司")
    await named.press("南京")
    [summary] = await named.press("Telegram")
    assert "Telegram @wang_citizen" in summary.text
    await named.press("提交")
    await nameless.press("提交")
    assert "id 405" not in texts(nameless.replies())
    assert len(await cases(services)) == 2
