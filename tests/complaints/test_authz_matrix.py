"""Who may use the desk: every desk route of the app (JSON under ``/api/v1/desk/``,
pages under ``/desk``), taken from the router so a new route cannot slip past, against
no credentials, a made-up token, a revoked token, and a token of another department.

Without valid credentials: 401 (JSON routes, and form posts) or the login page / a
redirect to it (pages). Another department: 404 for anything about one case or
objection, and lists that do not show it. Nothing changes in the database meanwhile.
"""

from __future__ import annotations

import secrets

import aiohttp
from sqlalchemy import select

from complaints.web.desk import PARAMS
from complaints.web.desk_pages import session_cookie
from infra import csrf
from infra.accounts import Staff, add_staff, revoke_staff
from tests.conftest import SECRET
from tests.support.attack import fill, routes, table_counts
from tests.support.bot_world import seed
from tests.support.desk import ELEVATOR, bearer, file_case
from tests.support.evidence import png

# pages anyone may post to: logging in is how credentials are shown, logging out
# only drops the cookie the browser sent
OPEN = {("POST", "/desk/login"), ("POST", "/desk/logout")}
SCOPED = ("{tracking_no}", "{objection_no}", "{proposal_id}")


async def _staff(services, department: str, *, revoked: bool = False) -> tuple[Staff, str]:
    async with services.sessions() as session:
        staff, token = await add_staff(session, department, "测试员")
        if revoked:
            await revoke_staff(session, staff.id)
        await session.commit()
        await session.refresh(staff)
    return staff, token


def _desk_routes(app) -> list[tuple[str, str]]:
    found = []
    for method in ("GET", "POST"):
        for template, _params in routes(app, method):
            if template.startswith(("/api/v1/desk", "/desk")):
                found.append((method, template))
    return found


def _requests(
    app, number: str, objection_no: str, evidence_id: int, uscc: str
) -> list[tuple[str, str, str]]:
    """(method, template, path): the action route once per action."""
    out = []
    for method, template in _desk_routes(app):
        values = {
            "tracking_no": number,
            "objection_no": objection_no,
            "evidence_id": str(evidence_id),
            "uscc": uscc,  # the enterprise's archive, with the objection in it
            "proposal_id": "1",  # decided by the grading authority only
        }
        actions = sorted(PARAMS) if "{action}" in template else [None]
        for action in actions:
            path = fill(template, {**values, "action": action or ""})
            out.append((method, template, path))
    return out


class Browser:
    """Cookies and a CSRF token for one identity, sent explicitly with each request."""

    def __init__(self, staff: Staff | None) -> None:
        self.browser_id = secrets.token_urlsafe(12)
        self.cookie = f"{csrf.COOKIE}={self.browser_id}"
        if staff is not None:
            self.cookie += f"; zx_desk={session_cookie(SECRET, staff)}"
        self.token = csrf._sign(SECRET, self.browser_id)


async def _call(client, method: str, path: str, headers: dict, browser: Browser | None):
    client.session.cookie_jar.clear()
    if path.startswith("/api/"):
        body = {"status": "upheld"} if path.endswith("/status") else {}
        kwargs = {"json": body} if method == "POST" else {}
        return await client.request(method, path, headers=headers, allow_redirects=False, **kwargs)
    assert browser is not None
    data = {"csrf_token": browser.token, "note": "x", "reason": "outside_remit"}
    return await client.request(
        method,
        path + "?lang=en",
        headers={"Cookie": browser.cookie},
        data=data if method == "POST" else None,
        allow_redirects=False,
    )


async def test_every_desk_route_checks_who_is_asking(client, services) -> None:
    app = client.server.app
    filed = await file_case(client, ELEVATOR)  # zhijian's case
    number = filed["tracking_no"]
    photo = aiohttp.FormData()
    photo.add_field("file", png(), filename="a.png", content_type="image/png")
    resp = await client.post(
        f"/api/v1/cases/{number}/evidence",
        data=photo,
        headers={"X-Access-Code": filed["access_code"]},
    )
    assert resp.status == 201
    evidence_id = (await resp.json())["id"]
    codes, _recalls = await seed(services, n_recalls=1)
    resp = await client.post(
        f"/api/v1/enterprises/{codes['chengrui']}/objections",
        json={
            "reason": "评级依据的抽检报告已被撤销，请复核。",
            "contact": "13900001111",
            "uscc": codes["chengrui"],
        },
    )
    assert resp.status == 201
    objection = await resp.json()
    objection_no = objection["objection_no"]
    assert objection["department"] == filed["department"]  # both on one desk
    owner, owner_token = await _staff(services, filed["department"])
    other, other_token = await _staff(services, "gongshang")
    revoked, revoked_token = await _staff(services, filed["department"], revoked=True)

    matrix = _requests(app, number, objection_no, evidence_id, codes["chengrui"])
    templates = {t for _m, t, _p in matrix}
    # the routes the issue names are all there, and so is any added later
    named = {
        "/api/v1/desk/cases/{tracking_no}",
        "/api/v1/desk/objections/{objection_no}",
        "/desk/cases/{tracking_no}",
        "/desk/cases/{tracking_no}/{action}",
        "/api/v1/desk/cases/{tracking_no}/evidence/{evidence_id}",
        "/desk/cases/{tracking_no}/evidence/{evidence_id}/thumbnail",
    }
    assert named <= templates
    assert len(matrix) >= 20

    before = await table_counts(services)
    for method, template, path in matrix:
        if (method, template) in OPEN:
            continue
        api = path.startswith("/api/")
        scoped = any(s in template for s in SCOPED)
        nobody = [
            ({}, Browser(None)),
            (bearer("zxs_made-up-token"), Browser(None)),
            (bearer(revoked_token), Browser(revoked)),
            ({"Authorization": "Basic eDp5"}, Browser(None)),
        ]
        for headers, browser in nobody:
            resp = await _call(client, method, path, headers, browser)
            where = (method, path, headers, resp.status)
            if api:
                assert resp.status == 401, where
                assert "Bearer" in resp.headers.get("WWW-Authenticate", ""), where
                assert (await resp.json())["error"]["code"] == "unauthorized", where
            elif method == "POST":
                assert resp.status == 401, where
            elif resp.status == 303:
                assert resp.headers["Location"].startswith("/desk?"), where
            else:
                assert resp.status == 200, where
                page = await resp.text()
                assert 'name="token"' in page and number not in page, where  # the login form
        resp = await _call(client, method, path, bearer(other_token), Browser(other))
        where = (method, path, "other department", resp.status)
        if scoped:
            assert resp.status == 404, where
        else:
            assert resp.status == 200, where
            body = await resp.text()
            assert number not in body and objection_no not in body, where
    # none of it changed anything; the owner sees both, so the 404s above were not for
    # want of a case or an objection
    assert await table_counts(services) == before
    resp = await _call(client, "GET", f"/desk/cases/{number}", {}, Browser(owner))
    assert resp.status == 200 and number in await resp.text()
    for path in (
        f"/api/v1/desk/cases/{number}",
        f"/api/v1/desk/objections/{objection_no}",
        f"/api/v1/desk/cases/{number}/evidence/{evidence_id}",
    ):
        resp = await _call(client, "GET", path, bearer(owner_token), None)
        assert resp.status == 200, path
    async with services.sessions() as session:
        assert (await session.get(Staff, revoked.id)).revoked_at is not None
        assert await session.scalar(select(Staff.id).where(Staff.id == other.id))
