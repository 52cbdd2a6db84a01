"""Filing, tracking and rating through the bot, and what the outbox courier sends:
complaint and anonymous tip conversations, idempotent confirmation, status news with the
rating survey, department group chats, recall broadcasts, blocked users."""

from __future__ import annotations

from datetime import date

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import DeleteMessage, SendMessage
from sqlalchemy import func, select

from bot.delivery import Courier
from bot.middlewares import make_i18n
from bot.models import BotUser, Delivery, DepartmentChat, Subscription
from bot.ratelimit import SendLimiter
from complaints.casework import act
from complaints.models import Case
from disclosure.models import RecallNotice
from infra.accounts import Staff, add_staff
from tests.support.bot_world import make_world
from tests.support.fake_telegram import buttons, texts

COMPLAINT = "我在南京金陵食品有限公司买的速冻水饺，吃了以后全家拉肚子，商家拒绝退款，要求退款赔偿。"
TIP = "南京金陵乳业有限公司的车间用过期原料生产酸奶，还把生产日期改成新的，请查处。"


@pytest.fixture
async def world(services):
    return await make_world(services)


def courier(world) -> Courier:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = SendLimiter(clock=lambda: clock[0], sleep=sleep)
    return Courier(world.bot, world.services, make_i18n(), limiter)


async def file_complaint(person, text: str = COMPLAINT) -> str:
    """Walk the whole conversation; return the receipt."""
    assert "描述" in texts(await person.send("/complain"))
    [ask] = await person.send(text)
    assert "南京金陵食品有限公司" in " ".join(t for t, _ in buttons(ask.reply_markup))
    [city] = await person.press("南京金陵食品有限公司")
    assert "南京" in [t for t, _ in buttons(city.reply_markup)]
    [contact] = await person.press("南京")
    assert "电话" in contact.text
    [summary] = await person.send("13800138000")
    assert "承办部门" in summary.text and "依据" in summary.text
    assert "南京市" in summary.text and "13800138000" in summary.text
    [receipt] = await person.press("提交")
    return receipt.text


async def cases_of(services, chat_id: int | None = None) -> list[Case]:
    async with services.sessions() as s:
        stmt = select(Case).order_by(Case.id)
        if chat_id is not None:
            stmt = stmt.where(Case.bot_chat_id == chat_id)
        return list(await s.scalars(stmt))


async def test_complaint_conversation_files_one_case(world, services) -> None:
    person = world.person(100, "zh-hans", username="citizen")
    receipt = await file_complaint(person)
    [case] = await cases_of(services)
    assert case.tracking_no in receipt and "查询码" in receipt
    assert case.kind == "complaint" and case.channel == "bot" and case.bot_chat_id == 100
    assert case.department == "shiyaojian"
    assert case.company == "南京金陵食品有限公司" and case.city == "南京市"
    # the citizen pressed the register's suggestion: the case carries that enterprise
    assert case.enterprise_uscc == world.codes["jinling_food"]
    assert case.lang == "zh"

    # pressing "send" again, and the same update delivered twice, file nothing more
    _summary, found = person.last_keyboard()
    confirm = next(data for text, data in found if "提交" in text)
    update = person.callback_update(confirm)
    await person.feed(update)
    await person.feed(update)
    assert "已经提交" in person.answers()[-1].text
    assert len(await cases_of(services)) == 1


async def test_complaint_needs_a_contact_and_understands_english(world, services) -> None:
    person = world.person(101, "en")
    await person.send("/complain")
    await person.send("The kettle I bought from 无锡宏达机械制造有限公司 leaks; I want a refund.")
    await person.press("No particular company")
    await person.send("Wuxi")  # typed city, matched to the register's name
    [again] = await person.send("call me maybe")
    assert "does not look like a phone number" in again.text
    # no username: nobody could write to "Telegram id 101", so it asks for another way
    [ask] = await person.press("Reach me here in Telegram")
    assert "no username" in ask.text and "phone number or an e-mail" in ask.text
    [summary] = await person.send("+86 138 0013 8000")
    assert "Telegram" not in summary.text and "+86 138 0013 8000" in summary.text
    assert "Department:" in summary.text and "Why:" in summary.text
    [receipt] = await person.press("Send")
    assert "Tracking number" in receipt.text and "status changes" in receipt.text
    [case] = await cases_of(services)
    assert case.city == "无锡市" and case.lang == "en"


async def test_free_text_complaint_is_offered_and_prefilled(world, services) -> None:
    person = world.person(102)
    [offer] = await person.send(COMPLAINT)
    assert "投诉" in offer.text
    [ask] = await person.press("投诉")
    assert "企业" in ask.text  # the description step is already done
    await person.press("南京金陵食品有限公司")
    await person.press("跳过")
    await person.send("someone@example.com")
    await person.press("提交")
    [case] = await cases_of(services)
    assert case.text == COMPLAINT and case.city is None


async def test_anonymous_tip_is_tracked_with_its_code(world, services) -> None:
    person = world.person(103)
    await person.send("/tip")
    await person.send(TIP)
    await person.press("南京金陵乳业有限公司")
    await person.press("南京")
    [summary] = await person.press("匿名")
    assert "匿名" in summary.text
    [receipt] = await person.press("提交")
    [case] = await cases_of(services)
    assert case.kind == "tip" and case.anonymous and case.bot_chat_id is None
    assert case.contact_enc is None
    assert "/track" in receipt.text and "匿名" in receipt.text
    code = receipt.text.split("查询码：<code>")[1].split("</code>")[0]

    # no link is kept, so the code is asked for; a wrong one is refused
    [ask] = await person.send(f"/track {case.tracking_no}")
    assert "查询码" in ask.text
    [refused] = await person.send("WRONGCODE")
    assert "没有与该受理编号和查询码相符的案件" in refused.text
    [status] = await person.send(f"/track {case.tracking_no} {code}")
    assert case.tracking_no in status.text and "承办部门" in status.text


async def test_track_own_case_without_code_but_not_someone_elses(world, services) -> None:
    owner = world.person(104)
    await file_complaint(owner)
    [case] = await cases_of(services)
    [status] = await owner.send(f"/track {case.tracking_no.lower()}")
    assert "<code>" + case.tracking_no in status.text
    [listing] = await owner.send("/track")
    assert case.tracking_no in listing.text

    stranger = world.person(105)
    [ask] = await stranger.send(f"/track {case.tracking_no}")
    assert "查询码" in ask.text and "承办部门" not in ask.text


async def staff_of(services, department: str) -> tuple[Staff, str]:
    async with services.sessions() as s:
        staff, token = await add_staff(s, department, "王科员")
        await s.commit()
        return staff, token


async def desk_action(services, case_id: int, staff: Staff, action: str, **params) -> None:
    async with services.sessions() as s:
        case = await s.get(Case, case_id)
        await act(s, staff, case, action, params, departments=set(services.departments))
        await s.commit()


async def test_status_changes_arrive_and_the_rating_is_asked(world, services) -> None:
    person = world.person(106, "en")
    await person.send("/complain")
    await person.send(COMPLAINT)
    await person.press("南京金陵食品有限公司")
    await person.press("Nanjing")
    await person.send("13800138000")
    await person.press("Send")
    [case] = await cases_of(services)
    staff, _token = await staff_of(services, case.department)
    postman = courier(world)
    await postman.run_once()  # case.filed: no department chat is bound yet
    person.replies()

    await desk_action(services, case.id, staff, "accept")
    await postman.run_once()
    [news] = person.replies()
    assert "News about your case" in news.text and "Accepted" in news.text
    assert news.reply_markup is None

    await desk_action(services, case.id, staff, "resolve", outcome="refunded", amount_yuan="120")
    await postman.run_once()
    [done] = person.replies()
    assert "Resolved" in done.text and "Refunded" in done.text
    stars = [t for t, _ in buttons(done.reply_markup)]
    assert stars == ["★", "★★", "★★★", "★★★★", "★★★★★"]

    await postman.run_once()  # nothing twice
    assert person.replies() == []

    [thanks] = await person.press("★★★★")
    assert "★★★★" in thanks.text
    async with services.sessions() as s:
        assert (await s.get(Case, case.id)).rating == 4
    await person.press_data(f"rate:{case.id}:1")
    assert "already rated" in person.answers()[-1].text
    # somebody else cannot rate it
    other = world.person(107, "en")
    await other.press_data(f"rate:{case.id}:5")
    assert "Only the person who filed" in other.answers()[-1].text
    async with services.sessions() as s:
        assert (await s.get(Case, case.id)).rating == 4


async def test_department_group_binds_and_gets_new_cases(world, services) -> None:
    staff, token = await staff_of(services, "shiyaojian")
    group = world.person(108, "zh-hans", chat_id=-100500)
    [bad] = await group.send("/bind zxs_not-a-real-token")
    assert "无效" in bad.text
    [bound] = await group.send(f"/bind {token}")
    assert "食品药品监督管理局" in bound.text
    deleted = [c for c in group.deletions() if c.chat_id == -100500]
    assert len(deleted) == 2  # both messages that carried a token are gone
    async with services.sessions() as s:
        row = await s.get(DepartmentChat, -100500)
        assert row is not None and row.department == "shiyaojian" and row.bound_by == staff.id

    citizen = world.person(109)
    await file_complaint(citizen)
    await courier(world).run_once()
    [alert] = group.replies()
    [case] = await cases_of(services)
    assert case.tracking_no in alert.text and "13800138000" not in alert.text
    assert "速冻水饺" in alert.text


async def test_bind_without_admin_rights_asks_to_delete(world, services) -> None:
    _staff, token = await staff_of(services, "zhijian")
    world.session.fail(
        DeleteMessage, TelegramForbiddenError(DeleteMessage(chat_id=-1, message_id=1), "not admin")
    )
    group = world.person(110, "en", chat_id=-100600)
    [bound] = await group.send(f"/bind {token}")
    assert "Please delete your message" in bound.text


async def test_new_recalls_reach_subscribers_once(world, services) -> None:
    postman = courier(world)
    await postman.run_once()  # the first look marks where announcements start
    fan = world.person(111, "en")
    follower = world.person(112)
    await fan.send("/subscribe")
    await fan.press("Food")
    async with services.sessions() as s:
        s.add(Subscription(chat_id=112, kind="enterprise", target=world.codes["jinling_food"]))
        s.add(
            RecallNotice(
                recall_no="JS-NEW-001",
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
    fan.replies(), follower.replies()
    await postman.run_once()
    [alert] = fan.replies()
    assert "New recall notice" in alert.text and "JS-NEW-001" in alert.text
    [alert_zh] = follower.replies()
    assert "新的召回公告" in alert_zh.text
    await postman.run_once()
    assert fan.replies() == [] and follower.replies() == []


async def test_blocked_users_are_marked_and_skipped(world, services) -> None:
    person = world.person(113)
    await file_complaint(person)
    [case] = await cases_of(services)
    staff, _ = await staff_of(services, case.department)
    await desk_action(services, case.id, staff, "accept")
    world.session.fail(
        SendMessage, TelegramForbiddenError(SendMessage(chat_id=113, text="x"), "blocked")
    )
    postman = courier(world)
    await postman.run_once()
    async with services.sessions() as s:
        assert (await s.get(BotUser, 113)).blocked_at is not None
        statuses = list(await s.scalars(select(Delivery.status).where(Delivery.chat_id == 113)))
        assert statuses == ["blocked"]
    # writing to the bot again unblocks
    await person.send("/help")
    async with services.sessions() as s:
        assert (await s.get(BotUser, 113)).blocked_at is None


async def test_a_restart_resumes_without_duplicates(world, services) -> None:
    person = world.person(114)
    await file_complaint(person)
    [case] = await cases_of(services)
    staff, _ = await staff_of(services, case.department)
    await desk_action(services, case.id, staff, "accept")
    await desk_action(services, case.id, staff, "progress", note="已约谈商家", public=True)
    postman = courier(world)
    # a network fault in the middle of a round: the second event stays undelivered
    from aiogram.exceptions import TelegramNetworkError

    world.session.fail(SendMessage, *[])  # none yet
    person.replies()
    sent_before = len(world.session.sent(114))
    original = world.session.make_request
    calls = {"n": 0}

    async def flaky(bot, method, timeout=None):  # noqa: ASYNC109 (aiogram's signature)
        if isinstance(method, SendMessage) and int(method.chat_id) == 114:
            calls["n"] += 1
            if calls["n"] >= 2:
                raise TelegramNetworkError(method, "connection reset")
        return await original(bot, method, timeout)

    world.session.make_request = flaky
    await postman.run_once()
    world.session.make_request = original
    await Courier(world.bot, services, make_i18n(), postman.limiter).run_once()  # "restarted"
    news = [c.text for c in world.session.sent(114)[sent_before:]]
    assert len(news) == 2 and any("已约谈商家" in t for t in news)
    async with services.sessions() as s:
        n = await s.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.chat_id == 114)
        )
        assert n == 2


async def test_overdue_cases_are_announced_in_the_department_group(world, services) -> None:
    from datetime import UTC, datetime, time, timedelta

    from complaints.overdue import flag_overdue

    _staff, token = await staff_of(services, "shiyaojian")
    group = world.person(115, "en", chat_id=-100700)
    await group.send(f"/bind {token}")
    await file_complaint(world.person(116))
    postman = courier(world)
    await postman.run_once()
    group.replies()
    [case] = await cases_of(services)
    later = datetime.combine(case.accept_due + timedelta(days=2), time(12), tzinfo=UTC)
    async with services.sessions() as s:
        assert await flag_overdue(s, later) == 1
        await s.commit()
    await postman.run_once()
    [alert] = group.replies()
    assert "past its deadline" in alert.text and case.tracking_no in alert.text


async def test_followers_hear_of_a_new_grade(world, services) -> None:
    from disclosure.cache import mark_change
    from disclosure.models import CreditGrade

    postman = courier(world)
    await postman.run_once()  # marks where grade news starts
    person = world.person(117, "en")
    await person.send("/grade 宏达")
    await person.press("Follow this company")
    person.replies()
    async with services.sessions() as s:
        s.add(CreditGrade(uscc=world.codes["hongda"], grade="C", year=date.today().year))
        mark_change(s, "grades")
        await s.commit()
    await postman.run_once()
    [news] = person.replies()
    assert "New quality-credit grade" in news.text and "无锡宏达机械制造有限公司" in news.text
    assert "<b>C</b>" in news.text
    await postman.run_once()
    assert person.replies() == []
