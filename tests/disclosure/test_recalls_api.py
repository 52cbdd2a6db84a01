"""The published-data API: recall listing with filters and cursor paging, one recall,
the grade filter on enterprise search, ETag/304 and Cache-Control, the OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from aiohttp import web
from openapi_spec_validator import validate
from sqlalchemy import select

from disclosure.cache import mark_change
from disclosure.models import RecallNotice
from disclosure.recalls import BadCursor, decode_cursor, encode_cursor
from tests.support.disclosure_data import CHENGRUI, HONGDA, NOGRADE, XSS, seed


def test_cursors_round_trip_and_refuse_forgeries() -> None:
    token = encode_cursor(date(2026, 3, 15), 42)
    assert "=" not in token and "/" not in token and "+" not in token
    assert decode_cursor(token) == (date(2026, 3, 15), 42)
    for bad in ("", "!!!", "bm90IGEgY3Vyc29y", encode_cursor(date(2026, 1, 1), 1)[:-3]):
        with pytest.raises(BadCursor):
            decode_cursor(bad)


async def _pages(client, **params) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        resp = await client.get("/api/v1/recalls", params=query)
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_recalls_newest_first_with_filters(client, services) -> None:
    today = date.today()
    await seed(services, recalls=30, today=today)
    items = [i for page in await _pages(client, limit=7) for i in page]
    assert len(items) == 30
    keys = [(i["published"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)

    resp = await client.get("/api/v1/recalls", params={"category": "vehicle"})
    vehicles = (await resp.json())["items"]
    assert vehicles and {i["category"] for i in vehicles} == {"vehicle"}
    assert len(vehicles) == 5

    since, until = today - timedelta(days=3), today - timedelta(days=1)
    resp = await client.get(
        "/api/v1/recalls", params={"since": since.isoformat(), "until": until.isoformat()}
    )
    dated = (await resp.json())["items"]
    assert len(dated) == 6
    assert all(since.isoformat() <= i["published"] <= until.isoformat() for i in dated)

    resp = await client.get("/api/v1/recalls", params={"q": "第7批"})
    assert [i["recall_no"] for i in (await resp.json())["items"]] == ["JS-T-0007"]
    resp = await client.get("/api/v1/recalls", params={"q": HONGDA})  # producer's code
    assert {i["producer_uscc"] for i in (await resp.json())["items"]} == {HONGDA}
    resp = await client.get("/api/v1/recalls", params={"q": "100%_"})  # LIKE wildcards literal
    assert (await resp.json())["items"] == []


async def _ids(services, like: str = "%") -> set[int]:
    async with services.sessions() as s:
        return set(
            await s.scalars(select(RecallNotice.id).where(RecallNotice.recall_no.like(like)))
        )


async def test_cursor_paging_is_stable_under_concurrent_inserts(client, services) -> None:
    today = date.today()
    await seed(services, recalls=20, today=today)
    before = await _ids(services)
    first = await client.get("/api/v1/recalls", params={"limit": 6})
    body = await first.json()
    seen = [i["id"] for i in body["items"]]
    cursor = body["next_cursor"]
    # New notices arrive between page requests: a newer one, one on the same day as the
    # last notice of the page (so a higher id), and an older one that paging has yet to reach.
    boundary = date.fromisoformat(body["items"][-1]["published"])
    async with services.sessions() as s:
        for n, day in enumerate((today, boundary, today - timedelta(days=30))):
            s.add(
                RecallNotice(
                    recall_no=f"JS-NEW-{n}",
                    title="新发布的召回",
                    product="p",
                    category="food",
                    producer="x",
                    reason="r",
                    remedy="m",
                    start_date=day,
                    published=day,
                )
            )
        mark_change(s, "recalls")
        await s.commit()
    while cursor:
        resp = await client.get("/api/v1/recalls", params={"limit": 6, "cursor": cursor})
        body = await resp.json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
    assert len(seen) == len(set(seen)), "a notice was shown twice"
    assert before <= set(seen), "a notice that existed before paging began was skipped"
    assert await _ids(services, "JS-NEW-2") <= set(seen)
    assert not (await _ids(services, "JS-NEW-0")) & set(seen)  # newer: on a fresh first page


async def test_bad_parameters_are_400_json(client, services) -> None:
    await seed(services, recalls=2)
    for params in (
        {"since": "2026-13-01"},
        {"until": "yesterday"},
        {"since": "2026-03-02", "until": "2026-03-01"},
        {"category": "toys"},
        {"cursor": "not-a-cursor"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"q": "x" * 201},
    ):
        resp = await client.get("/api/v1/recalls", params=params)
        assert resp.status == 400, params
        error = (await resp.json())["error"]
        assert error["code"] in ("invalid_parameter", "invalid_cursor") and error["message"]
    for path, status in (("/api/v1/recalls/abc", 400), ("/api/v1/recalls/999999", 404)):
        resp = await client.get(path)
        assert resp.status == status
        assert "error" in await resp.json()


async def test_one_recall_and_etag_revalidation(client, services) -> None:
    ids = await seed(services, recalls=3)
    resp = await client.get(f"/api/v1/recalls/{ids['JS-T-0001']}")
    assert resp.status == 200
    data = await resp.json()
    assert data["recall_no"] == "JS-T-0001" and data["producer_uscc"] == HONGDA
    assert data["remedy"] == "免费更换" and data["url"].startswith("https://")
    etag = resp.headers["ETag"]
    assert etag.startswith('"') and "max-age" in resp.headers["Cache-Control"]
    assert "public" in resp.headers["Cache-Control"]

    again = await client.get(f"/api/v1/recalls/{ids['JS-T-0001']}", headers={"If-None-Match": etag})
    assert again.status == 304 and again.headers["ETag"] == etag
    assert await again.read() == b""
    weak = await client.get(
        f"/api/v1/recalls/{ids['JS-T-0001']}", headers={"If-None-Match": f'"x", W/{etag}'}
    )
    assert weak.status == 304
    stale = await client.get(
        f"/api/v1/recalls/{ids['JS-T-0001']}", headers={"If-None-Match": '"stale"'}
    )
    assert stale.status == 200

    listing = await client.get("/api/v1/recalls")
    tag = listing.headers["ETag"]
    assert (await client.get("/api/v1/recalls", headers={"If-None-Match": tag})).status == 304
    async with services.sessions() as s:
        notice = await s.get(RecallNotice, ids["JS-T-0000"])
        notice.status = "completed"
        mark_change(s, "recalls")
        await s.commit()
    changed = await client.get("/api/v1/recalls", headers={"If-None-Match": tag})
    assert changed.status == 200 and changed.headers["ETag"] != tag


async def test_enterprise_search_grade_filter_and_caching(client, services) -> None:
    await seed(services, recalls=0)
    resp = await client.get("/api/v1/enterprises", params={"q": "宏达机械", "grade": "C"})
    assert resp.status == 200
    assert [i["uscc"] for i in (await resp.json())["items"]] == [HONGDA]
    resp = await client.get("/api/v1/enterprises", params={"q": "宏达机械", "grade": "B"})
    assert (await resp.json())["items"] == []  # B was last year's grade
    resp = await client.get("/api/v1/enterprises", params={"grade": "aaa"})  # no q: by grade
    assert [i["uscc"] for i in (await resp.json())["items"]] == [CHENGRUI]
    resp = await client.get("/api/v1/enterprises", params={"q": "澄瑞", "grade": "E"})
    assert resp.status == 400
    resp = await client.get("/api/v1/enterprises", params={"q": "澄瑞"})
    tag = resp.headers["ETag"]
    again = await client.get("/api/v1/enterprises?q=澄瑞", headers={"If-None-Match": tag})
    assert again.status == 304
    detail = await client.get(f"/api/v1/enterprises/{CHENGRUI}")
    body = await detail.json()
    assert body["grade"]["grade"] == "AAA" and body["grade_history"][0]["current"] is True
    assert [g["grade"] for g in body["grade_history"]] == ["AAA", "AA", "A"]
    english = await client.get(f"/api/v1/enterprises/{CHENGRUI}?lang=en")
    chinese = await client.get(f"/api/v1/enterprises/{CHENGRUI}?lang=zh")
    assert (await english.json())["grade"]["meaning"].startswith("Excellent")
    assert "优秀" in (await chinese.json())["grade"]["meaning"]
    assert english.headers["ETag"] != chinese.headers["ETag"]
    assert "Accept-Language" in english.headers["Vary"]
    for code in (XSS, NOGRADE):
        assert (await client.get(f"/api/v1/enterprises/{code}")).status == 200


async def test_openapi_documents_every_disclosure_route(client) -> None:
    resp = await client.get("/openapi.json")
    doc = await resp.json()
    validate(doc)
    app: web.Application = client.server.app
    routed = {
        (method.lower(), r.resource.canonical)
        for r in app.router.routes()
        if r.resource is not None
        and r.resource.canonical.startswith("/api/v1/")
        and (method := r.method) not in ("HEAD", "*")
    }
    for method, path in routed:
        assert method in doc["paths"].get(path, {}), f"{method.upper()} {path} is undocumented"
    for path in (
        "/api/v1/recalls",
        "/api/v1/recalls/{id}",
        "/api/v1/enterprises/{uscc}/objections",
        "/api/v1/desk/objections",
    ):
        assert path in doc["paths"]
    params = {p["name"] for p in doc["paths"]["/api/v1/recalls"]["get"]["parameters"]}
    assert {"q", "category", "since", "until", "limit", "cursor"} <= params
    search = doc["paths"]["/api/v1/enterprises"]["get"]["parameters"]
    assert "grade" in {p["name"] for p in search}
