"""The HTML flows with a browser-like client (cookies): the complaint form, tracking and
rating, and the department desk (login, list, case page, actions, logout), with CSRF and
escaping."""

from __future__ import annotations

import re

from sqlalchemy import select

from complaints.models import Case
from infra.accounts import Staff, revoke_staff
from tests.support.desk import ELEVATOR, VAGUE, act, csrf_of, file_case, staff_token

SCRIPT = "<script>alert('x')</script>"


def _field(html: str, label: str) -> str:
    match = re.search(rf"{label}</th><td><strong>([A-Z0-9]+)</strong>", html)
    assert match, f"{label} not on the page"
    return match.group(1)


async def test_complaint_form_files_and_shows_number_code_and_department(client, services):
    page = await client.get("/complain?lang=en")
    assert page.status == 200
    html = await page.text()
    token = csrf_of(html)
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', html).group(1)
    form = {
        "kind": "complaint",
        "text": ELEVATOR + SCRIPT,
        "contact": "13812345678",
        "company": "某某物业",
        "submission_id": submission_id,
    }
    refused = await client.post("/complain?lang=en", data=form)
    assert refused.status == 403  # no CSRF token
    done = await client.post("/complain?lang=en", data={**form, "csrf_token": token})
    assert done.status == 201
    html = await done.text()
    number, code = _field(html, "Tracking number"), _field(html, "Access code")
    assert "Quality and Technical Supervision" in html
    # the router's reasons, in plain sentences in the page's language
    assert "Mentions “elevator”" in html or "Mentions “电梯”" in html
    assert "the responsible department is Quality and Technical Supervision." in html
    assert done.headers["Cache-Control"] == "no-store"
    # a double submission of the same form files nothing new and shows the same code
    twice = await client.post("/complain?lang=en", data={**form, "csrf_token": token})
    assert _field(await twice.text(), "Access code") == code
    async with services.sessions() as session:
        assert len(list(await session.scalars(select(Case)))) == 1
    # a complaint without a contact is refused with the form kept
    missing = await client.post(
        "/complain", data={**form, "contact": "", "submission_id": "", "csrf_token": token}
    )
    assert missing.status == 400
    body = await missing.text()
    assert "投诉须留下联系方式" in body and "某某物业" in body
    assert number and SCRIPT not in body


async def test_tracking_page_shows_the_case_and_takes_one_rating(client, services):
    filed = await file_case(client, ELEVATOR + SCRIPT)
    number, code = filed["tracking_no"], filed["access_code"]
    page = await client.get(f"/track?tracking_no={number}&lang=en")
    token = csrf_of(await page.text())
    assert number in await page.text()
    wrong = await client.post(
        "/track?lang=en",
        data={"csrf_token": token, "tracking_no": number, "access_code": "NOTRIGHT"},
    )
    assert wrong.status == 404
    no_csrf = await client.post("/track", data={"tracking_no": number, "access_code": code})
    assert no_csrf.status == 403
    ok = await client.post(
        "/track?lang=en", data={"csrf_token": token, "tracking_no": number, "access_code": code}
    )
    html = await ok.text()
    assert ok.status == 200 and "Received" in html and "Quality and Technical" in html
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert 'name="rating"' not in html  # not finished yet
    staff = await staff_token(services, "zhijian")
    await act(client, staff, number, "accept")
    await act(client, staff, number, "resolve", outcome="repaired")
    html = await (
        await client.post(
            "/track?lang=en", data={"csrf_token": token, "tracking_no": number, "access_code": code}
        )
    ).text()
    assert 'name="rating"' in html and "Repaired" in html
    rated = await client.post(
        "/track/rating?lang=en",
        data={
            "csrf_token": token,
            "tracking_no": number,
            "access_code": code,
            "rating": "5",
            "comment": "很快",
        },
    )
    assert rated.status == 200 and "Thank you for your rating." in await rated.text()
    again = await client.post(
        "/track/rating?lang=en",
        data={"csrf_token": token, "tracking_no": number, "access_code": code, "rating": "1"},
    )
    assert again.status == 409 and "already been rated" in await again.text()


async def _login(client, token: str) -> None:
    page = await client.get("/desk?lang=en")
    csrf = csrf_of(await page.text())
    resp = await client.post(
        "/desk/login?lang=en", data={"csrf_token": csrf, "token": token}, allow_redirects=False
    )
    assert resp.status == 303, await resp.text()
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/desk" in cookie


async def test_desk_pages_login_list_act_and_logout(client, services):
    late = await file_case(client, VAGUE + SCRIPT)
    token = await staff_token(services, "triage", "分拣员")
    page = await client.get("/desk?lang=en")
    csrf = csrf_of(await page.text())
    refused = await client.post("/desk/login", data={"token": token})
    assert refused.status == 403
    bad = await client.post("/desk/login?lang=en", data={"csrf_token": csrf, "token": "nope"})
    assert bad.status == 401 and "not valid" in await bad.text()
    # not logged in: the case page sends to the login form, actions are refused
    away = await client.get(f"/desk/cases/{late['tracking_no']}", allow_redirects=False)
    assert away.status == 303
    await _login(client, token)
    listing = await (await client.get("/desk?lang=en")).text()
    assert late["tracking_no"] in listing and SCRIPT not in listing and "&lt;script&gt;" in listing
    case_url = f"/desk/cases/{late['tracking_no']}"
    case_page = await (await client.get(case_url + "?lang=en")).text()
    assert "Transfer to" in case_page and "&lt;script&gt;" in case_page
    action = f"{case_url}/transfer?lang=en"
    no_csrf = await client.post(action, data={"department": "jiaotong", "reason": "x"})
    assert no_csrf.status == 403
    illegal = await client.post(f"{case_url}/close?lang=en", data={"csrf_token": csrf})
    assert illegal.status == 409 and "cannot close" in await illegal.text()
    moved = await client.post(
        action,
        data={"csrf_token": csrf, "department": "jiaotong", "reason": "交通管", "confirm": "yes"},
        allow_redirects=False,
    )
    assert moved.status == 303 and moved.headers["Location"].startswith("/desk?done=transfer")
    # the case has left this desk
    assert (await client.get(case_url)).status == 404
    await client.post("/desk/logout", data={"csrf_token": csrf})
    assert "Staff token" in await (await client.get("/desk?lang=en")).text()


async def test_desk_session_ends_when_the_token_is_revoked(client, services):
    filed = await file_case(client, ELEVATOR)
    token = await staff_token(services, "zhijian", "钱工")
    await _login(client, token)
    csrf = csrf_of(await (await client.get("/desk")).text())
    case_url = f"/desk/cases/{filed['tracking_no']}"
    accepted = await client.post(
        f"{case_url}/accept", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert accepted.status == 303
    page = await (await client.get(case_url + "?lang=en")).text()
    assert "Accepted" in page and "钱工" in page and "13812345678" in page
    other = await staff_token(services, "gongshang")
    async with services.sessions() as session:
        staff = await session.scalar(select(Staff).where(Staff.name == "钱工"))
        await revoke_staff(session, staff.id)
        await session.commit()
    # the cookie no longer opens anything
    assert "Staff token" in await (await client.get("/desk?lang=en")).text()
    blocked = await client.post(f"{case_url}/progress", data={"csrf_token": csrf, "note": "x"})
    assert blocked.status == 401
    # another department's staff get 404 on the page
    client.session.cookie_jar.clear()
    await _login(client, other)
    assert (await client.get(case_url)).status == 404
