"""Bad input on every route, on SQLite and PostgreSQL: bodies over the size limit, JSON of
the wrong shape and type, invalid UTF-8 in bodies, query strings and paths, very long and
control-character text, and SQL metacharacters in every parameter. The answer is always
a clear 4xx (or a normal answer), never a 5xx, and stored data never changes by accident.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from complaints.models import Case
from disclosure.models import GradeObjection
from infra.settings import Settings
from tests.conftest import SECRET
from tests.support.attack import (
    MULTIPART_ROUTES,
    fill,
    is_form_route,
    make_world,
    routes,
    table_counts,
)
from tests.support.desk import ELEVATOR, bearer, csrf_of

LIMIT = 32 * 1024
SQL = [
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE cases; --",
    ";DROP TABLE cases",
    "%",
    "_",
    "\\",
    "%' UNION SELECT token_hash FROM staff --",
    "0x27",
    "1' AND SLEEP(1)#",
    "\x00",
    "a\x00' OR 1=1",
]
# every query parameter name the app reads somewhere
QUERY_NAMES = [
    "q", "limit", "grade", "category", "since", "until", "cursor", "status", "overdue",
    "before", "lang", "kind", "tracking_no", "service_request_id", "service_code",
    "start_date", "end_date", "jurisdiction_id", "done",
]  # fmt: skip


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:
    # a small limit, so the oversized bodies stay small too
    return Settings(
        database_url=db_url,
        secret_key=SECRET,
        max_body_bytes=LIMIT,
        evidence_dir=tmp_path / "evidence",
    )


@pytest.fixture
async def world(client, services):
    return await make_world(client, services)


async def _post(client, template: str, world, body: bytes, content_type: str, **headers: str):
    values = {
        n: world.sample(n) for n in ("tracking_no", "uscc", "id", "objection_no", "proposal_id")
    }
    values |= {"action": "progress", "fmt": "json"}
    path = fill(template, values)
    return await client.post(
        path,
        data=body,
        headers={**world.headers(), "Content-Type": content_type, **headers},
    )


async def test_every_post_route_refuses_an_oversized_body_with_413(client, world) -> None:
    posts = routes(client.server.app, "POST")
    assert len(posts) >= 15
    big_json = json.dumps({"text": "电" * LIMIT}).encode()
    big_form = ("text=" + "x" * (LIMIT * 2)).encode()
    for template, _params in posts:
        form = is_form_route(template)
        body, kind = (
            (big_form, "application/x-www-form-urlencoded")
            if form
            else (
                big_json,
                "application/json",
            )
        )
        resp = await _post(client, template, world, body, kind, Accept="application/json")
        assert resp.status == 413, (template, resp.status, await resp.text())
        data = await resp.json()
        if template.startswith("/open311/"):
            assert data == [{"code": 413, "description": "请求正文过大。"}]  # Chinese by default
        else:
            assert data["error"]["code"] == "too_large", template
        if form and not template.startswith("/open311/"):
            # a browser gets the same answer as a page
            resp = await _post(client, template, world, body, kind, Accept="text/html")
            assert resp.status == 413 and resp.content_type == "text/html", template


async def test_json_routes_refuse_bodies_of_the_wrong_shape(client, world, services) -> None:
    before = await table_counts(services)
    json_posts = [t for t, _ in routes(client.server.app, "POST") if not is_form_route(t)]
    bodies = [b"[]", b'"text"', b"1", b"null", b"true", b"{", b'{"text": }', b"\xff\xfe{}"]
    for template in json_posts:
        for body in bodies:
            resp = await _post(client, template, world, body, "application/json")
            if template in MULTIPART_ROUTES:  # takes files only: JSON is the wrong type
                assert resp.status == 415, (template, body, resp.status)
                continue
            assert resp.status == 400, (template, body, resp.status, await resp.text())
            assert (await resp.json())["error"]["code"] in ("invalid_json", "invalid_encoding")
        resp = await _post(client, template, world, b"text=x", "text/plain")
        assert resp.status == 415, template
    assert await table_counts(services) == before


async def test_numbers_and_strings_are_checked_strictly(client, world, services) -> None:
    number = world.tracking_no
    desk = bearer(world.staff_token)
    code = {"X-Access-Code": world.access_code}
    cases = [
        ("/api/v1/cases", {}, {"text": ELEVATOR, "contact": ["13812345678"]}),
        ("/api/v1/cases", {}, {"text": {"zh": ELEVATOR}, "contact": "1"}),
        ("/api/v1/cases", {}, {"text": ELEVATOR, "contact": "1", "anonymous": 0}),
        (f"/api/v1/cases/{number}/rating", code, {"rating": True}),
        (f"/api/v1/cases/{number}/rating", code, {"rating": 4.0}),
        (f"/api/v1/cases/{number}/rating", code, {"rating": "5"}),
        (f"/api/v1/cases/{number}/rating", code, {"rating": 10**40}),
        (f"/api/v1/desk/cases/{number}/progress", desk, {"note": 5}),
        (f"/api/v1/desk/cases/{number}/progress", desk, {"note": "x", "public": "yes"}),
        (f"/api/v1/enterprises/{world.uscc}/objections", {}, {"reason": 1, "contact": "x"}),
        (
            f"/api/v1/enterprises/{world.uscc}/objections",
            {},
            {"reason": "评级所依据的抽检报告已被撤销。", "contact": "x", "year": 10**30},
        ),
        (f"/api/v1/desk/objections/{world.objection_no}/status", desk, {"status": ["upheld"]}),
    ]
    before = await table_counts(services)
    for path, headers, body in cases:
        resp = await client.post(path, json=body, headers=headers)
        assert 400 <= resp.status < 500, (path, body, resp.status, await resp.text())
        assert "error" in await resp.json()
    # NaN and Infinity are not JSON, even though Python's parser takes them
    for raw in (b'{"rating": NaN}', b'{"rating": Infinity}', b'{"rating": 1e999}'):
        resp = await client.post(
            f"/api/v1/cases/{number}/rating",
            data=raw,
            headers={**code, "Content-Type": "application/json"},
        )
        assert resp.status == 400, (raw, await resp.text())
    for amount in (b"NaN", b"Infinity", b"-Infinity", b"1e999", b"1e30", b"-1"):
        resp = await client.post(
            f"/api/v1/desk/cases/{number}/resolve",
            data=b'{"outcome": "mediated", "amount_yuan": ' + amount + b"}",
            headers={**desk, "Content-Type": "application/json"},
        )
        assert 400 <= resp.status < 500, (amount, resp.status, await resp.text())
    assert await table_counts(services) == before


async def test_invalid_utf8_in_forms_queries_and_paths_is_a_4xx(client, world, services) -> None:
    app = client.server.app
    before = await table_counts(services)
    for template, _params in routes(app, "POST"):
        if not is_form_route(template):
            continue
        resp = await _post(
            client,
            template,
            world,
            b"text=%FF%FE&description=\xff\xfe",
            "application/x-www-form-urlencoded",
        )
        assert resp.status < 500, (template, resp.status, await resp.text())
    for template, params in routes(app, "GET"):
        values = {n: world.sample(n) for n in params}
        query = "&".join(f"{name}=%FF%C0%AF" for name in QUERY_NAMES)
        resp = await client.get(f"{fill(template, values)}?{query}", headers=world.headers())
        assert resp.status < 500, (template, resp.status, await resp.text())
        for name in params:
            path = fill(template, {**values, name: "%FF%FE%C0%AF"})
            resp = await client.get(path, headers=world.headers())
            assert resp.status < 500, (path, resp.status, await resp.text())
    assert await table_counts(services) == before


async def test_control_characters_and_long_text_are_cleaned_or_refused(
    client, world, services
) -> None:
    nasty = "电梯困人\x00半小时\x01\x1b[31m\u202e物业不修\ud800"[:-1] + "\x7f"
    resp = await client.post(
        "/api/v1/cases",
        json={
            "text": nasty,
            "contact": "138\x0012345678",
            "company": "某\x00物业",
            "name": "张\x00",
        },
    )
    assert resp.status in (201, 400), await resp.text()
    if resp.status == 201:
        number = (await resp.json())["tracking_no"]
        async with services.sessions() as session:
            case = await session.scalar(select(Case).where(Case.tracking_no == number))
        assert (
            "\x00" not in case.text
            and "\x1b" not in case.text
            and "\x00" not in (case.company or "")
        )
    # the same through the complaint form and Open311
    page = await client.get("/complain")
    form = {"csrf_token": csrf_of(await page.text()), "text": nasty, "contact": "a\x00@b.cn"}
    resp = await client.post("/complain", data=form)
    assert resp.status in (201, 400), resp.status
    resp = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": world.api_key, "service_code": "auto", "description": nasty,
              "email": "a\x00@b.cn", "attribute[company]": "x\x00"},
    )  # fmt: skip
    assert resp.status in (201, 400), await resp.text()
    resp = await client.post(
        f"/api/v1/enterprises/{world.uscc}/objections",
        json={
            "reason": "抽检报告已撤销\x00请复核评级结果。",
            "contact": "139\x0000001111",
            "uscc": world.uscc,
        },
    )
    assert resp.status in (201, 400), await resp.text()
    async with services.sessions() as session:
        reasons = list(await session.scalars(select(GradeObjection.reason)))
    assert all("\x00" not in r for r in reasons)
    # over-long values: a clear 400 that names the field
    long_cases = [
        ({"text": "电" * 5001, "contact": "1"}, "text"),
        ({"text": ELEVATOR, "contact": "1" * 201}, "contact"),
        ({"text": ELEVATOR, "contact": "1", "company": "某" * 201}, "company"),
    ]
    for body, field in long_cases:
        resp = await client.post("/api/v1/cases", json=body)
        assert resp.status == 400 and (await resp.json())["error"]["field"] == field
    resp = await client.get("/api/v1/recalls?q=" + "召" * 3000)
    assert resp.status in (400, 414), resp.status
    resp = await client.get("/api/v1/enterprises?q=" + "x" * 5000)
    assert resp.status in (400, 414), resp.status


async def test_sql_metacharacters_in_every_get_parameter(client, world, services) -> None:
    app = client.server.app
    gets = routes(app, "GET")
    assert len(gets) >= 20
    before = await table_counts(services)
    checked = 0
    for template, params in gets:
        values = {n: world.sample(n) for n in params}
        for payload in SQL:
            query = {name: payload for name in QUERY_NAMES}
            resp = await client.get(fill(template, values), params=query, headers=world.headers())
            assert resp.status < 500, (template, payload, resp.status, await resp.text())
            for name in params:
                quoted = payload.replace("%", "%25").replace("\\", "%5C").replace("#", "%23")
                path = fill(template, {**values, name: quoted.replace("/", "%2F")})
                resp = await client.get(path, headers=world.headers())
                assert resp.status < 500, (path, resp.status, await resp.text())
                checked += 1
    assert checked > 50
    assert await table_counts(services) == before
    # LIKE wildcards are matched as themselves, not as "anything"
    for wildcard in ("%", "_", "%%", "\\"):
        resp = await client.get("/api/v1/recalls", params={"q": wildcard})
        assert resp.status == 200 and (await resp.json())["items"] == [], wildcard


async def test_desk_pages_take_odd_numbers_in_forms_and_queries(client, world, services):
    before = await table_counts(services)
    for query in ("limit=²", "before=²", "limit=٣", "before=99999999999999999999"):
        resp = await client.get(f"/api/v1/desk/cases?{query}", headers=bearer(world.staff_token))
        assert resp.status == 400, (query, await resp.text())
    for raw in ("²", "١", "99999999999999999999", "-1"):
        resp = await client.get(f"/api/v1/recalls/{raw}")
        assert resp.status in (400, 404), (raw, await resp.text())
    page = await client.get(f"/desk/cases/{world.tracking_no}")
    token = csrf_of(await page.text())
    resp = await client.post(
        f"/desk/cases/{world.tracking_no}/resolve",
        data={"csrf_token": token, "outcome": "mediated", "reward_level": "²"},
        allow_redirects=False,
    )
    assert resp.status < 500, await resp.text()
    track = await client.get("/track")
    resp = await client.post(
        "/track/rating",
        data={"csrf_token": csrf_of(await track.text()), "tracking_no": world.tracking_no,
              "access_code": world.access_code, "rating": "²"},
    )  # fmt: skip
    assert resp.status < 500, await resp.text()
    company = await client.get(f"/enterprises/{world.uscc}")
    resp = await client.post(
        f"/enterprises/{world.uscc}/objections",
        data={"csrf_token": csrf_of(await company.text()), "reason": "抽检报告已撤销，请复核评级。",
              "contact": "13900001111", "year": "²", "uscc": world.uscc},
    )  # fmt: skip
    assert resp.status < 500, await resp.text()
    after = await table_counts(services)
    assert after["grade_objections"] <= before["grade_objections"] + 1
