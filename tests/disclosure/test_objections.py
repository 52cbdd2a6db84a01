"""Objections (异议) to a grade: filed as JSON or from the company page's form (with CSRF),
numbered, and listed on the grading authority's desk behind staff tokens."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from disclosure.models import GradeObjection
from disclosure.objections import list_objections
from infra.accounts import add_staff, revoke_staff
from tests.support.disclosure_data import CHENGRUI, HONGDA, NOGRADE, seed

NUMBER = re.compile(r"^YY\d{8}-[2-9A-HJ-NP-Z]{4}$")
REASON = "2025年度现场评审时提交的整改材料未被采纳，请予复核。"


async def _token(services, department: str) -> tuple[int, str]:
    async with services.sessions() as s:
        staff, token = await add_staff(s, department, "值班员")
        await s.commit()
    return staff.id, token


async def test_objection_by_api_reaches_the_grading_desk(client, services) -> None:
    await seed(services, recalls=0)
    resp = await client.post(
        f"/api/v1/enterprises/{CHENGRUI}/objections",
        json={"reason": REASON, "contact": "0512-68881234", "year": 2000, "uscc": CHENGRUI},
    )
    assert resp.status == 400  # no grade for the year 2000
    assert (await resp.json())["error"]["field"] == "year"
    resp = await client.post(
        f"/api/v1/enterprises/{CHENGRUI}/objections",
        json={"reason": REASON, "contact": "0512-68881234", "uscc": CHENGRUI},
    )
    assert resp.status == 201, await resp.text()
    filed = await resp.json()
    assert NUMBER.match(filed["objection_no"])
    assert filed["department"] == "zhijian" and filed["status"] == "received"
    assert filed["grade"]["grade"] == "AAA"  # the latest grade by default

    async with services.sessions() as s:
        row = await s.scalar(select(GradeObjection))
        assert row.contact_enc and "0512" not in row.contact_enc  # encrypted at rest
        desk = await list_objections(s, "zhijian")
        assert [o["objection_no"] for o in desk] == [filed["objection_no"]]
        assert "contact" not in desk[0]  # only with the cipher
        assert await list_objections(s, "gongshang") == []

    unauthorised = await client.get("/api/v1/desk/objections")
    assert unauthorised.status == 401
    assert unauthorised.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await unauthorised.json())["error"]["code"] == "unauthorized"
    wrong = await client.get(
        "/api/v1/desk/objections", headers={"Authorization": "Bearer zxs_nonsense"}
    )
    assert wrong.status == 401

    staff_id, token = await _token(services, "zhijian")
    auth = {"Authorization": f"Bearer {token}"}
    resp = await client.get("/api/v1/desk/objections", headers=auth)
    assert resp.status == 200
    body = await resp.json()
    assert body["department"] == "zhijian"
    [item] = body["items"]
    assert item["objection_no"] == filed["objection_no"]
    assert (item["uscc"], item["grade"], item["contact"]) == (CHENGRUI, "AAA", "0512-68881234")
    assert item["reason"] == REASON

    number = filed["objection_no"]
    verified = await client.post(f"/api/v1/desk/objections/{number}/verify", headers=auth)
    assert verified.status == 200 and (await verified.json())["identity_verified"] is True
    resp = await client.post(
        f"/api/v1/desk/objections/{number}/status", json={"status": "reviewing"}, headers=auth
    )
    assert resp.status == 200 and (await resp.json())["status"] == "reviewing"
    bad = await client.post(
        f"/api/v1/desk/objections/{number}/status", json={"status": "maybe"}, headers=auth
    )
    assert bad.status == 400
    one = await client.get(f"/api/v1/desk/objections/{number}", headers=auth)
    assert (await one.json())["status"] == "reviewing"

    _, other = await _token(services, "gongshang")
    elsewhere = {"Authorization": f"Bearer {other}"}
    resp = await client.get("/api/v1/desk/objections", headers=elsewhere)
    assert (await resp.json())["items"] == []
    resp = await client.get(f"/api/v1/desk/objections/{number}", headers=elsewhere)
    assert resp.status == 404

    async with services.sessions() as s:
        await revoke_staff(s, staff_id)
        await s.commit()
    assert (await client.get("/api/v1/desk/objections", headers=auth)).status == 401


async def test_bad_objections_are_refused_clearly(client, services) -> None:
    await seed(services, recalls=0)
    cases = [
        (CHENGRUI, {"reason": "太短", "contact": "x@y.cn"}, 400, "reason"),
        (CHENGRUI, {"reason": REASON, "contact": "  "}, 400, "contact"),
        (CHENGRUI, {"reason": REASON}, 400, "contact"),
        (CHENGRUI, {"reason": REASON, "contact": "x@y.cn", "year": "2025"}, 400, "year"),
        (NOGRADE, {"reason": REASON, "contact": "x@y.cn"}, 400, "year"),
        ("91320000000000000X", {"reason": REASON, "contact": "x@y.cn"}, 404, None),
        ("123", {"reason": REASON, "contact": "x@y.cn"}, 400, None),
    ]
    for code, body, status, field in cases:
        body = {"uscc": code, **body}
        resp = await client.post(f"/api/v1/enterprises/{code}/objections", json=body)
        assert resp.status == status, (code, body, await resp.text())
        error = (await resp.json())["error"]
        assert error["message"]
        if field:
            assert error["field"] == field
    resp = await client.post(
        f"/api/v1/enterprises/{HONGDA}/objections",
        data="reason=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status == 415
    async with services.sessions() as s:
        assert (await s.scalars(select(GradeObjection))).all() == []


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form has no CSRF token"
    return match.group(1)


async def test_objection_form_on_the_company_page(client, services) -> None:
    await seed(services, recalls=0)
    year = date.today().year - 1  # HONGDA's grade before the current one
    page = await client.get(f"/enterprises/{HONGDA}?lang=en")
    html = await page.text()
    assert "Object to a grade" in html
    token = _csrf(html)
    url = f"/enterprises/{HONGDA}/objections?lang=en"

    forged = await client.post(url, data={"reason": REASON, "contact": "x@y.cn", "year": "1"})
    assert forged.status == 403
    assert "text/html" in forged.headers["Content-Type"]

    short = await client.post(
        url, data={"csrf_token": token, "reason": "<b>短</b>", "contact": "x@y.cn", "uscc": HONGDA}
    )
    assert short.status == 400
    html = await short.text()
    assert "at least 10" in html
    assert "&lt;b&gt;短&lt;/b&gt;" in html and "<b>短</b>" not in html  # kept, escaped

    resp = await client.post(
        url,
        data={
            "csrf_token": token,
            "reason": REASON,
            "contact": "x@y.cn",
            "year": str(year),
            "uscc": HONGDA,
        },
    )
    html = await resp.text()
    assert resp.status == 200, html
    assert "Objection filed" in html
    number = re.search(r"YY\d{8}-[2-9A-HJ-NP-Z]{4}", html).group(0)
    async with services.sessions() as s:
        desk = await list_objections(s, "zhijian")
    assert [o["objection_no"] for o in desk] == [number]
    assert (desk[0]["uscc"], desk[0]["year"], desk[0]["grade"]) == (HONGDA, year, "B")


async def test_objections_are_rate_limited_per_client(client, services) -> None:
    await seed(services, recalls=0)
    statuses = []
    for _ in range(12):
        resp = await client.post(
            f"/api/v1/enterprises/{CHENGRUI}/objections",
            json={"reason": REASON, "contact": "0512-68881234", "uscc": CHENGRUI},
        )
        statuses.append(resp.status)
    assert statuses[:10] == [201] * 10
    assert statuses[10:] == [429, 429]
    assert int(resp.headers["Retry-After"]) >= 1
    assert (await resp.json())["error"]["code"] == "rate_limited"
    async with services.sessions() as s:
        assert len((await s.scalars(select(GradeObjection))).all()) == 10
