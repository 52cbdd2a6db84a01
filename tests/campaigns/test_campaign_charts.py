"""Campaign charts a person can read: no value cut at the right edge or crossed by the
80/85 target lines (measured in headless Chromium), handling time with its unit, "no data"
for a year without cases, and city names in English on English pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from complaints.models import Case
from infra.security import new_token
from tests.conftest import need_chromium

CHINA = ZoneInfo("Asia/Shanghai")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


def _case(department: str, day: int, **kw) -> Case:
    return Case(
        tracking_no=new_token("t")[:30], access_code_hash="x" * 64, kind="complaint",
        channel="web", text="……", department=department, routed_department=department,
        created_at=datetime(2026, 3, day, 10, tzinfo=CHINA), **kw,
    )  # fmt: skip


async def seed(services) -> None:
    """March 2026 only (so 2025 has no data): a large sum recovered, and satisfaction
    of 83.3 for consumer services, between the 80 and 85 target lines."""
    done = {"status": "closed", "accepted_at": datetime(2026, 3, 20, tzinfo=CHINA),
            "resolved_at": datetime(2026, 3, 28, tzinfo=CHINA), "outcome": "refunded"}  # fmt: skip
    async with services.sessions() as s:
        s.add_all(
            [
                _case("gongshang", 2, city="南京", recovered_fen=123_456_789_00, rating=5,
                      working_days=12, **done),
                _case("gongshang", 3, city="苏州", recovered_fen=5_000, rating=4,
                      working_days=9, **done),
                _case("gongshang", 4, city="无锡", rating=4, working_days=20, **done),
                _case("zhijian", 5, city="南京", status="received"),
            ]
        )  # fmt: skip
        await s.commit()


def _table_row(html: str, key: str) -> list[str]:
    row = re.search(rf'<tr data-key="{key}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return [c.strip() for c in re.findall(r"<td>(.*?)</td>", row)]


async def test_handling_time_has_its_unit_and_an_empty_year_says_no_data(client, services):
    await seed(services)
    zh = await (await client.get("/campaigns/315/2026")).text()
    assert _table_row(zh, "median_working_days")[:2] == ["12.0 个工作日", "暂无数据"]
    # 2025 had no case: its money, rates and counts are "no data", not 0
    assert _table_row(zh, "money_recovered_yuan")[1] == "暂无数据"
    assert _table_row(zh, "overdue")[1] == "暂无数据"
    assert _table_row(zh, "total")[1] == "0"  # the number of cases itself is known
    en = await (await client.get("/campaigns/315/2026?lang=en")).text()
    assert _table_row(en, "median_working_days")[:2] == ["12.0 working days", "no data"]
    # in the charts too: last year's bars are labelled, not drawn as 0
    money = re.search(r'<svg class="chart" id="chart-money".*?</svg>', en, re.S).group(0)
    assert money.count(">no data</text>") == 3 and ">¥0.00</text>" not in money
    empty = await (await client.get("/campaigns/315/2024?lang=en")).text()
    rates = re.search(r'<svg class="chart" id="chart-rates".*?</svg>', empty, re.S).group(0)
    assert ">no data</text>" in rates and ">0" not in rates


async def test_city_names_are_english_on_english_pages(client, services):
    await seed(services)
    en = await (await client.get("/campaigns/315/2026?lang=en")).text()
    cities = re.search(r'<svg class="chart" id="chart-city".*?</svg>', en, re.S).group(0)
    # the report publishes the region list's names (南京市), never a city as typed
    for zh_name, name in (("南京市", "Nanjing"), ("苏州市", "Suzhou"), ("无锡市", "Wuxi")):
        assert f">{name}</text>" in cities
        assert re.search(rf'<tr data-key="{zh_name}"[^>]*><th scope="row">{name}</th>', en)
    assert not re.search(r"[\u4e00-\u9fff]", cities.split("</desc>")[1])
    assert _table_row(en, "南京市")[0] == "2"  # the key stays the published name
    zh = await (await client.get("/campaigns/315/2026")).text()
    assert ">南京市</text>" in re.search(r'id="chart-city".*?</svg>', zh, re.S).group(0)


@pytest.fixture
async def site(settings, services) -> AsyncIterator[str]:
    from zhixin.app import create_app

    await seed(services)
    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


MEASURE = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const width = svg.viewBox.baseVal.width;
  const lines = [...svg.querySelectorAll('line')].map(l => l.x1.baseVal.value);
  const texts = [...svg.querySelectorAll(':scope > text')].map(t => {
    const b = t.getBBox();
    const size = t.getAttribute('font-size');
    return {text: t.textContent, left: b.x, right: b.x + b.width, size};
  });
  return {id: svg.id, width, lines, texts};
})"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_no_value_is_cut_or_crossed_by_a_target_line(site, lang, output_dir) -> None:
    executable = need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            tab = await browser.new_page(viewport={"width": 1100, "height": 900})
            tab.set_default_timeout(60_000)
            await tab.goto(f"{site}/campaigns/315/2026?lang={lang}")
            charts = {c["id"]: c for c in await tab.evaluate(MEASURE)}
            await tab.locator("#chart-satisfaction-figure").screenshot(
                path=output_dir / f"satisfaction-{lang}.png"
            )
            await tab.locator("#chart-money-figure").screenshot(
                path=output_dir / f"money-{lang}.png"
            )
        finally:
            await browser.close()
    money = charts["chart-money"]
    widest = max(money["texts"], key=lambda t: t["right"])
    assert "123,456,839.00" in widest["text"]  # the largest value, drawn in full
    for chart in charts.values():
        for text in chart["texts"]:
            assert text["right"] <= chart["width"], (chart["id"], text)
    satisfaction = charts["chart-satisfaction"]
    assert len(satisfaction["lines"]) == 2
    values = [t for t in satisfaction["texts"] if t["size"] == "14"]
    assert any(t["text"] == "83.3" for t in values)
    for text in values:
        for x in satisfaction["lines"]:
            assert not text["left"] - 1 <= x <= text["right"] + 1, (text, x)
