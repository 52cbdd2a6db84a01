"""Filing and following a case: every channel, access codes, strict input, idempotency,
duplicates, splitting, confidentiality of contacts, the outbox."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select, text

from complaints.deadlines import add_working_days
from complaints.intake import Submission, china_date
from complaints.models import Case, CaseEvent, OutboxEvent
from complaints.outbox import claim_batch, mark_done
from complaints.service import submit
from infra.db import utcnow
from tests.support.desk import ELEVATOR, POLLUTION, act, csrf_of, file_case, staff_token


async def _cases(services) -> list[Case]:
    async with services.sessions() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def test_every_channel_lands_at_the_right_department_with_deadlines(client, services):
    today = china_date(utcnow())
    # JSON API
    api = await file_case(client, ELEVATOR)
    assert (api["department"], api["kind"]) == ("zhijian", "complaint")
    assert api["due"] == add_working_days(today, 7).isoformat()
    assert api["access_code"] and api["routing"]["reasons"]
    # web form
    page = await client.get("/complain")
    form = {
        "csrf_token": csrf_of(await page.text()),
        "kind": "tip",
        "text": POLLUTION,
        "anonymous": "1",
    }
    resp = await client.post("/complain", data=form)
    assert resp.status == 201
    # the bot calls the same service
    bot = await submit(
        services,
        Submission(text=ELEVATOR + "。", channel="bot", contact="telegram", bot_chat_id=42),
    )
    # Open311
    async with services.sessions() as session:
        from infra.accounts import add_api_key

        _row, key = await add_api_key(session, "city app")
        await session.commit()
    resp = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "auto",
            "description": POLLUTION + "，天天如此",
            "email": "x@example.cn",
        },
    )
    assert resp.status == 201, await resp.text()

    cases = await _cases(services)
    by_channel = {c.channel: c for c in cases}
    assert set(by_channel) == {"api", "web", "bot", "open311"}
    assert by_channel["api"].department == by_channel["bot"].department == "zhijian"
    assert by_channel["web"].department == by_channel["open311"].department == "huanbao"
    assert bot.case.bot_chat_id == 42
    for case in cases:
        assert case.status == "received"
        if case.kind == "complaint":
            assert case.accept_due == add_working_days(today, 7)
            assert case.resolve_due == add_working_days(case.accept_due, 45)
        else:
            assert case.accept_due == add_working_days(today, 15)
            assert case.resolve_due is None
    async with services.sessions() as session:
        events = list(await session.scalars(select(CaseEvent.action)))
        topics = list(await session.scalars(select(OutboxEvent.topic)))
    assert events == ["filed"] * 4 and topics == ["case.filed"] * 4
    metrics = await (await client.get("/metrics")).text()
    assert 'zhixin_cases_filed_total{channel="open311",kind="tip"} 1.0' in metrics


async def test_json_types_are_strict_and_errors_name_the_field(client):
    cases = [
        ({"text": 5, "contact": "x"}, "text"),
        ({"text": "电梯困人", "kind": "both", "contact": "x"}, "kind"),
        ({"text": "电梯困人", "contact": 138}, "contact"),
        ({"text": "举报偷排", "kind": "tip", "anonymous": "yes"}, "anonymous"),
        ({"text": "电梯困人", "contact": "x", "extra": 1}, "extra"),
        ({"text": "   ", "contact": "x"}, "text"),
        ({"text": "电梯困人", "kind": "complaint"}, "contact"),
        ({"text": "电" * 5001, "contact": "x"}, "text"),
    ]
    for body, field in cases:
        resp = await client.post("/api/v1/cases?lang=en", json=body)
        assert resp.status == 400, body
        error = (await resp.json())["error"]
        assert error["field"] == field, (body, error)
    resp = await client.post(
        "/api/v1/cases", data=b"[1]", headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    # messages follow the reader's language (Chinese by default)
    resp = await client.post("/api/v1/cases", json={"text": "电梯困人", "kind": "complaint"})
    assert "联系" in (await resp.json())["error"]["message"]


async def test_anonymous_tip_keeps_no_identity(client, services):
    filed = await file_case(
        client, POLLUTION, kind="tip", anonymous=True, contact="13900001111", name="张三"
    )
    assert filed["kind"] == "tip"
    case = (await _cases(services))[0]
    assert case.anonymous and case.contact_enc is None and case.reporter_name_enc is None


async def test_access_code_opens_the_case_and_nothing_else_does(client, services):
    filed = await file_case(client)
    number, code = filed["tracking_no"], filed["access_code"]
    ok = await client.get(f"/api/v1/cases/{number}", headers={"X-Access-Code": code.lower()})
    assert ok.status == 200
    view = await ok.json()
    assert view["status"] == "received" and view["department"]["code"] == "zhijian"
    assert view["deadlines"]["accept"] == filed["due"]
    assert ok.headers["Cache-Control"] == "no-store"
    wrong = await client.get(f"/api/v1/cases/{number}", headers={"X-Access-Code": "AAAAAAAA"})
    unknown = await client.get("/api/v1/cases/ZX20260101AAAAAA", headers={"X-Access-Code": code})
    # a wrong code and an unknown number cannot be told apart
    assert wrong.status == unknown.status == 404
    assert await wrong.json() == await unknown.json()
    missing = await client.get(f"/api/v1/cases/{number}")
    assert missing.status == 400


async def test_citizen_sees_public_progress_but_no_staff_notes_or_contact(client, services):
    filed = await file_case(client, contact="13812345678")
    token = await staff_token(services, "zhijian")
    number = filed["tracking_no"]
    await act(client, token, number, "accept", note="内部：该物业是老问题户")
    await act(client, token, number, "progress", note="已联系物业，约定周五维修", public=True)
    await act(client, token, number, "progress", note="内部：物业经理不配合", public=False)
    resp = await client.get(
        f"/api/v1/cases/{number}", headers={"X-Access-Code": filed["access_code"]}
    )
    raw = await resp.text()
    view = await resp.json()
    assert view["status"] == "in_progress"
    assert "已联系物业，约定周五维修" in raw
    assert "内部" not in raw and "13812345678" not in raw and "staff" not in raw
    assert [e["action"] for e in view["events"]] == ["filed", "accept", "progress"]
    assert view["deadlines"]["resolve"] is not None


async def test_rating_only_once_and_only_when_finished(client, services):
    filed = await file_case(client)
    number, headers = filed["tracking_no"], {"X-Access-Code": filed["access_code"]}
    url = f"/api/v1/cases/{number}/rating?lang=en"
    early = await client.post(url, json={"rating": 5}, headers=headers)
    assert early.status == 409
    token = await staff_token(services, "zhijian")
    await act(client, token, number, "accept")
    await act(client, token, number, "resolve", outcome="repaired")
    await act(client, token, number, "close")
    for bad in ({"rating": 6}, {"rating": "5"}, {"rating": True}, {"rating": 3, "comment": 1}):
        assert (await client.post(url, json=bad, headers=headers)).status == 400
    wrong = await client.post(url, json={"rating": 1}, headers={"X-Access-Code": "WRONGONE"})
    assert wrong.status == 404
    resp = await client.post(url, json={"rating": 4, "comment": "修好了"}, headers=headers)
    assert resp.status == 200
    assert (await resp.json())["rating"] == 4
    again = await client.post(url, json={"rating": 1}, headers=headers)
    assert again.status == 409
    case = (await _cases(services))[0]
    assert (case.rating, case.rating_comment) == (4, "修好了")


async def test_idempotency_key_files_once_and_returns_the_same_code(client, services):
    headers = {"Idempotency-Key": "retry-0001-abcdef"}
    body = {"text": ELEVATOR, "contact": "13812345678"}
    first, second = await asyncio.gather(
        client.post("/api/v1/cases", json=body, headers=headers),
        client.post("/api/v1/cases", json=body, headers=headers),
    )
    assert first.status == second.status == 201
    a, b = await first.json(), await second.json()
    assert a["tracking_no"] == b["tracking_no"] and a["access_code"] == b["access_code"]
    assert len(await _cases(services)) == 1
    # the returned code really opens the case
    resp = await client.get(
        f"/api/v1/cases/{a['tracking_no']}", headers={"X-Access-Code": b["access_code"]}
    )
    assert resp.status == 200
    other = await client.post("/api/v1/cases", json={**body, "text": "别的事"}, headers=headers)
    assert other.status == 409
    bad = await client.post("/api/v1/cases", json=body, headers={"Idempotency-Key": "short"})
    assert bad.status == 400


async def test_likely_duplicates_are_linked_not_dropped(client, services):
    first = await file_case(client, "我在苏果超市买的牛奶过期了，要求退款！", company="苏果超市")
    again = await file_case(
        client, "我在苏果超市买的牛奶过期了，要求退款。", company="苏果超市", contact="13900000000"
    )
    other = await file_case(
        client, "苏果超市收银员多收了我五块钱停车费，还态度很差", company="苏果超市"
    )
    cases = {c.tracking_no: c for c in await _cases(services)}
    original = cases[first["tracking_no"]]
    assert cases[again["tracking_no"]].duplicate_of_id == original.id
    assert cases[other["tracking_no"]].duplicate_of_id is None
    assert original.duplicate_of_id is None


async def test_a_complaint_with_a_tip_inside_is_split_in_two_cases(client, services):
    text = "我买的电视坏了商家不给退货。另外我举报这家店销售假冒名牌商品。"
    filed = await file_case(client, text, contact="13700000000")
    assert filed["kind"] == "complaint"
    assert [r["kind"] for r in filed["related"]] == ["tip"]
    complaint, tip = await _cases(services)
    assert tip.split_from_id == complaint.id and tip.kind == "tip"
    # one access code opens both
    for number in (complaint.tracking_no, tip.tracking_no):
        resp = await client.get(
            f"/api/v1/cases/{number}", headers={"X-Access-Code": filed["access_code"]}
        )
        assert resp.status == 200
    # the kind the citizen chose comes first; asking for anonymity files the tip alone
    chosen = await file_case(client, text, kind="tip", contact="13700000001")
    assert chosen["kind"] == "tip" and [r["kind"] for r in chosen["related"]] == ["complaint"]
    alone = await file_case(client, text, kind="tip", anonymous=True)
    assert alone["related"] == []
    assert len(await _cases(services)) == 5


async def test_contact_is_encrypted_at_rest_and_never_logged(client, services, caplog):
    caplog.set_level(logging.DEBUG)
    # the database layer logs every statement with its parameters: only ciphertext may show
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    contact, name = "contact-13512349876@example.cn", "李秘密"
    filed = await file_case(client, POLLUTION, kind="tip", contact=contact, name=name)
    token = await staff_token(services, "huanbao")
    detail = await (
        await client.get(
            f"/api/v1/desk/cases/{filed['tracking_no']}",
            headers={"Authorization": f"Bearer {token}"},
        )
    ).json()
    assert detail["reporter"] == {"contact": contact, "name": name}
    await act(client, token, filed["tracking_no"], "accept")
    async with services.sessions() as session:
        row = (await session.execute(text("SELECT * FROM cases"))).one()
        outbox = (await session.execute(text("SELECT payload FROM outbox"))).all()
    assert contact not in str(tuple(row)) and name not in str(tuple(row))
    assert contact not in str(outbox)
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert any("INSERT INTO cases" in r.getMessage() for r in caplog.records)
    assert contact not in logged and "13512349876" not in logged and name not in logged


async def test_outbox_batches_are_claimed_once(services):
    for i in range(3):
        await submit(services, Submission(text=f"{ELEVATOR}，第{i}次", channel="bot", contact="tg"))
    async with services.sessions() as session, session.begin():
        first = await claim_batch(session, ["case.filed"], 2)
        assert [e.attempts for e in first] == [1, 1]
        assert all(e.payload["tracking_no"] for e in first)
        assert await mark_done(session, [e.id for e in first]) == 2
    async with services.sessions() as session, session.begin():
        rest = await claim_batch(session, ["case.filed"], 10)
        assert len(rest) == 1 and rest[0].id not in {e.id for e in first}
        assert await claim_batch(session, ["case.status"], 10) == []
        await mark_done(session, [rest[0].id])
    async with services.sessions() as session, session.begin():
        assert await claim_batch(session, None, 10) == []


async def test_outbox_claims_skip_rows_another_process_holds(services, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time; SKIP LOCKED is PostgreSQL's")
    for i in range(4):
        await submit(services, Submission(text=f"{ELEVATOR} {i}", channel="bot", contact="tg"))
    async with services.sessions() as one, services.sessions() as two:
        async with one.begin(), two.begin():
            a = await claim_batch(one, ["case.filed"], 2)
            b = await claim_batch(two, ["case.filed"], 10)
            assert len(a) == 2 and len(b) == 2
            assert not {e.id for e in a} & {e.id for e in b}
