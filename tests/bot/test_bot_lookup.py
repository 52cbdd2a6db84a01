"""The bot's read side, fed real updates through the dispatcher on both backends:
/start and /help, grade lookup (commands, buttons, free text), recalls with paging,
subscriptions, the language choice, escaping, throttling and the error handler."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import EditMessageText
from sqlalchemy import select

from bot.keyboards import SubscriptionCb
from bot.models import BotUser, Subscription
from bot.runner import build_dispatcher
from tests.support.bot_world import make_world
from tests.support.fake_telegram import buttons, texts


@pytest.fixture
async def world(services):
    return await make_world(services)


async def test_start_speaks_the_telegram_language(world) -> None:
    zh = world.person(1, "zh-hans")
    reply = texts(await zh.send("/start"))
    assert "/grade" in reply and "/complain" in reply
    assert "质信" in reply and "投诉" in reply

    en = world.person(2, "en-GB")
    reply = texts(await en.send("/start"))
    assert "quality-credit" in reply and "/complain" in reply
    assert "投诉" not in reply

    # a code the catalogue does not have falls back to Chinese
    other = world.person(3, "ru")
    assert "投诉" in texts(await other.send("/help"))


async def test_grade_by_partial_name_shows_the_card(world) -> None:
    person = world.person(10)
    [reply] = await person.send("/grade 澄瑞")
    assert "苏州澄瑞电子科技有限公司" in reply.text
    assert "<b>AA</b>" in reply.text
    assert world.codes["chengrui"] in reply.text
    labels = [t for t, _ in buttons(reply.reply_markup)]
    assert any("关注" in t for t in labels)  # follow this company


async def test_ambiguous_name_offers_candidates_as_buttons(world) -> None:
    person = world.person(11, "en")
    [reply] = await person.send("/grade 金陵")
    names = [t for t, _ in buttons(reply.reply_markup)]
    assert len(names) >= 2
    assert any("南京金陵食品有限公司" in n for n in names)
    [card] = await person.press("南京金陵食品有限公司")
    assert "<b>B</b>" in card.text
    assert "Recalls: 4" in card.text
    # the company's recalls are one press away
    [listing] = await person.press("Recalls of this company")
    assert listing.text.count("召回") >= 4


async def test_unknown_name_and_user_text_is_escaped(world) -> None:
    person = world.person(12, "en")
    [reply] = await person.send("/grade <b>Nope & Co</b>")
    assert "&lt;b&gt;Nope &amp; Co&lt;/b&gt;" in reply.text
    assert "No company found" in reply.text


async def test_free_text_company_name_gets_its_grade(world) -> None:
    person = world.person(13)
    [reply] = await person.send("澄瑞电子")
    assert "苏州澄瑞电子科技有限公司" in reply.text and "AA" in reply.text


async def test_follow_a_company_from_its_card(world, services) -> None:
    person = world.person(14, "en")
    await person.send("/grade 澄瑞")
    await person.press("Follow this company")
    async with services.sessions() as s:
        subs = list(await s.scalars(select(Subscription).where(Subscription.chat_id == 14)))
    assert [(x.kind, x.target) for x in subs] == [("enterprise", world.codes["chengrui"])]
    assert "hear about this company" in person.answers()[-1].text


async def test_recalls_are_paged_with_buttons(world) -> None:
    person = world.person(20, "en")
    [first] = await person.send("/recalls")
    labels = [t for t, _ in buttons(first.reply_markup)]
    assert labels[:5] == ["1", "2", "3", "4", "5"]
    assert any("Older" in t for t in labels) and not any("Newer" in t for t in labels)
    assert "第1批" in first.text  # newest first

    await person.press("Older")
    edit = person.session.of(EditMessageText)[-1]
    labels = [t for t, _ in buttons(edit.reply_markup)]
    assert labels[:2] == ["6", "7"] and any("Newer" in t for t in labels)
    assert "第6批" in edit.text and "第1批" not in edit.text

    [card] = await person.press_data(buttons(edit.reply_markup)[0][1])
    assert "JS-TEST-005" in card.text and "Defect" in card.text


async def test_recalls_by_keyword(world) -> None:
    person = world.person(21)
    [reply] = await person.send("/recalls 水壶")
    assert "电热水壶" in reply.text and "速冻水饺" not in reply.text
    [none] = await person.send("/recalls 不存在的产品")
    assert "不存在的产品" in none.text and none.reply_markup is None


async def test_subscribe_and_unsubscribe_categories(world, services) -> None:
    person = world.person(30, "en")
    [menu] = await person.send("/subscribe")
    assert len(buttons(menu.reply_markup)) == 6
    await person.press("Food")
    await person.press_data(SubscriptionCb(action="on", target="drug", view="cats").pack())
    async with services.sessions() as s:
        targets = set(
            await s.scalars(select(Subscription.target).where(Subscription.chat_id == 30))
        )
    assert targets == {"food", "drug"}

    [listing] = await person.send("/unsubscribe")
    labels = [t for t, _ in buttons(listing.reply_markup)]
    assert any("Food" in t for t in labels) and any("Stop all" in t for t in labels)
    await person.press("Stop all")
    async with services.sessions() as s:
        assert not list(await s.scalars(select(Subscription).where(Subscription.chat_id == 30)))

    [bad] = await person.press_data(SubscriptionCb(action="on", target="weapons").pack()) or [None]
    assert bad is None and "Unknown category" in person.answers()[-1].text


async def test_language_choice_is_remembered(world, services) -> None:
    person = world.person(40, "zh-hans")
    [menu] = await person.send("/language")
    assert [t for t, _ in buttons(menu.reply_markup)] == ["简体中文", "English"]
    await person.press("English")
    assert "English" in person.edits()[-1].text
    # the choice wins over the Telegram client's language from now on
    assert "What I can do" in texts(await person.send("/help"))
    async with services.sessions() as s:
        user = await s.get(BotUser, 40)
        assert user is not None and user.lang == "en" and user.lang_chosen
    await person.press_data("lang:zh")
    assert "投诉" in texts(await person.send("/help"))


async def test_too_fast_gets_one_polite_notice(world, services) -> None:
    world.dp = build_dispatcher(services, MemoryStorage())  # the real limits
    person = world.person(50, "en")
    for _ in range(15):
        await person.feed(person.message_update("/help"))
    replies = texts(person.replies())
    assert replies.count("too quickly") == 1
    assert replies.count("What I can do") < 15


async def test_the_same_update_twice_is_handled_once(world) -> None:
    person = world.person(51, "en")
    update = person.message_update("/help")
    await person.feed(update)
    await person.feed(update)
    assert len(person.replies()) == 1


async def test_a_failing_handler_gets_an_apology_not_a_crash(world, services, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("router down")

    monkeypatch.setattr(services.router, "route", broken)
    person = world.person(52, "en")
    reply = texts(await person.send("My kettle leaks and the shop refuses to refund it."))
    assert "something went wrong" in reply
    # and the next update is served normally
    assert "What I can do" in texts(await person.send("/help"))


async def test_start_announces_the_running_campaign(world, monkeypatch) -> None:
    from datetime import date

    from bot.handlers import start

    monkeypatch.setattr(start, "campaign_today", lambda: date(2026, 9, 10))
    reply = texts(await world.person(60, "zh-hans").send("/start"))
    assert "📣" in reply and "质量月" in reply
    reply = texts(await world.person(61, "en").send("/start"))
    assert "📣" in reply and "Quality Month" in reply

    monkeypatch.setattr(start, "campaign_today", lambda: date(2026, 11, 30))
    assert "📣" not in texts(await world.person(62).send("/start"))
