"""The application shell: health, metrics, OpenAPI, errors, enterprise search and detail."""

from __future__ import annotations

from aiohttp import web
from openapi_spec_validator import validate

from disclosure.cache import mark_change
from disclosure.models import CreditGrade, Enterprise
from infra.db import utcnow

CODE = "914403001922038216"


async def _seed(services) -> None:
    async with services.sessions() as s:
        s.add(
            Enterprise(
                uscc=CODE,
                name="苏州澄瑞电子科技有限公司",
                aliases=["澄瑞电子"],
                region="苏州市",
                industry="电子",
            )
        )
        s.add(
            Enterprise(
                uscc="91320500MA1111112H",
                name="无锡宏达机械制造有限公司",
                region="无锡市",
                industry="机械",
            )
        )
        await s.flush()
        s.add(
            CreditGrade(
                uscc=CODE,
                grade="AA",
                year=utcnow().year,
                valid_from=None,
                valid_until=None,
                authority="苏州市质量信用评价委员会",
            )
        )
        mark_change(s, "enterprises", "grades")
        await s.commit()
    async with services.sessions() as s:
        assert await services.published.refresh(s)


async def test_healthz(client) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"


async def test_metrics_are_prometheus_text_by_route(client) -> None:
    await client.get("/healthz")
    await client.get("/api/v1/enterprises/NOT-A-CODE")
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    body = await resp.text()
    assert 'zhixin_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    # counted under the route template, not the raw path
    assert 'route="/api/v1/enterprises/{uscc}",status="400"' in body
    assert "zhixin_http_request_seconds_bucket" in body


async def test_openapi_is_valid_and_documents_every_api_route(client) -> None:
    resp = await client.get("/openapi.json")
    doc = await resp.json()
    validate(doc)
    documented = set(doc["paths"])
    app: web.Application = client.server.app
    routed = {
        r.resource.canonical
        for r in app.router.routes()
        if r.resource is not None and r.resource.canonical.startswith(("/api/v1/", "/open311/"))
    }
    assert routed, "no API routes registered"
    assert routed <= documented, f"undocumented: {sorted(routed - documented)}"
    assert documented <= routed, f"documented but not routed: {sorted(documented - routed)}"


async def test_search_finds_partial_names_with_grades(client, services) -> None:
    await _seed(services)
    resp = await client.get("/api/v1/enterprises", params={"q": "澄瑞"})
    assert resp.status == 200
    items = (await resp.json())["items"]
    assert items[0]["uscc"] == CODE
    assert items[0]["grade"] == "AA"
    assert 0 <= items[0]["score"] <= 100
    raw = await resp.text()
    assert "澄瑞" in raw  # Chinese is not escaped as \\uXXXX


async def test_search_needs_a_query_and_a_sane_limit(client) -> None:
    for params in ({}, {"q": ""}, {"q": "澄瑞", "limit": "0"}, {"q": "澄瑞", "limit": "x"}):
        resp = await client.get("/api/v1/enterprises", params=params)
        assert resp.status == 400
        body = await resp.json()
        assert set(body["error"]) >= {"code", "message"}


async def test_enterprise_detail(client, services) -> None:
    await _seed(services)
    resp = await client.get(f"/api/v1/enterprises/{CODE}")
    assert resp.status == 200
    data = await resp.json()
    assert data["name"] == "苏州澄瑞电子科技有限公司"
    assert data["grade"]["grade"] == "AA"
    assert [g["grade"] for g in data["grade_history"]] == ["AA"]
    assert data["complaints"] == {"total": 0, "by_outcome": {}}


async def test_bad_codes_answer_400_or_404_never_500(client, services) -> None:
    await _seed(services)
    for path, status in (
        ("/api/v1/enterprises/123", 400),
        ("/api/v1/enterprises/91440300I922038216", 400),
        ("/api/v1/enterprises/%27%3B%20DROP%20TABLE%20enterprises", 400),
        ("/api/v1/enterprises/914403001922038217", 404),  # bad check char, not registered
        ("/api/v1/enterprises/91320000134582476L", 404),
    ):
        resp = await client.get(path)
        assert resp.status == status, path
        body = await resp.json()
        assert body["error"]["code"] in ("invalid_code", "not_found")
        assert "Traceback" not in await resp.text()


async def test_unknown_api_path_is_json_404(client) -> None:
    resp = await client.get("/api/v1/no-such-thing")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"


async def test_method_not_allowed_is_json(client) -> None:
    resp = await client.delete("/api/v1/enterprises")
    assert resp.status == 405
    assert (await resp.json())["error"]["code"] == "method_not_allowed"


async def test_nonsense_queries_find_nothing(client, services) -> None:
    await _seed(services)
    resp = await client.get("/api/v1/enterprises", params={"q": "完全不存在的名字xyz"})
    assert resp.status == 200
    assert (await resp.json())["items"] == []
