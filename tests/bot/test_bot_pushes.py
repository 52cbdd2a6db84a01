"""Pushes that make sense (issue 17, points 6, 8, 9): the split-off tip is treated as the
first case; each push renders its own event; one rating request per case; the resolve
note reaches the citizen; alerts say why; dates are China's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.delivery import Courier
from bot.middlewares import make_i18n
from bot.models import Subscription
from bot.ratelimit import SendLimiter
from complaints.casework import act
from complaints.models import Case
from disclosure.models import RecallNotice
from infra.accounts import add_staff
from infra.formatting import format_date
from tests.support.bot_world import make_world
from tests.support.fake_telegram import buttons

MIXED = "我买的电视坏了商家不给退货，要求退款。另外我举报这家店销售假冒名牌商品。"


@pytest.fixture
async def world(services):
    return await make_world(services)


def courier(world) -> Courier:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    return Courier(
        world.bot, world.services, make_i18n(), SendLimiter(clock=lambda: clock[0], sleep=sleep)
    )


async def cases(services) -> list[Case]:
    async with services.sessions() as s:
        return list(await s.scalars(select(Case).order_by(Case.id)))


async def desk(services, case_id: int, action: str, **params) -> None:
    async with services.sessions() as s:
        case = await s.get(Case, case_id)
        staff, _ = await add_staff(s, case.department, "李科长")
        await act(s, staff, case, action, params, departments=set(services.departments))
        await s.commit()


async def test_the_split_off_tip_is_treated_like_the_first(world, services) -> None:
    person = world.person(500)
    await person.send("/complain")
    await person.send(MIXED)
    await person.press("不涉及具体企业")
    await person.press("南京")
    await person.send("13800138000")
    [receipt] = await person.press("提交")
    complaint, tip = await cases(services)
    assert tip.split_from_id == complaint.id and tip.bot_chat_id == 500
    department = world.services.departments[tip.department].name("zh")
    assert tip.tracking_no in receipt.text and department in receipt.text
    assert "同一个查询码" in receipt.text and receipt.text.count("前作出") == 2

    # /track needs no code for the second case either, and its news arrive
    [status] = await person.send(f"/track {tip.tracking_no}")
    assert tip.tracking_no in status.text and "查询码" not in status.text
    postman = courier(world)
    await postman.run_once()
    person.replies()
    await desk(services, tip.id, "accept")
    await postman.run_once()
    [news] = person.replies()
    assert tip.tracking_no in news.text and "已受理" in news.text


async def test_each_push_tells_its_own_event(world, services) -> None:
    person = world.person(501, "en", username="amy")
    await person.send("/complain")
    await person.send("我在南京金陵食品有限公司买的速冻水饺发霉了，商家拒绝退款，要求退款。")
    await person.press("南京金陵食品有限公司")
    await person.press("Nanjing")
    await person.send("13800138000")
    await person.press("Send")
    [case] = await cases(services)
    postman = courier(world)
    await postman.run_once()
    person.replies()
    # accepted and resolved before the courier's next round
    await desk(services, case.id, "accept")
    await desk(
        services,
        case.id,
        "resolve",
        outcome="refunded",
        amount_yuan="58",
        note="The shop refuses to pay more; we advise suing at the court.",
    )
    await desk(services, case.id, "close")
    await postman.run_once()
    accepted, resolved, closed = person.replies()
    assert "Accepted" in accepted.text and "Resolved" not in accepted.text
    assert accepted.reply_markup is None
    assert "Status: <b>Resolved</b>" in resolved.text and "suing at the court" in resolved.text
    assert "Money recovered: ¥58.00" in resolved.text
    assert [t for t, _ in buttons(resolved.reply_markup)][-1] == "★★★★★"
    assert "Closed" in closed.text and closed.reply_markup is None  # one rating request


async def test_recall_alerts_say_why_with_the_fitting_button(world, services) -> None:
    follower, reader = world.person(502, "en"), world.person(503, "en")
    await follower.send("/start")
    await reader.send("/start")
    follower.replies()
    reader.replies()
    async with services.sessions() as s:
        s.add(Subscription(chat_id=502, kind="enterprise", target=world.codes["jinling_food"]))
        s.add(Subscription(chat_id=503, kind="category", target="food"))
        await s.commit()
    postman = courier(world)
    await postman.run_once()  # the first look marks where news starts
    async with services.sessions() as s:
        s.add(
            RecallNotice(
                recall_no="JS-WHY-001",
                title="关于召回金陵牌汤圆的公告",
                product="汤圆",
                category="food",
                producer_uscc=world.codes["jinling_food"],
                producer="南京金陵食品有限公司",
                reason="标签未标示过敏原",
                remedy="退货退款",
                start_date=date.today(),
                published=date.today(),
            )
        )
        await s.commit()
    await postman.run_once()
    await postman.run_once()
    [mine] = follower.replies()
    assert "because you follow 南京金陵食品有限公司" in mine.text
    assert "ent:unfollow" in buttons(mine.reply_markup)[0][1]
    [theirs] = reader.replies()
    assert "because you asked for Food recall alerts" in theirs.text
    assert "sub:off:food" in buttons(theirs.reply_markup)[0][1]


def test_dates_are_shown_on_their_day_in_china() -> None:
    # 07:49 in Beijing on 5 December is 23:49 UTC on 4 December
    moment = datetime(2026, 12, 4, 23, 49, tzinfo=UTC)
    assert format_date(moment, "en") == "Dec 5, 2026"
    assert "5" in format_date(moment, "zh") and "4日" not in format_date(moment, "zh")
    assert format_date(moment.replace(tzinfo=None), "en") == "Dec 5, 2026"


def test_objection_numbers_use_chinas_day() -> None:
    from disclosure.objections import objection_number

    assert objection_number(datetime(2026, 12, 4, 23, 49, tzinfo=UTC)).startswith("YY20261205-")


async def test_a_case_filed_before_8_in_the_morning_shows_that_day(world, services) -> None:
    person = world.person(504, "en", username="early")
    await person.send("/complain")
    await person.send("我在南京金陵食品有限公司买的速冻水饺发霉了，商家拒绝退款，要求退款。")
    await person.press("南京金陵食品有限公司")
    await person.press("Nanjing")
    await person.send("13800138000")
    await person.press("Send")
    [case] = await cases(services)
    async with services.sessions() as s:
        row = await s.get(Case, case.id)
        row.created_at = datetime(2026, 12, 4, 23, 49, tzinfo=UTC)
        await s.commit()
    [status] = await person.send(f"/track {case.tracking_no}")
    assert "Filed: Dec 5, 2026" in status.text


async def test_overdue_alerts_show_the_due_day_in_words(world, services) -> None:
    from bot import alerts
    from bot.cards import speaking

    person = world.person(505, username="late")
    await person.send("/complain")
    await person.send("我在南京金陵食品有限公司买的速冻水饺发霉了，商家拒绝退款，要求退款。")
    await person.press("南京金陵食品有限公司")
    await person.press("南京")
    await person.send("13800138000")
    await person.press("提交")
    [case] = await cases(services)
    payload = {"case_id": case.id, "deadline": "accept", "due": "2026-12-05"}
    async with services.sessions() as s:
        with speaking(make_i18n(), "zh"):
            text, _ = await alerts.render(s, services, "case.overdue", payload, -100, "zh")
    assert "2026年12月5日" in text and "2026-12-05" not in text
    assert "shiyaojian" not in text and "绑定" in text
