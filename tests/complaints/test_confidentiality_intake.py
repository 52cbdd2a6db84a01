"""Tipsters' choices are kept at intake: anonymity is never dropped, a split message
publishes no tip sentence, replays answer only their own client, and nothing a
citizen reads tells that a similar text was filed before."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from complaints.models import Case
from infra.accounts import add_api_key
from tests.support.desk import ELEVATOR, POLLUTION, csrf_of

MIXED = "我买的电视坏了商家不给退货。另外我举报这家店销售假冒名牌商品。"
TIP_SENTENCE = "举报这家店销售假冒名牌商品"


async def _count(services) -> int:
    async with services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Case))


async def _api_key(services) -> str:
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    return key


async def test_anonymous_complaint_is_refused_on_the_api_in_the_reader_language(client, services):
    body = {
        "text": ELEVATOR,
        "kind": "complaint",
        "anonymous": True,
        "contact": "13812345678",
        "name": "张三",
    }
    en = await client.post("/api/v1/cases?lang=en", json=body)
    assert en.status == 400
    error = (await en.json())["error"]
    assert error["field"] == "anonymous" and "choose tip to stay anonymous" in error["message"]
    zh = await client.post("/api/v1/cases", json=body)
    assert zh.status == 400 and "如需匿名，请选择举报" in (await zh.json())["error"]["message"]
    # left to the router, a text that reads as a complaint is refused the same way
    unkind = {k: v for k, v in body.items() if k != "kind"}
    assert (await client.post("/api/v1/cases", json=unkind)).status == 400
    assert await _count(services) == 0
    # an anonymous tip is filed, and stores no name or contact
    tip = await client.post(
        "/api/v1/cases",
        json={"text": POLLUTION, "kind": "tip", "anonymous": True, "contact": "x@y.cn"},
    )
    assert tip.status == 201
    async with services.sessions() as session:
        case = await session.scalar(select(Case))
    assert case.anonymous and case.contact_enc is None and case.reporter_name_enc is None


async def test_anonymous_complaint_is_refused_on_the_form_and_over_open311(client, services):
    page = await client.get("/complain?lang=en")
    form = {
        "csrf_token": csrf_of(await page.text()),
        "kind": "complaint",
        "text": ELEVATOR,
        "contact": "13812345678",
        "name": "张三",
        "anonymous": "1",
    }
    resp = await client.post("/complain?lang=en", data=form)
    assert resp.status == 400
    html = await resp.text()
    assert "choose tip to stay anonymous" in html and ELEVATOR in html  # the form is kept
    key = await _api_key(services)
    posted = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "auto",
            "description": ELEVATOR,
            "email": "a@b.cn",
            "attribute[kind]": "complaint",
            "attribute[anonymous]": "true",
        },
    )
    assert posted.status == 400 and "anonymous" in (await posted.json())[0]["description"]
    assert await _count(services) == 0


async def test_a_split_message_publishes_no_tip_sentence(client, services):
    key = await _api_key(services)
    posted = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "auto", "description": MIXED, "email": "a@b.cn"},
    )
    assert posted.status == 201, await posted.text()
    items = await posted.json()
    assert len(items) == 2  # a complaint and a tip
    async with services.sessions() as session:
        complaint, tip = list(await session.scalars(select(Case).order_by(Case.id)))
    assert (complaint.kind, tip.kind) == ("complaint", "tip")
    assert tip.split_from_id == complaint.id
    # each case holds its own sentences
    assert TIP_SENTENCE not in complaint.text and "电视坏了" in complaint.text
    assert TIP_SENTENCE in tip.text and "电视坏了" not in tip.text
    listing = await (await client.get("/open311/v2/requests.json")).text()
    one = await client.get(f"/open311/v2/requests/{complaint.tracking_no}.json")
    xml = await client.get(f"/open311/v2/requests/{complaint.tracking_no}.xml")
    by_id = await client.get(
        "/open311/v2/requests.json",
        params={"service_request_id": f"{complaint.tracking_no},{tip.tracking_no}"},
    )
    assert one.status == 200 and "电视坏了" in (await one.json())[0]["description"]
    published = listing + await one.text() + await xml.text() + await by_id.text()
    assert "电视坏了" in published
    for fragment in (TIP_SENTENCE, "假冒", tip.tracking_no):
        assert fragment not in published
    # the one access code still opens both, each with its own text
    code = items[0]["access_code"]
    for case, own in ((complaint, "电视坏了"), (tip, TIP_SENTENCE)):
        path = f"/api/v1/cases/{case.tracking_no}"
        view = await client.get(path, headers={"X-Access-Code": code})
        assert view.status == 200 and own in (await view.json())["text"]


async def test_an_idempotency_replay_answers_only_its_own_client(client, services):
    body = {"text": ELEVATOR, "contact": "13812345678"}
    key = {"Idempotency-Key": "retry-key-0001"}
    first = await client.post(
        "/api/v1/cases", json=body, headers={**key, "X-Forwarded-For": "203.0.113.5"}
    )
    assert first.status == 201
    filed = await first.json()
    again = await client.post(
        "/api/v1/cases", json=body, headers={**key, "X-Forwarded-For": "203.0.113.5"}
    )
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (await again.json())["access_code"] == filed["access_code"]
    stranger = await client.post(
        "/api/v1/cases", json=body, headers={**key, "X-Forwarded-For": "198.51.100.9"}
    )
    assert stranger.status == 201 and "Idempotent-Replayed" not in stranger.headers
    other = await stranger.json()
    assert other["access_code"] != filed["access_code"]
    assert other["tracking_no"] != filed["tracking_no"]
    async with services.sessions() as session:
        keys = list(await session.scalars(select(Case.idempotency_key)))
    # the stored key names neither the client's key nor its address
    assert len(set(keys)) == 2
    assert not any("retry-key" in k or "203.0.113" in k for k in keys)


async def test_citizens_never_see_a_score_that_tells_of_earlier_filings(client, services):
    bodies = []
    for contact in ("13812345678", "13900000000"):
        resp = await client.post("/api/v1/cases", json={"text": ELEVATOR, "contact": contact})
        assert resp.status == 201
        bodies.append(await resp.json())
    for body in bodies:
        assert set(body["routing"]) == {"reasons"}
        view = await client.get(
            f"/api/v1/cases/{body['tracking_no']}", headers={"X-Access-Code": body["access_code"]}
        )
        text = await view.text()
        assert not re.search(r"confidence|similar|duplicate|lesson|score", text, re.I)
    # the second (a repeat of the first) reads exactly like the first
    assert bodies[0]["routing"] == bodies[1]["routing"]
    assert bodies[0].keys() == bodies[1].keys()
