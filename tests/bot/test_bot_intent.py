"""What free text means and what it gets (issue 17, points 1, 2, 3, 10, 11): greetings
and questions get help, a registered firm's name a look-up, only complaint or tip cues
an offer; "no exact match" versus real ambiguity; double taps answered quietly; the
department's scope on request; the main actions as buttons and per-language menus."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageReplyMarkup, EditMessageText, SetMyCommands

from bot.intent import classify
from bot.middlewares import make_i18n
from bot.runner import set_commands
from tests.support.bot_world import make_world
from tests.support.fake_telegram import buttons, make_bot, texts

COMPLAINT = "我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款，要求退款赔偿。"


@pytest.fixture
async def world(services):
    return await make_world(services)


def not_modified(method: type) -> TelegramBadRequest:
    return TelegramBadRequest(
        method=method.model_construct(),  # type: ignore[attr-defined]
        message="Bad Request: message is not modified: specified new message content and "
        "reply markup are exactly the same as a current content and reply markup",
    )


@pytest.mark.parametrize(
    ("text", "score", "routed", "kind"),
    [
        ("你好", 0, "inquiry", "greeting"),
        ("hello!", 0, "inquiry", "greeting"),
        ("你好啊", 0, "inquiry", "greeting"),
        ("hi there", 0, "inquiry", "greeting"),
        ("谢谢", 0, "inquiry", "thanks"),
        ("怎么投诉？", 0, "inquiry", "question"),
        ("How do I track my case?", 0, "inquiry", "question"),
        ("九天揽月科技有限公司", 65, "complaint", "lookup"),
        ("泰越光伏科技股份", 60, "complaint", "lookup"),
        ("南京金陵食品有限公司卖的水饺过期了，要求退款", 80, "complaint", "complaint"),
        ("某厂偷偷用地沟油生产，请查处", 0, "tip", "tip"),
        ("今天天气不错，我们去公园散步吧", 0, "inquiry", "unknown"),
    ],
)
def test_classify(text: str, score: float, routed: str, kind: str) -> None:
    assert classify(text, score, routed).kind == kind


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_greetings_and_questions_get_help_not_a_search(world) -> None:
    zh, en = world.person(300), world.person(301, "en")
    [hello] = await zh.send("你好")
    assert "企业名称" in hello.text and "没有找到" not in hello.text
    assert "投诉" in " ".join(t for t, _ in buttons(hello.reply_markup))
    [hi] = await en.send("hello")
    assert "company's name" in hi.text and "No company" not in hi.text
    [how] = await zh.send("怎么投诉？")
    assert "/complain" in how.text
    [how_en] = await en.send("How can I report a violation anonymously?")
    assert "/tip" in how_en.text and "anonymous" in how_en.text
    [thanks] = await zh.send("谢谢")
    assert "不客气" in thanks.text


async def test_part_of_a_registered_name_is_looked_up(world) -> None:
    person = world.person(302)
    [card] = await person.send("九天揽月科技有限公司")
    assert "南京九天揽月科技有限公司" in card.text and "AA" in card.text
    assert card.text.startswith("🏭")  # a card, not an offer to file a complaint
    [card] = await person.send("泰越光伏科技股份")
    assert "常州泰越光伏科技股份有限公司" in card.text
    [offer] = await person.send(COMPLAINT)
    assert "投诉" in offer.text and "食品药品" in offer.text


async def test_no_exact_match_is_not_called_ambiguity(world) -> None:
    person = world.person(303, "en")
    [weak] = await person.send("/grade 金陵电子机械")
    assert "No exact match" in weak.text and "closest" in weak.text
    assert "Several companies match" not in weak.text
    [real] = await person.send("/grade 金陵")
    assert "Several companies match" in real.text
    names = [t for t, _ in buttons(real.reply_markup)]
    assert any("金陵食品" in n for n in names) and any("金陵乳业" in n for n in names)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_double_taps_get_no_apology(world) -> None:
    person = world.person(304)
    # recall paging pressed twice: Telegram refuses the second, identical edit
    await person.send("/recalls")
    world.session.fail(EditMessageText, not_modified(EditMessageText))
    await person.press("较早")
    # following a company twice: the same keyboard again
    await person.send("/grade 澄瑞")
    world.session.fail(EditMessageReplyMarkup, not_modified(EditMessageReplyMarkup))
    await person.press("关注")
    sent = texts(person.replies())
    assert "出了点问题" not in sent

    # the free-text offer pressed twice: the second press is told the truth
    await person.send(COMPLAINT)
    offer, found = person.last_keyboard()
    data = next(d for t, d in found if "offer:complaint" in d)
    await person.feed(person.callback_update(data, offer.text, offer.reply_markup))
    await person.feed(person.callback_update(data, offer.text, offer.reply_markup))
    assert "已经开始" in person.answers()[-1].text
    assert "出了点问题" not in texts(person.replies())


async def test_department_is_named_and_explained(world) -> None:
    person = world.person(305)
    await person.send("/complain")
    await person.send(COMPLAINT)
    await person.press("南京金陵食品有限公司")
    await person.press("南京")
    [summary] = await person.send("13800138000")
    assert (
        "承办部门：<b>市场监督管理局（食品药品）</b>" in summary.text or "承办部门" in summary.text
    )
    for word in ("shiyaojian", "weight", "权重", "0."):
        assert word not in summary.text
    [scope] = await person.press("这个部门管什么")
    assert "负责" in scope.text and "食品" in scope.text


async def test_start_offers_the_main_actions_as_buttons(world) -> None:
    person = world.person(306, "en")
    [hello] = await person.send("/start")
    labels = [t for t, _ in buttons(hello.reply_markup)]
    assert len(labels) == 6 and any("complaint" in t for t in labels)
    [ask] = await person.press("Report a violation")
    assert "Report a violation" in ask.text
    await person.send("/start")
    [listing] = await person.press("Recalls")
    assert "Newest recall notices" in listing.text
    await person.send("/start")
    [ask] = await person.press("Company grade")
    [card] = await person.send("澄瑞")
    assert "苏州澄瑞电子科技有限公司" in card.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_command_menu_is_set_per_language(world) -> None:
    bot = make_bot()
    await set_commands(bot, make_i18n())
    calls = bot.session.of(SetMyCommands)
    by_lang = {c.language_code: {x.command: x.description for x in c.commands} for c in calls}
    assert set(by_lang) == {None, "zh", "en"}
    assert by_lang["zh"]["complain"] != by_lang["en"]["complain"]
    assert "cancel" in by_lang["en"] and "tip" in by_lang["zh"]
