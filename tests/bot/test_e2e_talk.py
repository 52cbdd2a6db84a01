"""End to end over the Bot API emulator: what citizens' free text gets, look-ups that
say "no exact match", double taps, and the main actions as buttons (issue 17, points
1, 2, 3, 11), in Chinese and English. One emulator and one bot for the module."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests.support.e2e_rig import Rig, running_bot

pytestmark = [pytest.mark.node, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]
APOLOGIES = ("出了点问题", "went wrong")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(tmp_path_factory):
    async with running_bot(tmp_path_factory.mktemp("e2e_talk")) as rig:
        yield rig


async def no_apology(person) -> None:
    said = " ".join(m.get("text", "") for m in await person.messages())
    assert not any(a in said for a in APOLOGIES), said[-500:]


async def test_zh_start_offers_buttons_and_a_lookup(rig: Rig) -> None:
    wang = rig.person(1001)
    await wang.send("/start")
    menu = await wang.expect("质信")
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert len(labels) == 6
    await wang.press("查企业等级", menu)
    await wang.expect("企业名称")
    await wang.send("澄瑞")
    await wang.expect("苏州澄瑞电子科技有限公司", "AA")


async def test_en_recalls_by_button_and_a_double_tap(rig: Rig) -> None:
    amy = rig.person(1002, "en")
    await amy.send("/start")
    await amy.press("Recalls", await amy.expect("quality-credit"))
    page = await amy.expect("Newest recall notices")
    await amy.press("Older", page)
    await amy.expect_edit(page["message_id"], "Newer", "6.")
    await amy.press("Older", page)  # the stale keyboard pressed again: the same page
    await amy.send("/help")
    await amy.expect("What I can do")
    await no_apology(amy)


async def test_zh_greeting_and_thanks(rig: Rig) -> None:
    li = rig.person(1003)
    await li.send("你好")
    hello = await li.expect("您好")
    assert "没有找到" not in hello["text"] and hello["reply_markup"]["inline_keyboard"]
    await li.send("谢谢")
    await li.expect("不客气")


async def test_en_hello_is_not_a_company_search(rig: Rig) -> None:
    sam = rig.person(1004, "en")
    await sam.send("hello")
    hi = await sam.expect("Hello")
    assert "No company" not in hi["text"] and "Several" not in hi["text"]


async def test_zh_question_about_the_service(rig: Rig) -> None:
    zhao = rig.person(1005)
    await zhao.send("怎么投诉？")
    await zhao.expect("/complain")
    await zhao.send("怎么举报？")
    await zhao.expect("/tip", "匿名")


async def test_en_question_about_tracking(rig: Rig) -> None:
    ann = rig.person(1006, "en")
    await ann.send("How do I track my case?")
    await ann.expect("/track", "tracking number")


async def test_zh_part_of_a_registered_name_is_a_lookup(rig: Rig) -> None:
    qian = rig.person(1007)
    await qian.send("九天揽月科技有限公司")
    card = await qian.expect("南京九天揽月科技有限公司")
    assert "AA" in card["text"] and "这听起来像" not in card["text"]


async def test_en_part_of_a_registered_name_is_a_lookup(rig: Rig) -> None:
    tom = rig.person(1008, "en")
    await tom.send("泰越光伏科技股份")
    card = await tom.expect("常州泰越光伏科技股份有限公司")
    assert "sounds like a complaint" not in card["text"]


async def test_zh_no_exact_match_versus_several(rig: Rig) -> None:
    sun = rig.person(1009)
    await sun.send("/grade 金陵电子机械")
    await sun.expect("没有与“金陵电子机械”完全相符")
    await sun.send("/grade 金陵")
    await sun.expect("有多家企业")


async def test_en_no_exact_match_versus_several(rig: Rig) -> None:
    kim = rig.person(1010, "en")
    await kim.send("/grade 金陵电子机械")
    closest = await kim.expect("No exact match", "closest")
    await kim.press("澄瑞", closest)
    await kim.expect("苏州澄瑞电子科技有限公司", "Recalls:")
    await kim.send("/grade 金陵")
    await kim.expect("Several companies match")


async def test_zh_follow_pressed_twice(rig: Rig) -> None:
    zhou = rig.person(1011)
    await zhou.send("/grade 澄瑞")
    card = await zhou.expect("苏州澄瑞电子科技有限公司")
    await zhou.press("关注", card)
    await zhou.expect_edit(card["message_id"], "取消关注")
    await zhou.press("关注", card)  # the old keyboard, pressed again
    await zhou.send("/help")
    await zhou.expect("/grade")
    await no_apology(zhou)


async def test_en_offer_pressed_twice_gets_a_true_answer(rig: Rig) -> None:
    eve = rig.person(1012, "en")
    await eve.send("我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款。")
    offer = await eve.expect("sounds like a complaint", "Shall I file it?")
    await eve.press("File a complaint", offer)
    await eve.expect("Which company")
    await eve.press("File a complaint", offer)
    await eve.expect_answer("Already started")
    await no_apology(eve)
