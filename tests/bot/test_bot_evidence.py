"""Evidence through the bot, with the dispatcher and a recording session: photos during
the description step (a caption counts as the description), documents after filing,
refusals, and the department's group hearing of evidence added later; in Chinese and
in English."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.delivery import Courier
from bot.middlewares import make_i18n
from bot.ratelimit import SendLimiter
from complaints.models import Case, CaseEvent, Evidence
from infra.accounts import add_staff
from tests.support.bot_world import make_world
from tests.support.evidence import executable, gps_of, jpeg_with_gps, pdf, png
from tests.support.fake_telegram import buttons, texts
from tests.support.telegram_files import send_file

COMPLAINT = "我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款，要求退款赔偿。"
TIP_EN = "南京金陵乳业有限公司的车间用过期原料生产酸奶，还篡改生产日期，请查处。"


@pytest.fixture
async def world(services):
    return await make_world(services)


def courier(world) -> Courier:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = SendLimiter(clock=lambda: clock[0], sleep=sleep)
    return Courier(world.bot, world.services, make_i18n(), limiter)


async def evidence_of(services, tracking_no: str) -> list[Evidence]:
    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == tracking_no))
        return list(
            await s.scalars(
                select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
            )
        )


def tracking_no(receipt: str) -> str:
    for marker in ("受理编号：<code>", "Tracking number: <code>"):
        if marker in receipt:
            return receipt.split(marker)[1].split("</code>")[0]
    raise AssertionError(receipt)


async def test_photos_during_the_description_and_a_caption_as_the_text(world, services) -> None:
    wang = world.person(701)
    await wang.send("/complain")
    # a photo alone: kept, and the description is still wanted
    answer = texts(await send_file(wang, jpeg_with_gps()))
    assert "1" in answer and "描述" in answer
    # a renamed executable: refused, nothing kept
    refused = texts(await send_file(wang, executable(), filename="发票.pdf"))
    assert "未接收" in refused and "PDF" in refused
    # a photo with a caption: the caption is the description
    replies = await send_file(wang, png(), COMPLAINT)
    # the company question follows, as after a typed description
    assert "企业" in replies[-1].text
    assert any("南京金陵食品有限公司" in t for t, _ in buttons(replies[-1].reply_markup))
    await wang.press("南京金陵食品有限公司")
    await wang.press("南京")
    await wang.send("13800138000")
    replies = await wang.press("提交")
    receipt = replies[0].text
    number = tracking_no(receipt)
    assert "2" in replies[-1].text and number in replies[-1].text  # "2 files were added"
    items = await evidence_of(services, number)
    assert [i.content_type for i in items] == ["image/jpeg", "image/png"]
    assert {i.channel for i in items} == {"bot"}
    assert not gps_of(await services.evidence_store.get(items[0].sha256))
    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == number))
        assert case.text == COMPLAINT


async def test_a_document_after_filing_reaches_the_department(world, services) -> None:
    staff_token = None
    async with services.sessions() as s:
        _staff, staff_token = await add_staff(s, "shiyaojian", "王科员")
        await s.commit()
    group = world.person(702, "zh-hans", chat_id=-100702)
    await group.send(f"/bind {staff_token}")
    amy = world.person(703, "en-US")
    await amy.send("/tip")
    await amy.send(TIP_EN)
    await amy.press("南京金陵乳业有限公司")
    await amy.press("Skip")
    await amy.send("amy@example.com")
    number = tracking_no((await amy.press("Send"))[0].text)
    await courier(world).run_once()  # the new case reaches the group
    group.replies()
    # after filing: a PDF with a caption goes to the newest open case
    added = texts(await send_file(amy, pdf(), "the receipt", filename="receipt.pdf"))
    assert "Added to case" in added and number in added
    [item] = await evidence_of(services, number)
    assert item.content_type == "application/pdf" and item.note == "the receipt"
    async with services.sessions() as s:
        actions = list(
            await s.scalars(select(CaseEvent.action).where(CaseEvent.case_id == item.case_id))
        )
    assert actions[-1] == "evidence"
    await courier(world).run_once()
    [alert] = group.replies()
    assert number in alert.text and "📎" in alert.text
    # a bad file after filing: refused in English, nothing stored
    refused = texts(await send_file(amy, executable(), filename="scan.pdf"))
    assert "not taken" in refused and "PDF" in refused
    assert len(await evidence_of(services, number)) == 1


async def test_no_open_case_and_the_eleventh_file(world, services) -> None:
    li = world.person(704)
    assert "/complain" in texts(await send_file(li, png()))
    await li.send("/complain")
    for i in range(10):
        await send_file(li, png((30 + i, 30)))
    assert "10" in texts(await send_file(li, png((99, 99))))  # the eleventh is refused
    await li.send(COMPLAINT)
    await li.press("南京金陵食品有限公司")
    await li.press("南京")
    await li.send("13800138000")
    number = tracking_no((await li.press("提交"))[0].text)
    assert len(await evidence_of(services, number)) == 10
    refused = texts(await send_file(li, png((77, 77))))
    assert "10" in refused
    assert len(await evidence_of(services, number)) == 10
