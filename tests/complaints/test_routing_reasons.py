"""Why a case went where it went, in plain sentences in the request's language.

A citizen's reasons name the department in words and the words of their text
that decided it; they carry no department codes, weights or scores, and say
nothing about other people's cases. Staff see a little more, in words too.
"""

from __future__ import annotations

import re

from tests.support.desk import ELEVATOR, bearer, staff_token

CODES = re.compile(r"zhijian|gongshang|shiyaojian|triage|\d\.\d|→")


async def _file(client, lang: str, text: str = ELEVATOR) -> dict:
    resp = await client.post(
        f"/api/v1/cases?lang={lang}", json={"text": text, "contact": "13812345678"}
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def test_api_reasons_are_chinese_sentences_by_default(client):
    body = await _file(client, "zh-CN")
    reasons = body["routing"]["reasons"]
    assert reasons and all(r.endswith("。") for r in reasons)
    assert any("质量技术监督局" in r and "电梯" in r for r in reasons)
    assert not any(CODES.search(r) or re.search(r"[A-Za-z]", r) for r in reasons)


async def test_api_reasons_follow_the_request_language(client):
    body = await _file(client, "en")
    reasons = body["routing"]["reasons"]
    assert any("Quality and Technical Supervision" in r for r in reasons)
    assert not any(CODES.search(r) for r in reasons)
    # the Chinese words that decided are quoted as the citizen wrote them
    assert any("“电梯”" in r for r in reasons)


async def test_staff_see_certainty_and_the_runner_up_in_words(client, services):
    filed = await _file(client, "zh-CN")
    token = await staff_token(services, filed["department"])
    resp = await client.get(
        f"/api/v1/desk/cases/{filed['tracking_no']}?lang=zh-CN", headers=bearer(token)
    )
    detail = await resp.json()
    staff = detail["routing_reasons"]
    assert any(r.startswith(("把握较大", "把握一般", "把握较小")) for r in staff)
    assert not any(CODES.search(r) for r in staff)


async def test_receipt_page_shows_the_reasons_in_the_page_language(client):
    from tests.support.desk import csrf_of

    page = await client.get("/complain?lang=en")
    token = csrf_of(await page.text())
    form = {"kind": "complaint", "text": ELEVATOR, "contact": "13812345678", "csrf_token": token}
    done = await client.post("/complain?lang=en", data=form)
    html = await done.text()
    assert done.status == 201
    assert "the responsible department is Quality and Technical Supervision." in html
