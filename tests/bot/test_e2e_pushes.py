"""End to end over the Bot API emulator: pushes rendered from their event, one rating
request per case, the resolve note, alerts that say why, and dates in China time (issue
17, points 8 and 9), in Chinese and English."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
import pytest_asyncio

from bot.models import BotCursor
from disclosure.models import RecallNotice
from tests.support.e2e_rig import Rig, number_in, running_bot

pytestmark = [pytest.mark.node, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]
COMPLAINT = "我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款，要求退款。"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rig(tmp_path_factory):
    async with running_bot(tmp_path_factory.mktemp("e2e_pushes")) as rig:
        yield rig


async def file_complaint(person, zh: bool) -> str:
    await person.send("/complain")
    await person.send(COMPLAINT)
    await person.press("南京金陵食品有限公司", await person.expect("企业" if zh else "company"))
    await person.press("南京" if zh else "Nanjing", await person.expect("城市" if zh else "city"))
    await person.send("13800138000")
    await person.press("提交" if zh else "Send", await person.expect("承办部门" if zh else "Why:"))
    receipt = await person.expect("受理编号" if zh else "Tracking number")
    return number_in(receipt, "受理编号" if zh else "Tracking number")


async def rating_requests(person) -> int:
    return sum(
        1
        for m in await person.messages()
        if "★★★★★" in str((m.get("reply_markup") or {}).get("inline_keyboard", ""))
    )


async def test_zh_pushes_tell_their_own_event(rig: Rig) -> None:
    chen = rig.person(3001)
    number = await file_complaint(chen, zh=True)
    # accepted, resolved with a note and closed within a second
    await rig.desk(number, "accept")
    await rig.desk(number, "resolve", outcome="mediated", note="商家拒不赔偿，建议向法院起诉。")
    await rig.desk(number, "close")
    accepted = await chen.expect(number, "已受理")
    assert "已办结" not in accepted["text"] and not accepted.get("reply_markup")
    resolved = await chen.expect(number, "建议向法院起诉")
    assert "满意" in resolved["text"]
    closed = await chen.expect(number, "已归档")
    assert not closed.get("reply_markup")
    assert await rating_requests(chen) == 1
    await chen.press("★★★★★", resolved)
    await chen.expect("感谢")


async def test_en_pushes_tell_their_own_event(rig: Rig) -> None:
    ada = rig.person(3002, "en")
    number = await file_complaint(ada, zh=False)
    await rig.desk(number, "accept")
    await rig.desk(number, "resolve", outcome="refunded", amount_yuan="58", note="Refund paid.")
    accepted = await ada.expect(number, "Accepted")
    assert "Resolved" not in accepted["text"]
    resolved = await ada.expect("Status: <b>Resolved</b>", "Refund paid.", "¥58.00")
    assert "How satisfied" in resolved["text"]
    assert await rating_requests(ada) == 1


async def courier_ready(rig: Rig) -> None:
    """Wait until the courier has marked where recall news starts."""
    for _ in range(600):
        async with rig.services.sessions() as s:
            if await s.get(BotCursor, "recalls") is not None:
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the recall courier never looked")


async def publish_recall(rig: Rig, number: str) -> None:
    async with rig.services.sessions() as s:
        s.add(
            RecallNotice(
                recall_no=number,
                title="关于召回金陵牌汤圆的公告",
                product="汤圆",
                category="food",
                producer_uscc=rig.codes["jinling_food"],
                producer="南京金陵食品有限公司",
                reason="标签未标示过敏原",
                remedy="退货退款",
                start_date=date.today(),
                published=date.today(),
            )
        )
        await s.commit()


async def test_alerts_say_why_with_the_fitting_button(rig: Rig) -> None:
    follower, reader = rig.person(3003), rig.person(3004, "en")
    await follower.send("/grade 金陵食品")
    card = await follower.expect("南京金陵食品有限公司")
    await follower.press("关注", card)
    await follower.expect_edit(card["message_id"], "取消关注")
    await reader.send("/subscribe")
    await reader.press("Food", await reader.expect("recall categories"))
    await reader.expect_answer("Alerts on for Food recalls")
    await courier_ready(rig)
    await publish_recall(rig, "JS-E2E-WHY")
    mine = await follower.expect("JS-E2E-WHY", "因为您关注了南京金陵食品有限公司")
    assert "取消关注" in str(mine["reply_markup"])
    theirs = await reader.expect("JS-E2E-WHY", "because you asked for Food recall alerts")
    assert "Stop Food alerts" in str(theirs["reply_markup"])
    await follower.press("取消关注", mine)
    await follower.expect_answer("取消关注该企业")


async def backdate(rig: Rig, number: str) -> None:
    """Filed at 07:49 Beijing time on 5 December 2026 (23:49 UTC on the 4th)."""
    async with rig.services.sessions() as s:
        case = await rig.case(number)
        row = await s.get(type(case), case.id)
        row.created_at = datetime(2026, 12, 4, 23, 49, tzinfo=UTC)
        await s.commit()


async def test_zh_dates_are_china_dates(rig: Rig) -> None:
    gu = rig.person(3005)
    number = await file_complaint(gu, zh=True)
    await backdate(rig, number)
    await gu.send(f"/track {number}")
    status = await gu.expect(number, "提交日期")
    assert "2026年12月5日" in status["text"] and "12月4日" not in status["text"]


async def test_en_dates_are_china_dates(rig: Rig) -> None:
    liz = rig.person(3006, "en")
    number = await file_complaint(liz, zh=False)
    await backdate(rig, number)
    await liz.send(f"/track {number}")
    await liz.expect(number, "Filed: Dec 5, 2026")
