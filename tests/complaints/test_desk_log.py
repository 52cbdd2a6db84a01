"""The desk pages for staff: the case log in sentences, the list ordered by what needs
action with filters and pages, weighty decisions that ask for a reason and a
confirmation, and what the receiving department sees after a transfer."""

from __future__ import annotations

import re

from sqlalchemy import select

from complaints.models import Case
from complaints.web import desk_pages
from tests.support.desk import ELEVATOR, POLLUTION, act, csrf_of, file_case, staff_token

MILK = "在超市买的牛奶已经过期三天了还在卖，孩子喝了拉肚子，要求退款赔偿"


async def _login(client, token: str) -> str:
    csrf = csrf_of(await (await client.get("/desk?lang=en")).text())
    resp = await client.post(
        "/desk/login?lang=en", data={"csrf_token": csrf, "token": token}, allow_redirects=False
    )
    assert resp.status == 303, await resp.text()
    return csrf


def _log(html: str) -> str:
    """The case log's text, tags removed."""
    part = html[html.index('class="responsive case-log"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


async def test_case_log_speaks_sentences_with_yuan_and_names(client, services) -> None:
    filed = await file_case(client, ELEVATOR)
    number = filed["tracking_no"]
    token = await staff_token(services, filed["department"], "钱工")
    await act(client, token, number, "accept", note="已电话联系")
    await act(client, token, number, "resolve", outcome="refunded", amount_yuan=200)
    await _login(client, token)
    english = _log(await (await client.get(f"/desk/cases/{number}?lang=en")).text())
    assert "钱工 accepted the case; resolution due by" in english
    assert "钱工 resolved the case: Refunded." in english
    assert "¥200.00 refunded or paid to the consumer." in english
    assert "Filed through the API and routed to Quality and Technical Supervision." in english
    assert "Note: 已电话联系" in english
    # no raw field diffs: no field names, no None, no fen, no department codes
    for raw in ("recovered_fen", "outcome:", "None", "20000", "zhijian", "resolve_due"):
        assert raw not in english, raw
    chinese = _log(await (await client.get(f"/desk/cases/{number}?lang=zh")).text())
    assert "钱工受理了此案" in chinese and "已退款" in chinese
    assert "¥200.00" in chinese and "质量技术监督局" in chinese
    assert "recovered_fen" not in chinese and "refunded" not in chinese
    # the JSON API carries the same sentences beside the stored data
    api = await client.get(
        f"/api/v1/desk/cases/{number}?lang=en", headers={"Authorization": f"Bearer {token}"}
    )
    events = (await api.json())["events"]
    assert events[-1]["text"][0].startswith("钱工 resolved the case: Refunded.")
    assert events[-1]["data"]["changes"]["recovered_fen"] == [0, 20000]


async def test_receiving_department_sees_the_transfer_and_its_reason(client, services) -> None:
    filed = await file_case(client, ELEVATOR)
    number = filed["tracking_no"]
    sender = await staff_token(services, filed["department"], "钱工")
    await act(
        client, sender, number, "transfer", department="shiyaojian", reason="涉及食品，转食药监"
    )
    receiver = await staff_token(services, "shiyaojian", "孙科长")
    await _login(client, receiver)
    html = await (await client.get(f"/desk/cases/{number}?lang=en")).text()
    head = html[: html.index('class="responsive case-log"')]
    assert "Transferred here" in head and "涉及食品，转食药监" in head
    assert "from Quality and Technical Supervision by 钱工" in head
    # the router's first choice is shown as history, not as the current routing
    assert "The router first chose Quality and Technical Supervision" in head
    assert '<th scope="row">Routing</th>' not in head
    assert "Food and Drug Administration" in head
    log = _log(html)
    assert (
        "钱工 transferred the case from Quality and Technical Supervision to Food and Drug "
        "Administration: “涉及食品，转食药监”." in log
    )
    chinese = await (await client.get(f"/desk/cases/{number}?lang=zh")).text()
    assert "涉及食品，转食药监" in chinese and "自动分派" in chinese


async def test_reject_and_transfer_need_a_reason_and_a_confirmation(client, services) -> None:
    filed = await file_case(client, ELEVATOR)
    number = filed["tracking_no"]
    token = await staff_token(services, filed["department"])
    csrf = await _login(client, token)
    page = await (await client.get(f"/desk/cases/{number}?lang=en")).text()
    # three decisions, each looking different, the weighty two with a confirmation tick
    for cls in ("act-accept", "act-transfer", "act-reject"):
        assert f'class="{cls}"' in page
    assert page.count('name="confirm" value="yes" required') == 2
    url = f"/desk/cases/{number}"
    attempts = [
        ("reject", {"reason": "outside_remit"}, "Tick the box to confirm"),
        ("reject", {"reason": "", "confirm": "yes"}, "Choose the reason for not accepting"),
        ("transfer", {"department": "jiaotong", "confirm": "yes"}, "Write why the case goes"),
        ("transfer", {"department": "", "reason": "x", "confirm": "yes"}, "Choose the department"),
        ("transfer", {"department": "jiaotong", "reason": "交通的事"}, "Tick the box to confirm"),
    ]
    for action, form, message in attempts:
        resp = await client.post(f"{url}/{action}?lang=en", data={"csrf_token": csrf, **form})
        assert resp.status == 400, (action, form)
        body = await resp.text()
        assert message in body, (action, form)
    kept = await client.post(
        f"{url}/transfer?lang=en",
        data={"csrf_token": csrf, "department": "jiaotong", "reason": "交通的事"},
    )
    assert "交通的事</textarea>" in await kept.text()  # the typed reason is kept
    zh = await client.post(f"{url}/reject?lang=zh", data={"csrf_token": csrf, "reason": "other"})
    assert zh.status == 400 and "请勾选确认" in await zh.text()
    async with services.sessions() as session:
        case = await session.scalar(select(Case).where(Case.tracking_no == number))
        assert case.status == "received" and case.department == filed["department"]
    done = await client.post(
        f"{url}/reject?lang=en",
        data={"csrf_token": csrf, "reason": "outside_remit", "confirm": "yes"},
        allow_redirects=False,
    )
    assert done.status == 303
    async with services.sessions() as session:
        case = await session.scalar(select(Case).where(Case.tracking_no == number))
        assert case.status == "rejected" and case.reject_reason == "outside_remit"


async def test_desk_list_puts_decisions_first_filters_and_pages(
    client, services, monkeypatch
) -> None:
    numbers = []
    for text in (ELEVATOR, ELEVATOR + "，第二次", POLLUTION, MILK):
        numbers.append((await file_case(client, text))["tracking_no"])
    async with services.sessions() as session:
        for case in await session.scalars(select(Case)):
            case.department = "zhijian"  # one desk for the test, whatever the router said
        await session.commit()
    token = await staff_token(services, "zhijian")
    # the oldest case is accepted: it no longer needs a decision and goes after the rest
    await act(client, token, numbers[0], "accept")
    await _login(client, token)
    html = await (await client.get("/desk?lang=en")).text()
    order = re.findall(r'href="/desk/cases/(\w+)\?', html)
    assert order[-1] == numbers[0] and set(order) == set(numbers)
    assert html.count('class="needs-action"') == 3
    assert "4 cases; those awaiting a decision first" in html
    tips = await (await client.get("/desk?lang=en&kind=tip")).text()
    assert re.findall(r'href="/desk/cases/(\w+)\?', tips) == [numbers[2]]
    accepted = await (await client.get("/desk?lang=en&status=accepted")).text()
    assert re.findall(r'href="/desk/cases/(\w+)\?', accepted) == [numbers[0]]
    monkeypatch.setattr(desk_pages, "PAGE_SIZE", 3)
    first = await (await client.get("/desk?lang=en")).text()
    assert "Page 1 of 2" in first and 'rel="next" href="/desk?lang=en&amp;page=2"' in first
    second = await (await client.get("/desk?lang=en&page=2")).text()
    assert re.findall(r'href="/desk/cases/(\w+)\?', second) == [numbers[0]]
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    # a filter is kept across pages; a page past the end shows the last one
    far = await (await client.get("/desk?lang=en&page=99&kind=complaint")).text()
    assert "Page 1 of 1" not in far and re.findall(r'href="/desk/cases/(\w+)\?', far)
