"""The public pages render in Chinese and English, keep the language in their links,
escape data, work without JavaScript, and answer bad input with a page, not a trace."""

from __future__ import annotations

import re
from datetime import date, timedelta

from complaints.models import Case
from disclosure.grades import COLOUR
from tests.support.disclosure_data import CHENGRUI, HONGDA, NOGRADE, XSS, seed


def _internal_links(html: str) -> list[str]:
    """Links to pages, except the language switch (the one link meant to change it)."""
    links = []
    for attrs in re.findall(r"<a\s([^>]*)>", html):
        href = re.search(r'href="([^"]+)"', attrs)
        if href is None or "hreflang=" in attrs:
            continue
        if href.group(1).startswith("/") and not href.group(1).startswith(("/feeds/", "/openapi")):
            links.append(href.group(1))
    assert links
    return links


def _no_inline_script_or_style(html: str) -> None:
    # The CSP allows scripts and styles only from files.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html


async def test_home_in_both_languages(client, services) -> None:
    await seed(services, recalls=6)
    zh = await client.get("/")
    html = await zh.text()
    assert zh.status == 200 and zh.headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh-CN">' in html
    assert "查询企业质量信用" in html and "质量信用优秀" in html  # grade meanings translated
    assert '<label for="q">' in html and 'action="/search"' in html
    assert 'src="/static/suggest.js"' in html
    assert "最新召回公告" in html
    _no_inline_script_or_style(html)

    en = await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = await en.text()
    assert '<html lang="en">' in html
    assert "Look up a company" in html and "Excellent quality credit" in html
    assert "查询企业质量信用" not in html
    assert all("lang=en" in href for href in _internal_links(html))
    zh_again = await (await client.get("/?lang=zh")).text()
    assert all("lang=zh" in href for href in _internal_links(zh_again))


async def test_search_results_show_grade_badges_without_javascript(client, services) -> None:
    await seed(services, recalls=0)
    for path in ("/search?q=澄瑞电子", "/?q=澄瑞电子"):
        resp = await client.get(path)
        html = await resp.text()
        assert resp.status == 200
        assert f'href="/enterprises/{CHENGRUI}?lang=zh"' in html
        # colour and text: the badge class, the letters and the words
        assert '<span class="badge grade-aaa">AAA</span>' in html
        assert '<span class="grade-title">优秀</span>' in html
    by_grade = await (await client.get("/search?grade=C&lang=en")).text()
    assert f"/enterprises/{HONGDA}?lang=en" in by_grade and CHENGRUI not in by_grade
    nothing = await client.get("/search?q=火星&lang=en")
    assert "No company matches" in await nothing.text()
    bad = await client.get("/search?grade=Z&lang=en")
    assert bad.status == 400 and "Choose a grade" in await bad.text()


async def test_company_page(client, services) -> None:
    await seed(services, recalls=8)
    async with services.sessions() as s:
        for n, (status, outcome) in enumerate(
            [
                ("closed", "refunded"),
                ("closed", "refunded"),
                ("closed", "mediated"),
                ("accepted", None),
                ("rejected", None),
            ]
        ):
            s.add(
                Case(
                    tracking_no=f"T-{n}",
                    access_code_hash="x" * 64,
                    kind="complaint",
                    channel="web",
                    text="质量问题",
                    department="gongshang",
                    routed_department="gongshang",
                    status=status,
                    outcome=outcome,
                    enterprise_uscc=CHENGRUI,
                )
            )
        await s.commit()
    resp = await client.get(f"/enterprises/{CHENGRUI}")
    html = await resp.text()
    assert resp.status == 200
    assert "<h1>苏州澄瑞电子科技有限公司</h1>" in html
    assert '<span class="badge grade-aaa">AAA</span>' in html and "质量信用优秀" in html
    assert html.count("<tr") >= 4  # history: header + three years
    assert "当前" in html  # the current year is marked
    assert "JS-T-0000" not in html and "关于召回第0批food产品的公告" in html  # its recalls
    assert "退款解决" in html and "调解结案" in html
    counts = dict(re.findall(r"<td>([^<]+)</td><td class=\"num\">(\d+)</td>", html))
    assert counts["退款解决"] == "2" and counts["调解结案"] == "1"
    assert 'name="csrf_token"' in html
    _no_inline_script_or_style(html)

    en = await (await client.get(f"/enterprises/{CHENGRUI}?lang=en")).text()
    assert "Current quality credit grade" in en and "Settled by refund" in en
    assert "Excellent quality credit" in en
    assert all("lang=en" in href for href in _internal_links(en))

    none = await (await client.get(f"/enterprises/{NOGRADE}?lang=en")).text()
    assert "Not graded" in none and "Object to a grade" not in none


async def test_data_is_escaped(client, services) -> None:
    await seed(services, recalls=0)
    for path in (f"/enterprises/{XSS}", "/search?q=南京测试食品"):
        html = await (await client.get(path)).text()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    html = await (await client.get("/search?q=<img src=x onerror=alert(1)>")).text()
    assert "<img src=x" not in html and "&lt;img src=x" in html


async def test_recall_list_filters_and_paging(client, services) -> None:
    today = date.today()
    await seed(services, recalls=30, today=today)
    first = await client.get("/recalls?lang=en")
    html = await first.text()
    assert first.status == 200 and html.count('data-label="Notice"') == 20
    older = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "cursor=" in older and "lang=en" in older
    second = await (await client.get(older)).text()
    assert second.count('data-label="Notice"') == 10 and 'rel="next"' not in second
    assert "Newest notices" in second

    food = await (await client.get("/recalls?category=food&lang=en")).text()
    rows = re.findall(r'data-label="Category">([^<]+)<', food)
    assert rows and set(rows) == {"Food"}
    assert '<option value="food" selected>' in food
    since = (today - timedelta(days=1)).isoformat()
    dated = await (await client.get(f"/recalls?since={since}&q=批&lang=en")).text()
    assert dated.count('data-label="Notice"') == 4
    assert f'value="{since}"' in dated

    bad = await client.get("/recalls?since=2026-99-99&category=toys&lang=en")
    html = await bad.text()
    assert bad.status == 400
    assert "write the date as 2026-03-15" in html and "Category: choose one" in html
    expired = await client.get("/recalls?cursor=%%%&lang=en")
    assert expired.status == 400 and "has expired" in await expired.text()


async def test_recall_page_and_missing_pages(client, services) -> None:
    ids = await seed(services, recalls=4)
    resp = await client.get(f"/recalls/{ids['JS-T-0001']}?lang=en")
    html = await resp.text()
    assert resp.status == 200
    assert "JS-T-0001" in html and "Possible consequence" in html
    assert f'href="/enterprises/{HONGDA}?lang=en"' in html  # the linked producer
    assert 'rel="noopener noreferrer nofollow external"' in html
    zh = await (await client.get(f"/recalls/{ids['JS-T-0000']}")).text()
    assert "一级" in zh and "召回进行中" in zh  # level and status in Chinese
    for path in ("/recalls/999999", "/recalls/abc", "/enterprises/91320000000000000X"):
        missing = await client.get(path + "?lang=en")
        assert missing.status == 404, path
        assert "text/html" in missing.headers["Content-Type"]
        assert "Something is not right" in await missing.text()
    malformed = await client.get("/enterprises/123")
    assert malformed.status == 400 and "统一社会信用代码" in await malformed.text()


def test_badge_colours_have_enough_contrast_with_white_text() -> None:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for grade, colour in COLOUR.items():
        ratio = 1.05 / (luminance(colour) + 0.05)
        assert ratio >= 4.5, f"{grade} badge {colour}: contrast {ratio:.2f}"


def test_badge_colours_in_the_stylesheet_match_the_grade_colours() -> None:
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent.parent / "zhixin/static/site.css").read_text()
    for grade, colour in COLOUR.items():
        assert f".badge.grade-{grade.lower()} {{ background: {colour}; }}" in css
