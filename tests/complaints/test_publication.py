"""What is published about enterprises: public counts (the company page and API, the
campaign report's most complained-about enterprises and its exports) include only cases
a department accepted, never a tip before the investigation confirmed it, never a firm on
a single unverified case; and the report names only registered enterprises and the
region list's cities ("other" for the rest), never strings as citizens typed them."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from complaints.models import Case
from complaints.publication import counts_against_enterprise, publishable
from disclosure.cache import mark_change
from disclosure.models import Enterprise
from infra.security import new_token
from nlp.uscc import make_code
from tests.support.desk import act, bearer, file_case, staff_token

CHINA = ZoneInfo("Asia/Shanghai")
A = make_code("91", "320106", "MA1PA001")
B = make_code("91", "320506", "MA1PB002")
C = make_code("91", "320211", "MA1PC003")
D = make_code("91", "320311", "MA1PD004")
E = make_code("91", "320412", "MA1PE005")
NAMES = {A: "南京甲超市有限公司", B: "苏州乙电器有限公司", C: "无锡丙食品有限公司",
         D: "徐州丁化工有限公司", E: "常州戊塑料有限公司"}  # fmt: skip
ELEVATOR = "小区电梯经常困人，上周又困了我家老人半小时，我要求维保公司赔偿我家的损失"
RICE = "在这家超市买的大米里有虫子，生产日期还被改过，要求退货并赔偿"
TIP = "举报这家工厂夜里偷偷往河里排污水，河里的鱼都死了，请你们去查一查"


async def _register(services) -> None:
    async with services.sessions() as s:
        s.add_all([Enterprise(uscc=code, name=name) for code, name in NAMES.items()])
        mark_change(s, "enterprises")
        await s.commit()
    async with services.sessions() as s:
        await services.published.refresh(s)


async def _counts(client, code: str) -> dict:
    resp = await client.get(f"/api/v1/enterprises/{code}")
    assert resp.status == 200
    return (await resp.json())["complaints"]


async def test_only_accepted_cases_count_and_never_one_unverified_case(client, services) -> None:
    await _register(services)
    tip = await file_case(client, TIP, kind="tip", anonymous=True, company_uscc=A)
    first = await file_case(client, ELEVATOR, company_uscc=A, contact="13800000001")
    # a tip before any decision, and a complaint not yet accepted: nothing is public
    assert await _counts(client, A) == {"total": 0, "by_outcome": {}}
    page = await client.get(f"/enterprises/{A}?lang=en")
    assert "No complaint or report against this company" in await page.text()

    token = await staff_token(services, first["department"])
    await act(client, token, first["tracking_no"], "accept")
    # one accepted complaint still being handled names no firm
    assert (await _counts(client, A))["total"] == 0
    # a different grievance (a near copy of the first would be linked as its duplicate)
    second = await file_case(client, RICE, company_uscc=A, contact="13800000002")
    token2 = await staff_token(services, second["department"])
    await act(client, token2, second["tracking_no"], "accept")
    counted = await _counts(client, A)
    assert counted["total"] == 2 and counted["by_outcome"] == {"accepted": 2}

    # the tip counts only once the investigation confirmed it
    tipper = await staff_token(services, tip["department"])
    await act(client, tipper, tip["tracking_no"], "accept")
    assert (await _counts(client, A))["total"] == 2
    await act(
        client, tipper, tip["tracking_no"], "resolve", outcome="case_opened", penalty_yuan=5000
    )
    counted = await _counts(client, A)
    assert counted["total"] == 3 and counted["by_outcome"]["case_opened"] == 1

    # an unfounded tip never counts, even resolved
    other = await file_case(client, TIP + "。", kind="tip", anonymous=True, company_uscc=B)
    tipper = await staff_token(services, other["department"])
    await act(client, tipper, other["tracking_no"], "accept")
    await act(client, tipper, other["tracking_no"], "resolve", outcome="not_substantiated")
    assert (await _counts(client, B))["total"] == 0
    resp = await client.get(f"/api/v1/desk/cases/{other['tracking_no']}", headers=bearer(tipper))
    assert (await resp.json())["enterprise_uscc"] == B  # linked, just not published


def _at(day: int) -> datetime:
    return datetime(2026, 3, day, 10, tzinfo=CHINA)


def _case(kind: str, status: str, day: int, **kw) -> Case:
    accepted = status in ("accepted", "in_progress", "resolved", "closed")
    return Case(
        tracking_no=new_token("t")[:30],
        access_code_hash="x" * 64,
        kind=kind,
        channel="web",
        text="……",
        department="gongshang",
        routed_department="gongshang",
        created_at=_at(day),
        status=status,
        accepted_at=_at(day + 1) if accepted and "reject_reason" not in kw else None,
        accept_due=date(2026, 3, 30),
        **kw,
    )


async def test_campaign_report_publishes_only_countable_firms_and_known_places(
    client, services
) -> None:
    await _register(services)
    async with services.sessions() as s:
        s.add_all(
            [
                # A: a tip before a decision, and one accepted complaint: not named
                _case("tip", "received", 2, enterprise_uscc=A, company="甲超市", city="南京"),
                _case("complaint", "accepted", 3, enterprise_uscc=A, city="南京市鼓楼区"),
                # B: two accepted complaints: named, by the register's name
                _case("complaint", "accepted", 4, enterprise_uscc=B, company="乙电器店",
                      city="苏州市吴中区"),
                _case("complaint", "in_progress", 5, enterprise_uscc=B, city="Wuxi"),
                # C: one complaint resolved: verified, named
                _case("complaint", "closed", 6, enterprise_uscc=C, outcome="refunded",
                      resolved_at=_at(9), city="昆山市"),
                # D: a confirmed tip: named; E: an unfounded tip and a rejected complaint
                _case("tip", "closed", 7, enterprise_uscc=D, outcome="case_opened",
                      resolved_at=_at(12), city="火星基地"),
                _case("tip", "closed", 8, enterprise_uscc=E, outcome="not_substantiated",
                      resolved_at=_at(12)),
                _case("complaint", "rejected", 8, enterprise_uscc=E,
                      reject_reason="outside_remit"),
                # a name as typed, accepted twice: never published
                _case("complaint", "accepted", 9, company="某某黑作坊"),
                _case("complaint", "accepted", 10, company="某某黑作坊", city="<b>城</b>"),
            ]
        )  # fmt: skip
        await s.commit()
    resp = await client.get("/api/v1/campaigns/315/2026")
    report = await resp.json()
    top = [(e["uscc"], e["name"], e["cases"]) for e in report["top_enterprises"]]
    assert top == [(B, NAMES[B], 2), (D, NAMES[D], 1), (C, NAMES[C], 1)]  # ties by name
    # the region list's cities (昆山市 is Suzhou's), "other" and "unknown", nothing typed
    assert report["cases"]["by_city"] == {
        "南京市": 2,
        "苏州市": 2,
        "无锡市": 1,
        "other": 2,
        "unknown": 3,
    }
    typed = ("某某黑作坊", "甲超市", "乙电器店", "火星", "<b>城</b>", "吴中区", "鼓楼", "昆山")
    csv_text = (await (await client.get("/campaigns/315/2026.csv?lang=en")).read()).decode(
        "utf-8-sig"
    )
    html = await (await client.get("/campaigns/315/2026?lang=zh")).text()
    book = load_workbook(io.BytesIO(await (await client.get("/campaigns/315/2026.xlsx")).read()))
    cells = " ".join(
        str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
    )
    for document in (csv_text, html, cells, str(report)):
        for value in typed:
            assert value not in document, value
        assert NAMES[A] not in document and NAMES[E] not in document
    assert NAMES[B] in csv_text and "Suzhou" in csv_text and "Other" in csv_text
    assert "其他" in html and "苏州市" in html


def test_the_rule_in_one_function() -> None:
    accepted = _case("complaint", "accepted", 3)
    resolved = _case("complaint", "resolved", 3, outcome="refunded")
    received_tip = _case("tip", "received", 3)
    accepted_tip = _case("tip", "accepted", 3)
    confirmed = _case("tip", "resolved", 3, outcome="case_opened")
    unfounded = _case("tip", "resolved", 3, outcome="not_substantiated")
    rejected = _case("complaint", "closed", 3, reject_reason="outside_remit")
    duplicate = _case("complaint", "accepted", 3, duplicate_of_id=1)
    inquiry = _case("inquiry", "closed", 3, outcome="answered")
    assert [counts_against_enterprise(c) for c in (accepted, resolved, confirmed)] == [True] * 3
    for case in (received_tip, accepted_tip, unfounded, rejected, duplicate, inquiry):
        assert not counts_against_enterprise(case)
    assert not publishable([accepted])
    assert not publishable([accepted, received_tip, duplicate])
    assert publishable([accepted, accepted])
    assert publishable([resolved]) and publishable([confirmed])
