"""``/api/docs``: the API reference rendered on the server from the OpenAPI document, with
nothing fetched from elsewhere and no script; the footer links it; the site has an icon."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The page reads no table; one backend is enough."""
    return f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}"


async def test_every_operation_and_schema_of_the_openapi_document_is_on_the_page(client):
    doc = await (await client.get("/openapi.json")).json()
    resp = await client.get("/api/docs?lang=en")
    html = await resp.text()
    assert resp.status == 200 and resp.content_type == "text/html"
    assert "<h1>API reference</h1>" in html
    headings = {
        (m, unescape(p))
        for m, p in re.findall(r'class="method method-\w+">(\w+)</span> <code>([^<]+)</code>', html)
    }
    expected = {
        (m.upper(), path) for path, item in doc["paths"].items() for m in item if m in METHODS
    }
    assert len(expected) >= 30
    assert headings == expected
    for op in (op for item in doc["paths"].values() for m, op in item.items() if m in METHODS):
        if op.get("summary"):
            assert unescape(op["summary"]) in unescape(html), op["summary"]
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html, name
    # every link to a schema lands on its table
    for target in set(re.findall(r'href="#(schema-[\w.-]+)"', html)):
        assert f'id="{target}"' in html, target
    # parameters with their place and type, a request body's fields
    assert "<code>since</code>" in html and "string (date)" in html
    assert '<code class="status status-4">400</code>' in html
    assert "<code>text</code>" in html  # POST /api/v1/cases body


async def test_the_page_needs_no_script_and_nothing_from_another_site(client):
    html = await (await client.get("/api/docs")).text()
    assert "<script" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert '<html lang="zh-CN">' in html and "<h1>接口文档</h1>" in html
    assert "参数" in html and "应答" in html and "数据结构" in html


async def test_the_footer_links_the_reference_and_the_site_has_an_icon(client):
    for path, lang in (("/", "zh"), ("/recalls?lang=en", "en"), ("/complain", "zh")):
        html = await (await client.get(path)).text()
        footer = html.split('<footer class="site">', 1)[1]
        assert f'href="/api/docs?lang={lang}"' in footer, path
        assert 'href="/openapi.json"' not in footer, path
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    svg = await client.get("/static/favicon.svg")
    assert svg.status == 200 and svg.content_type == "image/svg+xml"
    assert (await svg.text()).startswith("<svg")
    ico = await client.get("/favicon.ico")
    body = await ico.read()
    assert ico.status == 200 and ico.content_type in ("image/vnd.microsoft.icon", "image/x-icon")
    assert body[:4] == b"\x00\x00\x01\x00" and body[22:26] == b"\x89PNG"
