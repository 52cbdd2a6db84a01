"""Browser-facing protections: security headers on every page the router serves (error
pages and campaign pages included), and a CSRF check on every form the pages post."""

from __future__ import annotations

import pytest

from infra import csrf
from infra.settings import Settings
from tests.conftest import SECRET
from tests.support.attack import fill, make_world, routes, table_counts

FORM_ROUTES_AT_LEAST = {
    "/complain",
    "/track",
    "/track/rating",
    "/desk/login",
    "/desk/logout",
    "/desk/cases/{tracking_no}/{action}",
    "/enterprises/{uscc}/objections",
}


@pytest.fixture
def db_url(tmp_path) -> str:
    """Headers and CSRF are the web layer's: SQLite is enough."""
    return f"sqlite+aiosqlite:///{tmp_path / 'infra.db'}"


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:
    return Settings(
        database_url=db_url,
        secret_key=SECRET,
        max_body_bytes=64 * 1024,
        evidence_dir=tmp_path / "evidence",
    )


@pytest.fixture
async def world(client, services):
    return await make_world(client, services)


def assert_page_headers(resp, where: object) -> None:
    headers = resp.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    if resp.content_type == "text/html":
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy, where
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, where
        assert "object-src 'none'" in policy, where
        assert headers.get("X-Frame-Options") == "DENY", where


async def test_every_page_and_error_page_has_the_security_headers(client, world) -> None:
    app = client.server.app
    pages = 0
    for template, params in routes(app, "GET"):
        path = fill(template, {n: world.sample(n) for n in params})
        resp = await client.get(path, allow_redirects=False)
        assert resp.status < 500, (path, resp.status)
        assert_page_headers(resp, path)
        pages += resp.content_type == "text/html"
    assert pages >= 11  # the home, search, company, recall, complaint, desk, campaign pages...

    errors = [
        ("GET", "/no-such-page", 404),
        ("GET", "/enterprises/NOT-A-CODE", 400),
        ("GET", "/recalls/99999", 404),
        ("GET", "/campaigns/no-such-campaign", 404),
        ("GET", "/campaigns/315/1999", 400),
        ("PUT", "/complain", 405),
        ("POST", "/complain", 403),  # no CSRF token
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api/v1/enterprises/NOT-A-CODE", 400),
        ("GET", "/open311/v2/requests/NOPE.json", 404),
    ]
    for method, path, status in errors:
        resp = await client.request(method, path)
        assert resp.status == status, (method, path, resp.status)
        assert_page_headers(resp, path)
        if not path.startswith(("/api/", "/open311/")):
            assert resp.content_type == "text/html", path  # a page, not a stack trace
    resp = await client.post("/complain", data={"text": "x" * 70_000})
    assert resp.status == 413 and resp.content_type == "text/html"
    assert_page_headers(resp, "413")


async def test_every_form_post_needs_the_csrf_token_of_its_browser(client, world, services):
    app = client.server.app
    forms = [t for t, _ in routes(app, "POST") if not t.startswith(("/api/", "/open311/"))]
    assert FORM_ROUTES_AT_LEAST <= set(forms)
    before = await table_counts(services)
    desk_cookie = client.session.cookie_jar.filter_cookies(client.make_url("/desk")).get("zx_desk")
    assert desk_cookie is not None  # logged in, so the desk forms reach the CSRF check
    mine, theirs = "browser-one-0123456789", "browser-two-0123456789"
    fields = {
        "text": "小区电梯经常困人，物业一直不修，请处理。",
        "contact": "13812345678",
        "tracking_no": world.tracking_no,
        "access_code": world.access_code,
        "rating": "5",
        "token": world.staff_token,
        "note": "x",
        "reason": "评级所依据的抽检报告已被撤销，请复核。",
    }
    attempts = {
        "no cookie, no token": (None, None),
        "cookie, no token": (mine, None),
        "forged token": (mine, "0" * 64),
        "another browser's token": (mine, csrf._sign(SECRET, theirs)),
        "token without its cookie": (None, csrf._sign(SECRET, mine)),
    }
    for template in forms:
        path = fill(template, {"tracking_no": world.tracking_no, "action": "progress",
                               "uscc": world.uscc, "proposal_id": "1",
                               "objection_no": world.objection_no})  # fmt: skip
        for name, (browser, token) in attempts.items():
            cookies = f"zx_desk={desk_cookie.value}"
            if browser:
                cookies += f"; {csrf.COOKIE}={browser}"
            data = dict(fields) | ({"csrf_token": token} if token else {})
            client.session.cookie_jar.clear()
            resp = await client.post(
                path, data=data, headers={"Cookie": cookies}, allow_redirects=False
            )
            assert resp.status == 403, (template, name, resp.status)
            assert_page_headers(resp, (template, name))
    assert await table_counts(services) == before
    # the real token is accepted (the 403s above were for the token, not the form)
    client.session.cookie_jar.clear()
    resp = await client.post(
        "/desk/login",
        data={"csrf_token": csrf._sign(SECRET, mine), "token": world.staff_token},
        headers={"Cookie": f"{csrf.COOKIE}={mine}"},
        allow_redirects=False,
    )
    assert resp.status == 303


async def test_the_desk_cookie_does_not_open_the_json_api(client, world) -> None:
    """The JSON API takes bearer tokens only, so a forged cross-site request that carries
    the browser's desk cookie gets nowhere (and needs no CSRF token)."""
    path = f"/api/v1/desk/cases/{world.tracking_no}/accept"
    resp = await client.post(path, json={})
    assert resp.status == 401
    resp = await client.get("/api/v1/desk/cases")
    assert resp.status == 401
