"""The citizen's pages after a POST and the way from a company or a recall to a complaint.

The language switch of a result page (the filing receipt, the tracking and rating
pages) shows the same result again in the other language, never a blank form or a 405;
``/complain?company=`` and ``?recall=`` prefill the form, and a bad value is a message.
"""

from __future__ import annotations

import re
from html import unescape

from complaints.models import Case
from nlp.uscc import make_code
from tests.support.desk import ELEVATOR, act, csrf_of, staff_token
from tests.support.disclosure_data import CHENGRUI, HONGDA, NOGRADE, seed

UNKNOWN = make_code("91", "320583", "MA1UK999")


def lang_form(html: str) -> tuple[str, dict[str, list[str]]]:
    """The language switch of a POST result: its action and its hidden fields."""
    match = re.search(r'<form class="lang-switch" method="post" action="([^"]+)">(.*?)</form>',
                      html, re.S)  # fmt: skip
    assert match, "the page offers no language switch form"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                  match.group(2)):  # fmt: skip
        fields.setdefault(name, []).append(unescape(value))
    return unescape(match.group(1)), fields


def no_switch_link(html: str) -> bool:
    """No plain link switches the language (it would lose a POST result)."""
    return "hreflang=" not in html


async def _file_on_the_form(client, text: str = ELEVATOR) -> str:
    form = await client.get("/complain")
    data = {"csrf_token": csrf_of(await form.text()), "text": text, "contact": "13812345678",
            "kind": "complaint", "submission_id": "receipt-switch-0123456789"}  # fmt: skip
    resp = await client.post("/complain", data=data)
    assert resp.status == 201
    return await resp.text()


async def test_receipt_switches_language_and_keeps_the_receipt(client, services) -> None:
    await seed(services, recalls=0)
    receipt = await _file_on_the_form(client)
    number = re.search(r"<strong>([A-Z0-9-]{8,})</strong>", receipt).group(1)
    code = re.findall(r"<strong>([^<]+)</strong>", receipt)[1]
    assert '<html lang="zh-CN">' in receipt
    assert no_switch_link(receipt)
    action, fields = lang_form(receipt)
    assert action == "/complain/receipt?lang=en"
    assert fields["tracking_no"] == [number] and fields["access_code"] == [code]

    again = await client.post(action, data={k: v[0] for k, v in fields.items()})
    html = await again.text()
    assert again.status == 200
    assert '<html lang="en">' in html
    assert "We have received your submission" in html
    assert number in html and code in html  # the same receipt, the code shown once more
    assert "Why this department:" in html
    back_action, back_fields = lang_form(html)
    assert back_action == "/complain/receipt?lang=zh"
    assert back_fields["tracking_no"] == [number]
    async with services.sessions() as session:  # shown again, not filed again
        assert len((await session.execute(Case.__table__.select())).all()) == 1


async def test_receipt_again_needs_the_access_code(client) -> None:
    receipt = await _file_on_the_form(client)
    action, fields = lang_form(receipt)
    data = {"csrf_token": fields["csrf_token"][0], "tracking_no": fields["tracking_no"][0],
            "access_code": "wrong-code"}  # fmt: skip
    resp = await client.post(action, data=data)
    html = await resp.text()
    assert resp.status == 404
    assert "No case matches this tracking number and access code." in html
    assert fields["tracking_no"][0] not in re.sub(r'value="[^"]*"', "", html.split("<main")[1])


async def test_tracking_and_rating_results_switch_language_in_place(client, services) -> None:
    receipt = await _file_on_the_form(client)
    number = re.search(r"<strong>([A-Z0-9-]{8,})</strong>", receipt).group(1)
    code = re.findall(r"<strong>([^<]+)</strong>", receipt)[1]
    async with services.sessions() as session:
        department = (await session.scalar(
            Case.__table__.select().with_only_columns(Case.department).where(
                Case.tracking_no == number)))  # fmt: skip
    token = await staff_token(services, department)
    await act(client, token, number, "accept")
    await act(client, token, number, "resolve", outcome="mediated", note="已调解")
    await act(client, token, number, "close")

    track = await client.get("/track?lang=en")
    data = {"csrf_token": csrf_of(await track.text()), "tracking_no": number,
            "access_code": code}  # fmt: skip
    rated = await client.post("/track/rating?lang=en", data=data | {"rating": "4"})
    html = await rated.text()
    assert rated.status == 200 and "Thank you for your rating." in html
    assert no_switch_link(html)
    action, fields = lang_form(html)
    assert action == "/track?lang=zh"
    # before, the switch was a link to /track/rating: a GET there answered 405
    assert (await client.get("/track/rating?lang=zh")).status == 405
    again = await client.post(action, data={k: v[0] for k, v in fields.items()})
    zh = await again.text()
    assert again.status == 200 and '<html lang="zh-CN">' in zh
    assert number in zh and "您的评价：" in zh and "4/5" in zh


async def test_other_post_results_offer_no_switch_that_loses_them(client, services) -> None:
    await seed(services, recalls=0)
    form = await client.get("/complain?lang=en")
    assert 'hreflang="zh-CN"' in await form.text()  # a GET page keeps its link
    data = {"csrf_token": csrf_of(await form.text()), "text": "", "contact": ""}
    refused = await client.post("/complain?lang=en", data=data)
    assert refused.status == 400 and no_switch_link(await refused.text())


async def test_company_and_recall_pages_link_to_a_prefilled_form(client, services) -> None:
    ids = await seed(services, recalls=4)
    company = await (await client.get(f"/enterprises/{CHENGRUI}?lang=en")).text()
    link = f'href="/complain?company={CHENGRUI}&amp;lang=en"'
    assert link in company and "Complain about this company" in company

    form = await client.get(f"/complain?company={CHENGRUI}&lang=en")
    html = await form.text()
    assert form.status == 200
    assert 'data-subject="company"' in html and "About this company" in html
    assert f'href="/enterprises/{CHENGRUI}?lang=en"' in html
    assert 'value="苏州澄瑞电子科技有限公司"' in html  # the company field, prefilled

    recall_id = ids["JS-T-0001"]
    recall = await (await client.get(f"/recalls/{recall_id}")).text()
    assert f'href="/complain?recall={recall_id}&amp;lang=zh"' in recall
    assert "投诉此召回产品" in recall
    form = await (await client.get(f"/complain?recall={recall_id}")).text()
    assert 'data-subject="recall"' in form and "关于此召回公告" in form
    assert "JS-T-0001" in form and "召回公告 JS-T-0001" in form.split("<textarea")[1]
    assert 'value="无锡宏达机械制造有限公司"' in form  # the producer of the seeded notices


async def test_a_complaint_from_a_company_page_names_that_company(client, services) -> None:
    await seed(services, recalls=0)
    page = await (await client.get(f"/complain?company={HONGDA}")).text()
    company = re.search(r'id="company" name="company" maxlength="200" value="([^"]*)"',
                        page).group(1)  # fmt: skip
    text = "买的机床用了一周主轴就坏了，商家拒绝维修。"
    data = {"csrf_token": csrf_of(page), "text": text, "contact": "13812345678",
            "company": unescape(company), "kind": "complaint"}  # fmt: skip
    resp = await client.post("/complain", data=data)
    assert resp.status == 201
    async with services.sessions() as session:
        row = (await session.execute(
            Case.__table__.select().with_only_columns(Case.company, Case.enterprise_uscc)
        )).one()  # fmt: skip
    assert row.company == "无锡宏达机械制造有限公司" and row.enterprise_uscc == HONGDA


async def test_bad_or_unknown_subjects_are_a_message_on_the_form(client, services) -> None:
    await seed(services, recalls=1)
    cases = {
        "/complain?company=12345&lang=en": (400, "is not a unified social credit code"),
        f"/complain?company={NOGRADE[:-1]}Z&lang=en": (400, "is not a unified social credit"),
        f"/complain?company={UNKNOWN}&lang=en": (
            404,
            f"No enterprise is registered with the code {UNKNOWN}",
        ),
        "/complain?recall=abc&lang=en": (400, "There is no recall notice numbered “abc”"),
        "/complain?recall=99999999&lang=en": (404, "There is no recall notice numbered"),
        "/complain?recall=-1": (400, "没有编号为“-1”的召回公告"),
        "/complain?company=%3Cscript%3E": (400, "“&lt;script&gt;”不是统一社会信用代码"),
    }
    for path, (status, message) in cases.items():
        resp = await client.get(path)
        html = await resp.text()
        assert resp.status == status, (path, resp.status)
        assert message in html, path
        assert '<form method="post" action="/complain' in html, path  # the form is still there
        assert "data-subject=" not in html, path
