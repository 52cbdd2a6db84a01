"""End to end over the Bot API emulator: forms that forgive, contacts that work, the
split-off tip, the department explained, and an anonymous tip's second press (issue 17,
points 4, 6, 7, 10; issue 15, point 1), in Chinese and English."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests.support.e2e_rig import Rig, number_in, running_bot

pytestmark = [pytest.mark.node, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]
COMPLAINT = "我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款，要求退款。"
MIXED = "我买的电视坏了商家不给退货，要求退款。另外我举报这家店销售假冒名牌商品。"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(tmp_path_factory):
    async with running_bot(tmp_path_factory.mktemp("e2e_forms")) as rig:
        yield rig


async def test_zh_a_command_closes_the_form(rig: Rig) -> None:
    wu = rig.person(2001)
    await wu.send("/complain")
    await wu.expect("描述")
    await wu.send(COMPLAINT)
    await wu.expect("企业")
    await wu.send("/grade")
    await wu.expect("未填完的投诉已关闭")
    await wu.expect("企业名称")
    await wu.send("澄瑞")
    await wu.expect("苏州澄瑞电子科技有限公司", "AA")


async def test_en_each_step_checks_its_answer(rig: Rig) -> None:
    bob = rig.person(2002, "en")
    await bob.send("/tip")
    await bob.expect("Report a violation")
    await bob.send("13800138000")
    await bob.expect("looks like a phone number", "describe the problem")
    await bob.send("南京金陵乳业有限公司的车间用过期原料生产酸奶，还篡改生产日期，请查处。")
    await bob.expect("Which company")
    await bob.send(
        "It is the big dairy, 南京金陵乳业有限公司, near the river; they do it at night."
    )
    await bob.expect("reads like a sentence", "南京金陵乳业有限公司")
    await bob.press("南京金陵乳业有限公司", await bob.expect("registered companies"))
    await bob.expect("which city")
    await bob.send("13800138000")
    await bob.expect("not a place")
    await bob.send("It happened in Nanjing, by the river.")
    await bob.expect("anonymous")


async def test_zh_a_long_description_in_two_parts(rig: Rig) -> None:
    zheng = rig.person(2003)
    await zheng.send("/complain")
    await zheng.expect("描述")
    part = "我买的洗衣机漏水，商家拒绝退款，客服一直推脱。" * 170  # ~3,900 characters
    await zheng.send(part[:4096])
    await zheng.expect("较长", "剩余部分")
    await zheng.send("最后：我要求全额退款。")
    await zheng.press("不涉及具体企业", await zheng.expect("企业"))
    await zheng.press("跳过", await zheng.expect("城市"))
    await zheng.send("13900139000")
    await zheng.press("提交", await zheng.expect("承办部门"))
    receipt = await zheng.expect("受理编号")
    case = await rig.case(number_in(receipt, "受理编号"))
    assert case.text.endswith("我要求全额退款。") and len(case.text) > 3900


async def test_en_reach_me_in_telegram_without_a_username(rig: Rig) -> None:
    noname = rig.person(2004, "en", username=None)
    await noname.send("/complain")
    await noname.send(COMPLAINT)
    await noname.press("南京金陵食品有限公司", await noname.expect("Which company"))
    await noname.press("Nanjing", await noname.expect("which city"))
    await noname.press("Telegram", await noname.expect("reach you"))
    await noname.expect("no username", "phone number or an e-mail")
    await noname.send("noname@example.com")
    summary = await noname.expect("Contact: noname@example.com")
    assert "Telegram id" not in summary["text"]


async def test_zh_reach_me_in_telegram_without_a_username(rig: Rig) -> None:
    wei = rig.person(2005, username=None)
    await wei.send("/complain")
    await wei.send(COMPLAINT)
    await wei.press("南京金陵食品有限公司", await wei.expect("企业"))
    await wei.press("南京", await wei.expect("城市"))
    await wei.press("Telegram", await wei.expect("联系"))
    await wei.expect("没有设置用户名", "电话")
    await wei.send("025-88886666")
    await wei.press("提交", await wei.expect("025-88886666"))
    receipt = await wei.expect("受理编号")
    case = await rig.case(number_in(receipt, "受理编号"))
    assert case.bot_chat_id == 2005


async def test_zh_the_split_off_tip_gets_the_same_treatment(rig: Rig) -> None:
    he = rig.person(2006)
    await he.send("/complain")
    await he.send(MIXED)
    await he.press("不涉及具体企业", await he.expect("企业"))
    await he.press("南京", await he.expect("城市"))
    await he.send("13800138000")
    await he.press("提交", await he.expect("承办部门"))
    receipt = await he.expect("受理编号", "另立一件", "同一个查询码")
    tip_no = receipt["text"].split("另立一件：<code>")[1].split("</code>")[0]
    await he.send(f"/track {tip_no}")
    await he.expect(tip_no, "状态")
    await rig.desk(tip_no, "accept")
    await he.expect(tip_no, "已受理")


async def test_en_the_split_off_tip_gets_the_same_treatment(rig: Rig) -> None:
    joe = rig.person(2007, "en")
    await joe.send("/complain")
    await joe.send(MIXED)
    await joe.press("No particular company", await joe.expect("Which company"))
    await joe.press("Skip", await joe.expect("which city"))
    await joe.send("13800138001")
    await joe.press("Send", await joe.expect("Department:"))
    receipt = await joe.expect("Tracking number", "filed a second time", "same access code")
    tip_no = receipt["text"].split("second time: <code>")[1].split("</code>")[0]
    assert receipt["text"].count("must decide on it by") == 2
    await joe.send(f"/track {tip_no}")
    status = await joe.expect(tip_no, "Status:")
    assert "access code" not in status["text"]


async def test_zh_department_named_and_explained(rig: Rig) -> None:
    lu = rig.person(2008)
    await lu.send("/complain")
    await lu.send(COMPLAINT)
    await lu.press("南京金陵食品有限公司", await lu.expect("企业"))
    await lu.press("南京", await lu.expect("城市"))
    await lu.send("13800138000")
    summary = await lu.expect("承办部门", "依据")
    for word in ("shiyaojian", "weight", "权重"):
        assert word not in summary["text"]
    await lu.press("这个部门管什么", summary)
    await lu.expect("负责", "食品")


async def test_en_department_named_and_explained(rig: Rig) -> None:
    max_ = rig.person(2009, "en")
    await max_.send("/tip")
    await max_.send("无锡宏达机械制造有限公司生产的电梯经常困人，维保记录造假，请查处。")
    await max_.press("No particular company", await max_.expect("Which company"))
    await max_.press("Skip", await max_.expect("which city"))
    await max_.press("anonymous", await max_.expect("anonymous"))
    summary = await max_.expect("Department:", "Why:")
    assert "zhijian" not in summary["text"]
    await max_.press("What does this department handle?", summary)
    await max_.expect("handles:", "elevators")


async def test_en_anonymous_tip_pressed_twice(rig: Rig) -> None:
    ivy = rig.person(2010, "en", username="ivy_tips")
    await ivy.send("/tip")
    await ivy.send("南京金陵乳业有限公司的车间用过期原料生产酸奶，还篡改生产日期，请查处。")
    await ivy.press("南京金陵乳业有限公司", await ivy.expect("Which company"))
    await ivy.press("Skip", await ivy.expect("which city"))
    await ivy.press("Stay anonymous", await ivy.expect("anonymous"))
    summary = await ivy.expect("Contact: anonymous")
    await ivy.press("Send", summary)
    receipt = await ivy.expect("Tracking number", "Access code")
    number = number_in(receipt, "Tracking number")
    await ivy.press("Send", summary)
    await ivy.expect_answer(f"Already sent: tracking number {number}")
    case = await rig.case(number)
    assert case.anonymous and case.bot_chat_id is None
    assert "2010" not in case.idempotency_key and "ivy" not in case.idempotency_key
