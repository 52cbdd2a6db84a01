"""Grade objections as a workflow: a state machine that refuses illegal steps, an
append-only log of who did what, an identity step (the enterprise's own credit code,
and a contact staff verify before anything is done), and a tracking page for the
objector with the number and access code, dates in China time."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from disclosure import objection_flow
from disclosure.models import GradeObjection, ObjectionEvent
from disclosure.objection_flow import IllegalObjectionStep, ObjectionError
from disclosure.objections import objection_number
from infra.accounts import add_staff
from tests.support.desk import csrf_of
from tests.support.disclosure_data import CHENGRUI, HONGDA, seed

REASON = "2025年度现场评审时提交的整改材料未被采纳，请予复核。"


def test_state_machine_allows_only_the_forward_steps() -> None:
    plan = objection_flow.plan
    assert objection_flow.allowed_actions("received", False) == ["verify", "dismiss"]
    assert objection_flow.allowed_actions("received", True) == ["review", "dismiss"]
    assert objection_flow.allowed_actions("reviewing", True) == ["uphold", "dismiss"]
    assert objection_flow.allowed_actions("upheld", True) == []
    assert plan("received", True, "review").to_status == "reviewing"
    assert plan("reviewing", True, "uphold", "材料属实").to_status == "upheld"
    step = plan("received", False, "verify")
    assert step.verifies and step.to_status == "received"
    refused = [
        ("received", False, "review", None),  # identity not verified yet
        ("received", True, "verify", None),  # verified already
        ("received", True, "uphold", "x"),  # not reviewed
        ("upheld", True, "review", None),  # decided: final
        ("upheld", True, "dismiss", "x"),
        ("dismissed", True, "uphold", "x"),
    ]
    for status, verified, action, note in refused:
        with pytest.raises(IllegalObjectionStep):
            plan(status, verified, action, note)
    with pytest.raises(ObjectionError) as missing:
        plan("reviewing", True, "uphold")  # a decision needs its reasons
    assert missing.value.field == "note" and missing.value.status == 400
    with pytest.raises(IllegalObjectionStep):
        objection_flow.action_for_status("received")  # nothing moves back
    with pytest.raises(ObjectionError):
        objection_flow.action_for_status("maybe")


def test_objection_number_is_dated_in_china() -> None:
    # 17:30 UTC on 14 March is 01:30 on 15 March in Shanghai
    assert objection_number(datetime(2026, 3, 14, 17, 30, tzinfo=UTC)).startswith("YY20260315-")


async def _staff(services, department: str) -> tuple[int, dict[str, str]]:
    async with services.sessions() as s:
        staff, token = await add_staff(s, department, "复核员")
        await s.commit()
    return staff.id, {"Authorization": f"Bearer {token}"}


async def _file(client, **body) -> dict:
    resp = await client.post(
        f"/api/v1/enterprises/{CHENGRUI}/objections?lang=en",
        json={"reason": REASON, "contact": "0512-68881234", **body},
    )
    return {**(await resp.json()), "http": resp.status}


async def test_identity_step_and_logged_state_machine(client, services) -> None:
    await seed(services, recalls=0)
    # the identity step: the code typed must be the graded enterprise's
    for claimed in (None, "", HONGDA, "not-a-code"):
        body = {} if claimed is None else {"uscc": claimed}
        refused = await _file(client, **body)
        assert refused["http"] == 400 and refused["error"]["field"] == "uscc", refused
    filed = await _file(client, uscc=CHENGRUI.lower())
    assert filed["http"] == 201 and filed["identity_verified"] is False
    number, code = filed["objection_no"], filed["access_code"]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", code)

    staff_id, auth = await _staff(services, "zhijian")
    base = f"/api/v1/desk/objections/{number}"
    # not acted on until the identity is verified
    early = await client.post(f"{base}/status?lang=en", json={"status": "reviewing"}, headers=auth)
    assert early.status == 409
    assert "identity" in (await early.json())["error"]["message"]
    assert (await client.post(f"{base}/verify", headers=auth)).status == 200
    again = await client.post(f"{base}/verify", headers=auth)
    assert again.status == 409
    resp = await client.post(f"{base}/review", json={"note": "材料已收"}, headers=auth)
    assert resp.status == 200 and (await resp.json())["status"] == "reviewing"
    no_note = await client.post(f"{base}/uphold", headers=auth)
    assert no_note.status == 400 and (await no_note.json())["error"]["field"] == "note"
    resp = await client.post(
        f"{base}/status", json={"status": "upheld", "note": "整改材料属实，等级更正"}, headers=auth
    )
    assert resp.status == 200 and (await resp.json())["status"] == "upheld"
    # upheld is final: it cannot go back to received, nor anywhere else
    for status in ("received", "reviewing", "dismissed"):
        back = await client.post(f"{base}/status", json={"status": status}, headers=auth)
        assert back.status == 409, status
        assert (await back.json())["error"]["code"] == "conflict"

    detail = await (await client.get(base, headers=auth)).json()
    assert detail["status"] == "upheld" and detail["identity_verified"] is True
    assert detail["identity_verified_by"] == f"staff:{staff_id}"
    steps = [(e["action"], e["from_status"], e["to_status"], e["actor"]) for e in detail["events"]]
    actor = f"staff:{staff_id}"
    assert steps == [
        ("filed", None, "received", "objector"),
        ("verify", "received", "received", actor),
        ("review", "received", "reviewing", actor),
        ("uphold", "reviewing", "upheld", actor),
    ]
    assert detail["events"][-1]["note"] == "整改材料属实，等级更正"
    assert detail["created_at_china"].endswith("+08:00")

    # the log is append-only in the database itself
    async with services.sessions() as s:
        assert len((await s.scalars(select(ObjectionEvent))).all()) == 4
        with pytest.raises(DBAPIError):
            await s.execute(text("UPDATE objection_events SET actor = 'someone else'"))
            await s.commit()
        await s.rollback()
        with pytest.raises(DBAPIError):
            await s.execute(text("DELETE FROM objection_events"))
            await s.commit()
        await s.rollback()
        row = await s.scalar(select(GradeObjection))
        assert row.status == "upheld" and row.access_code_hash and code not in row.access_code_hash


async def test_objector_follows_the_objection_in_both_languages(client, services) -> None:
    await seed(services, recalls=0)
    filed = await _file(client, uscc=CHENGRUI)
    number, code = filed["objection_no"], filed["access_code"]

    api = await client.get(f"/api/v1/objections/{number}", headers={"X-Access-Code": code})
    assert api.status == 200
    view = await api.json()
    assert view["status"] == "received" and view["filed_at"].endswith("+08:00")
    assert [e["action"] for e in view["events"]] == ["filed"]
    assert "actor" not in view["events"][0]  # staff are not named to the objector
    wrong = await client.get(f"/api/v1/objections/{number}", headers={"X-Access-Code": "WRONG234"})
    made_up = "/api/v1/objections/YY20260101-AAAA"
    unknown = await client.get(made_up, headers={"X-Access-Code": code})
    assert wrong.status == unknown.status == 404
    assert (await wrong.json()) == (await unknown.json())

    _, auth = await _staff(services, "zhijian")
    await client.post(f"/api/v1/desk/objections/{number}/verify", headers=auth)
    await client.post(f"/api/v1/desk/objections/{number}/review", headers=auth)

    for lang, status_text, heading in (
        ("en", "Under review", "Follow a grade objection"),
        ("zh", "复核中", "查询等级异议"),
    ):
        form = await client.get(f"/objections/track?lang={lang}&objection_no={number}")
        assert form.status == 200
        page = await form.text()
        assert heading in page and number in page
        resp = await client.post(
            f"/objections/track?lang={lang}",
            data={"csrf_token": csrf_of(page), "objection_no": number, "access_code": code},
        )
        html = await resp.text()
        assert resp.status == 200, html
        assert status_text in html and "苏州澄瑞电子科技有限公司" in html
        assert "+08:00" in html  # the log's times are China time
        bad = await client.post(
            f"/objections/track?lang={lang}",
            data={"csrf_token": csrf_of(page), "objection_no": number, "access_code": "X"},
        )
        assert bad.status == 404 and status_text not in await bad.text()
    forged = await client.post(
        "/objections/track", data={"objection_no": number, "access_code": code}
    )
    assert forged.status == 403


async def test_desk_pages_move_objections_and_log_them(client, services) -> None:
    await seed(services, recalls=0)
    filed = await _file(client, uscc=CHENGRUI)
    number = filed["objection_no"]
    async with services.sessions() as s:
        staff, token = await add_staff(s, "zhijian", "复核员")
        _other, other_token = await add_staff(s, "gongshang", "别的科室")
        await s.commit()
    login = await client.get("/desk?lang=en")
    await client.post(
        "/desk/login?lang=en", data={"csrf_token": csrf_of(await login.text()), "token": token}
    )
    listing = await (await client.get("/desk/objections?lang=en")).text()
    assert number in listing and "Not verified" in listing
    page = await client.get(f"/desk/objections/{number}?lang=en")
    html = await page.text()
    assert "0512-68881234" in html and "Identity verified" in html  # the verify button
    assert "Review begun" not in html  # no review before the identity check
    resp = await client.post(
        f"/desk/objections/{number}/review?lang=en",
        data={"csrf_token": csrf_of(html)},
        allow_redirects=False,
    )
    assert resp.status == 409
    for action, note in (("verify", "电话核实为法务部"), ("review", ""), ("dismiss", "材料不足")):
        resp = await client.post(
            f"/desk/objections/{number}/{action}?lang=en",
            data={"csrf_token": csrf_of(html), "note": note},
            allow_redirects=False,
        )
        assert resp.status == 303, (action, await resp.text())
    html = await (await client.get(f"/desk/objections/{number}?lang=en")).text()
    assert "Objection dismissed, grade confirmed" in html and "材料不足" in html
    assert f"staff:{staff.id}" in html
    async with services.sessions() as s:
        row = await s.scalar(select(GradeObjection))
        assert row.status == "dismissed"
        steps = [e.action for e in await s.scalars(select(ObjectionEvent).order_by("id"))]
    assert steps == ["filed", "verify", "review", "dismiss"]
    # another department's desk does not see it
    client.session.cookie_jar.clear()
    login = await client.get("/desk?lang=en")
    await client.post(
        "/desk/login?lang=en",
        data={"csrf_token": csrf_of(await login.text()), "token": other_token},
    )
    assert (await client.get(f"/desk/objections/{number}?lang=en")).status == 404
