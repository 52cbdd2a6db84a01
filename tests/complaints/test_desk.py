"""The department desk API: who may see and do what, the case log, transfers that teach
the router, tip confidentiality, rewards, deadlines and overdue counts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from complaints.deadlines import add_working_days
from complaints.intake import Submission, china_date
from complaints.models import Case, CaseEvent, OutboxEvent, RoutingExample
from complaints.overdue import flag_overdue, refresh_overdue
from complaints.service import submit
from complaints.workflow import ACTIONS
from infra.db import utcnow
from tests.support.desk import (
    ELEVATOR,
    POLLUTION,
    VAGUE,
    act,
    bearer,
    file_case,
    revoked_token,
    staff_token,
)

DESK_BODIES = {
    "accept": {},
    "reject": {"reason": "outside_remit"},
    "transfer": {"department": "gongshang", "reason": "x"},
    "progress": {"note": "x"},
    "resolve": {"outcome": "repaired"},
    "close": {},
    "notify": {},
}


def desk_routes(number: str) -> list[tuple[str, str, dict | None]]:
    routes: list[tuple[str, str, dict | None]] = [
        ("GET", "/api/v1/desk/cases", None),
        ("GET", f"/api/v1/desk/cases/{number}", None),
        ("GET", "/api/v1/desk/me", None),
    ]
    routes += [("POST", f"/api/v1/desk/cases/{number}/{a}", DESK_BODIES[a]) for a in ACTIONS]
    return routes


async def test_authorisation_matrix_on_every_desk_route(client, services):
    filed = await file_case(client, ELEVATOR)
    number = filed["tracking_no"]
    other = await staff_token(services, "gongshang")
    revoked = await revoked_token(services, "zhijian")
    for method, path, body in desk_routes(number):
        for headers in ({}, bearer(revoked), bearer("zxs_made-up"), {"Authorization": "Basic x"}):
            resp = await client.request(method, path, json=body, headers=headers)
            assert resp.status == 401, (method, path, headers)
            assert "Bearer" in resp.headers["WWW-Authenticate"]
        resp = await client.request(method, path, json=body, headers=bearer(other))
        if path.endswith(("/cases", "/me")):
            assert resp.status == 200
            data = await resp.json()
            assert number not in str(data)  # the other department's list does not show it
        else:
            assert resp.status == 404, (method, path, await resp.text())
    # nothing happened to the case
    async with services.sessions() as session:
        case = await session.scalar(select(Case))
        actions = list(await session.scalars(select(CaseEvent.action)))
    assert case.status == "received" and actions == ["filed"]


async def test_every_action_is_logged_with_who_when_and_what(client, services):
    filed = await file_case(client, ELEVATOR)
    number = filed["tracking_no"]
    token = await staff_token(services, "zhijian", "赵工")
    me = await (await client.get("/api/v1/desk/me", headers=bearer(token))).json()
    done = await act(client, token, number, "accept", note="材料齐全")
    today = china_date(utcnow())
    assert done["status"] == "accepted"
    # the mediation deadline now runs from the day of acceptance
    assert done["changes"]["resolve_due"][1] == add_working_days(today, 45).isoformat()
    await act(client, token, number, "progress", note="已约谈物业", public=True)
    await act(client, token, number, "resolve", outcome="compensated", amount_yuan=800)
    await act(client, token, number, "close")
    detail = await (await client.get(f"/api/v1/desk/cases/{number}", headers=bearer(token))).json()
    events = detail["events"]
    assert [e["action"] for e in events] == ["filed", "accept", "progress", "resolve", "close"]
    assert [e["to_status"] for e in events] == [
        "received",
        "accepted",
        "in_progress",
        "resolved",
        "closed",
    ]
    for event in events[1:]:
        assert event["actor"] == f"staff:{me['id']}" and event["data"]["staff"] == "赵工"
        assert event["at"]
    assert events[3]["data"]["changes"]["outcome"] == [None, "compensated"]
    assert events[3]["data"]["changes"]["recovered_fen"] == [0, 80000]
    assert detail["amount_yuan"] == 800 and detail["working_days"] == 0
    async with services.sessions() as session:
        topics = list(await session.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id)))
    assert topics == ["case.filed"] + ["case.status"] * 4


async def test_illegal_transitions_answer_409_with_a_reason(client, services):
    filed = await file_case(client, ELEVATOR)
    token = await staff_token(services, "zhijian")
    number = filed["tracking_no"]
    body = await act(client, token, number, "close", status=409)
    assert body["error"]["code"] == "illegal_transition"
    assert "received" in body["error"]["message"]
    await act(client, token, number, "reject", status=400, reason="bored")
    await act(client, token, number, "reject", reason="over_three_years")
    again = await act(client, token, number, "accept", status=409)
    assert "rejected" in again["error"]["message"]
    await act(client, token, number, "accept", status=400, unexpected=1)
    resp = await client.post(
        f"/api/v1/desk/cases/{number}/close",
        data="{",
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert resp.status == 400


async def test_triage_routes_the_unrouted_and_the_router_learns(client, services):
    filed = await file_case(client, VAGUE)
    assert filed["department"] == "triage"
    triage = await staff_token(services, "triage", "分拣员")
    jiaotong = await staff_token(services, "jiaotong")
    listed = await (await client.get("/api/v1/desk/cases", headers=bearer(triage))).json()
    assert [c["tracking_no"] for c in listed["items"]] == [filed["tracking_no"]]
    await act(client, triage, filed["tracking_no"], "transfer", status=400, department="jiaotong")
    done = await act(
        client,
        triage,
        filed["tracking_no"],
        "transfer",
        department="jiaotong",
        reason="共享单车停放归交通部门",
    )
    assert done["department"] == "jiaotong"
    # triage no longer sees it; jiaotong does, with a fresh acceptance deadline
    gone = await client.get(f"/api/v1/desk/cases/{filed['tracking_no']}", headers=bearer(triage))
    assert gone.status == 404
    detail = await (
        await client.get(f"/api/v1/desk/cases/{filed['tracking_no']}", headers=bearer(jiaotong))
    ).json()
    assert detail["status"] == "received" and detail["routed_department"] == "triage"
    assert detail["events"][-1]["data"]["reason"] == "共享单车停放归交通部门"
    async with services.sessions() as session:
        example = await session.scalar(select(RoutingExample))
        topics = set(await session.scalars(select(OutboxEvent.topic)))
    assert example is not None and example.department == "jiaotong"
    assert "case.transferred" in topics
    # one transfer does not re-route everything that resembles it ...
    again = await file_case(client, VAGUE + "，没人管")
    assert again["department"] == "triage"
    # ... but a second, agreeing transfer does: the next similar text goes straight
    # to the department staff chose, and the citizen is not told about other cases
    await act(
        client, triage, again["tracking_no"], "transfer", department="jiaotong", reason="同上"
    )
    third = await file_case(client, VAGUE + "，到底谁管")
    assert third["department"] == "jiaotong"
    assert not any("类似" in r or "similar" in r for r in third["routing"]["reasons"])


async def test_tip_reporter_is_shown_only_to_the_handling_department(client, services):
    contact, name = "13911112222", "周实名"
    tip = await file_case(
        client, VAGUE + "，我举报这家公司", kind="tip", contact=contact, name=name
    )
    assert tip["department"] == "triage"
    anonymous = await file_case(client, POLLUTION, kind="tip", anonymous=True)
    triage = await staff_token(services, "triage")
    huanbao = await staff_token(services, "huanbao")
    jiaotong = await staff_token(services, "jiaotong")
    url = f"/api/v1/desk/cases/{tip['tracking_no']}"
    # triage only routes: it does not learn who the reporter is
    at_triage = await (await client.get(url, headers=bearer(triage))).json()
    assert at_triage["reporter"] is None and at_triage["reporter_withheld"] is True
    assert contact not in str(at_triage)
    await act(
        client, triage, tip["tracking_no"], "transfer", department="jiaotong", reason="归交通"
    )
    handling = await (await client.get(url, headers=bearer(jiaotong))).json()
    assert handling["reporter"] == {"contact": contact, "name": name}
    # nobody else sees the case at all
    assert (await client.get(url, headers=bearer(huanbao))).status == 404
    # an anonymous tip has no reporter anywhere, even at its handling department
    anon = await (
        await client.get(f"/api/v1/desk/cases/{anonymous['tracking_no']}", headers=bearer(huanbao))
    ).json()
    assert anon["anonymous"] is True and anon["reporter"] is None
    assert anon["reporter_withheld"] is False


async def test_tip_reward_is_computed_from_the_rules_and_recorded(client, services):
    tip = await file_case(client, POLLUTION, kind="tip", contact="13600000000")
    token = await staff_token(services, "huanbao")
    number = tip["tracking_no"]
    accepted = await act(client, token, number, "accept")
    notify_due = accepted["changes"]["notify_due"][1]
    assert notify_due == add_working_days(china_date(utcnow()), 5).isoformat()
    await act(
        client,
        token,
        number,
        "resolve",
        status=400,
        outcome="case_opened",
        penalty_yuan=2_000_000,
        reward_level=7,
    )
    await act(
        client,
        token,
        number,
        "resolve",
        outcome="case_opened",
        penalty_yuan=2_000_000,
        reward_level=1,
    )
    detail = await (await client.get(f"/api/v1/desk/cases/{number}", headers=bearer(token))).json()
    assert detail["penalty_yuan"] == 2_000_000 and detail["reward_yuan"] == 100_000
    assert detail["events"][-1]["data"]["reward_level"] == 1
    assert "notify" in detail["allowed_actions"]
    await act(client, token, number, "notify", note="电话告知")
    await act(client, token, number, "notify", status=409)
    view = await (
        await client.get(f"/api/v1/cases/{number}", headers={"X-Access-Code": tip["access_code"]})
    ).json()
    assert view["outcome"] == "case_opened" and view["reward_yuan"] == 100_000


def _received_for_acceptance_due(days_ago: int) -> datetime:
    """A receipt time whose acceptance deadline (7 working days) passed ``days_ago`` or a
    little earlier: holidays make the exact day move."""
    today = china_date(utcnow())
    for back in range(8, 60):
        received = today - timedelta(days=back)
        if (today - add_working_days(received, 7)).days >= days_ago:
            return datetime.combine(received, time(10), tzinfo=UTC)
    raise AssertionError("no such day")


@pytest.fixture
async def unraced_client(aiohttp_client, settings, services):
    """The app without its background overdue round, which would race the test's own."""
    from complaints.web import OVERDUE_WATCH
    from zhixin.app import create_app

    app = create_app(settings, services)
    app[OVERDUE_WATCH] = False
    return await aiohttp_client(app)


async def test_overdue_cases_are_flagged_counted_and_announced_once(unraced_client, services):
    client = unraced_client
    stale = await submit(
        services,
        Submission(
            text=ELEVATOR, channel="bot", contact="tg", received_at=_received_for_acceptance_due(30)
        ),
    )
    late = await submit(
        services,
        Submission(
            text=ELEVATOR + "，三号楼",
            channel="bot",
            contact="tg",
            received_at=_received_for_acceptance_due(1),
        ),
    )
    await file_case(client, ELEVATOR + "，今天又坏了")
    token = await staff_token(services, "zhijian")
    listing = await (
        await client.get("/api/v1/desk/cases?overdue=true", headers=bearer(token))
    ).json()
    overdue = [late.case.tracking_no, stale.case.tracking_no]
    assert [c["tracking_no"] for c in listing["items"]] == overdue
    assert all(c["overdue"] is True for c in listing["items"])
    on_time = await (
        await client.get("/api/v1/desk/cases?overdue=false", headers=bearer(token))
    ).json()
    assert len(on_time["items"]) == 1 and on_time["items"][0]["overdue"] is False
    bad = await client.get("/api/v1/desk/cases?overdue=maybe", headers=bearer(token))
    assert bad.status == 400
    async with services.sessions() as session:
        counts = await refresh_overdue(session, services.metrics, china_date(utcnow()))
        assert counts == {"zhijian": 2}
        # only the deadline missed in the last week is announced; the stale one is not
        assert await flag_overdue(session) == 1
        await session.commit()
        assert await flag_overdue(session) == 0  # once per passed deadline
        await session.commit()
        notices = list(
            await session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "case.overdue"))
        )
    assert [n.payload["tracking_no"] for n in notices] == [late.case.tracking_no]
    metrics = await (await client.get("/metrics")).text()
    assert 'zhixin_cases_overdue{department="zhijian"} 2.0' in metrics
    assert 'zhixin_cases_overdue{department="gongshang"} 0.0' in metrics
    # the overdue entry is staff-only: the citizen's view does not show it
    view = await (
        await client.get(
            f"/api/v1/cases/{late.case.tracking_no}", headers={"X-Access-Code": late.access_code}
        )
    ).json()
    assert view["overdue"] is True and [e["action"] for e in view["events"]] == ["filed"]
    # deciding clears the flag
    for number in overdue:
        await act(client, token, number, "accept")
    async with services.sessions() as session:
        assert await refresh_overdue(session, services.metrics, china_date(utcnow())) == {}


async def test_paging_through_the_department_list(client, services):
    for i in range(3):
        await file_case(client, f"{ELEVATOR}，第{i}栋")
    token = await staff_token(services, "zhijian")
    first = await (await client.get("/api/v1/desk/cases?limit=2", headers=bearer(token))).json()
    assert len(first["items"]) == 2 and first["next_before"]
    rest = await (
        await client.get(
            f"/api/v1/desk/cases?limit=2&before={first['next_before']}", headers=bearer(token)
        )
    ).json()
    assert len(rest["items"]) == 1 and rest["next_before"] is None
    numbers = [c["tracking_no"] for c in first["items"] + rest["items"]]
    assert len(set(numbers)) == 3
    for bad in ("limit=0", "limit=x", "status=lost", "before=-1"):
        assert (await client.get(f"/api/v1/desk/cases?{bad}", headers=bearer(token))).status == 400
