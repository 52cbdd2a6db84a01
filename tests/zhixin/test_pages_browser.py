"""The public pages in headless Chromium: search with suggestions, a company page, switching
language, filtering recalls, a phone-sized screen and a browser without JavaScript.

Each test saves screenshots under test-output/<test name>/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.support.disclosure_data import CHENGRUI, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite is enough here: the pages' queries run on both backends in the other tests."""
    return f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}"


@pytest.fixture
async def site(settings, services) -> AsyncIterator[str]:
    from zhixin.app import create_app

    await seed(services, recalls=30)
    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def page(browser):
    context = await browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    tab = await context.new_page()
    # every wait is on a condition (an element, a URL); this is only the ceiling
    tab.set_default_timeout(60_000)
    yield tab
    await context.close()


async def test_search_suggests_then_shows_results_with_badges(site, page, output_dir) -> None:
    await page.goto(site + "/")
    await page.locator("#q").press_sequentially("澄瑞", delay=60)
    suggestion = page.locator("#suggestions li").first
    await suggestion.wait_for(state="visible")
    assert "澄瑞电子科技" in await suggestion.inner_text()
    assert await page.locator("#q").get_attribute("aria-expanded") == "true"
    await page.screenshot(path=output_dir / "1-suggestions.png")

    await page.locator("#q").press("Enter")  # no option chosen: the form is submitted
    await page.wait_for_url("**/search?**")
    first = page.locator("ul.hits li").first
    await first.wait_for()
    assert "苏州澄瑞电子科技有限公司" in await first.inner_text()
    badge = first.locator(".badge")
    assert await badge.inner_text() == "AAA"
    assert "grade-aaa" in await badge.get_attribute("class")
    assert await first.locator(".grade-title").inner_text() == "优秀"
    colour = await badge.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(27, 94, 32)"  # #1b5e20 from the stylesheet
    await page.screenshot(path=output_dir / "2-results.png", full_page=True)


async def test_open_a_company_from_a_suggestion(site, page, output_dir) -> None:
    await page.goto(site + "/")
    await page.locator("#q").press_sequentially("宏达机械", delay=60)
    await page.locator("#suggestions li").first.wait_for(state="visible")
    await page.locator("#q").press("ArrowDown")
    await page.locator("#q").press("Enter")
    await page.wait_for_url("**/enterprises/**")
    assert await page.locator("h1").inner_text() == "无锡宏达机械制造有限公司"
    assert await page.locator(".grade-now .badge").inner_text() == "C"
    assert await page.locator("table.history tbody tr").count() == 2
    assert await page.locator("#objection-h").is_visible()
    await page.screenshot(path=output_dir / "company.png", full_page=True)


async def test_switch_language_and_keep_it(site, page, output_dir) -> None:
    await page.goto(f"{site}/enterprises/{CHENGRUI}")
    assert await page.locator("html").get_attribute("lang") == "zh-CN"
    assert "当前质量信用等级" in await page.locator("#grade-h").inner_text()
    await page.get_by_role("link", name="English").click()
    await page.wait_for_url("**lang=en**")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.locator("#grade-h").inner_text() == "Current quality credit grade"
    assert "Excellent quality credit" in await page.locator(".meaning").inner_text()
    await page.screenshot(path=output_dir / "company-en.png", full_page=True)
    await page.get_by_role("link", name="Recalls", exact=True).click()
    await page.wait_for_url("**/recalls?lang=en")
    assert await page.locator("h1").inner_text() == "Recall notices"
    await page.screenshot(path=output_dir / "recalls-en.png")


async def test_filter_recalls_and_page_through(site, page, output_dir) -> None:
    await page.goto(site + "/recalls?lang=en")
    assert await page.locator("table.recalls tbody tr").count() == 20
    await page.get_by_role("link", name="Older notices").click()
    await page.wait_for_url("**cursor=**")
    assert await page.locator("table.recalls tbody tr").count() == 10
    await page.screenshot(path=output_dir / "page-2.png", full_page=True)

    await page.goto(site + "/recalls?lang=en")
    await page.get_by_label("Category").select_option("food")
    await page.get_by_label("Product, brand, producer or recall number").fill("批")
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**category=food**")
    categories = await page.locator('td[data-label="Category"]').all_inner_texts()
    assert categories and set(categories) == {"Food"}
    assert await page.get_by_label("Category").input_value() == "food"
    await page.screenshot(path=output_dir / "food.png", full_page=True)
    await page.locator("table.recalls tbody tr a").first.click()
    await page.wait_for_url("**/recalls/*")
    assert "Level I" in await page.locator(".status-line").inner_text()
    await page.screenshot(path=output_dir / "recall.png", full_page=True)


async def test_readable_on_a_phone(site, browser, output_dir) -> None:
    context = await browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    tab = await context.new_page()
    try:
        for name, path in (("company", f"/enterprises/{CHENGRUI}"), ("recalls", "/recalls")):
            await tab.goto(site + path)
            overflow = await tab.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
            await tab.screenshot(path=output_dir / f"phone-{name}.png", full_page=True)
    finally:
        await context.close()


async def test_search_works_without_javascript(site, browser, output_dir) -> None:
    context = await browser.new_context(java_script_enabled=False)
    tab = await context.new_page()
    try:
        await tab.goto(site + "/?lang=en")
        await tab.get_by_label("Company name, short name, pinyin or credit code").fill("澄瑞")
        await tab.get_by_role("button", name="Search").click()
        await tab.wait_for_url("**/search?**")
        assert "lang=en" in tab.url
        assert await tab.locator("ul.hits .badge").first.inner_text() == "AAA"
        await tab.screenshot(path=output_dir / "no-js.png")
    finally:
        await context.close()
