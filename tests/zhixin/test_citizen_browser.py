"""A citizen in headless Chromium: files a complaint and switches the receipt's language
(the same receipt comes back, access code included), and goes from a company page or a
recall notice to a complaint form that already names what it is about.

Screenshots (test-output/<test name>/): receipt-zh.png, receipt-en.png, company-zh.png,
company-en.png, complain-company-zh.png, complain-company-en.png, complain-recall-en.png.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.conftest import need_chromium
from tests.support.disclosure_data import CHENGRUI, seed

pytestmark = pytest.mark.browser
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEXT = "在澄瑞电子买的充电宝用了两天就鼓包发烫，商家拒绝退货，请帮忙处理。"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite is enough here: the pages' queries run on both backends in the HTTP tests."""
    return f"sqlite+aiosqlite:///{tmp_path / 'citizen.db'}"


@pytest.fixture
async def site(settings, services) -> AsyncIterator[tuple[str, dict[str, int]]]:
    from zhixin.app import create_app

    ids = await seed(services, recalls=4)
    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", ids
    finally:
        await runner.cleanup()


@pytest.fixture
async def page(site):
    executable = need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=ARGS)
        context = await browser.new_context(viewport={"width": 1000, "height": 900}, locale="zh-CN")
        tab = await context.new_page()
        tab.set_default_timeout(60_000)  # waits are on conditions; this is the ceiling
        try:
            yield tab
        finally:
            await browser.close()


async def _receipt_numbers(page) -> tuple[str, str]:
    cells = page.locator("main table").first.locator("td strong")
    return await cells.nth(0).inner_text(), await cells.nth(1).inner_text()


async def test_the_receipt_keeps_its_page_in_either_language(site, page, output_dir) -> None:
    base, _ids = site
    await page.goto(base + "/complain")
    await page.locator("#text").fill(TEXT)
    await page.locator("#contact").fill("13812345678")
    await page.get_by_role("button", name="提交").click()
    await page.wait_for_url("**/complain?lang=zh")
    await page.get_by_role("heading", level=1, name="我们已收到您的投诉举报").wait_for()
    number, code = await _receipt_numbers(page)
    assert len(code) >= 8
    await page.screenshot(path=output_dir / "receipt-zh.png", full_page=True)
    # no plain link: it would load a blank form and lose the access code
    assert await page.locator("header a[hreflang]").count() == 0

    await page.get_by_role("button", name="English").click()
    await page.wait_for_url("**/complain/receipt?lang=en")
    assert await page.locator("html").get_attribute("lang") == "en"
    heading = page.get_by_role("heading", level=1)
    assert await heading.inner_text() == "We have received your submission"
    assert await _receipt_numbers(page) == (number, code)
    assert await page.get_by_text("Why this department:").is_visible()
    await page.screenshot(path=output_dir / "receipt-en.png", full_page=True)

    await page.get_by_role("button", name="简体中文").click()
    await page.wait_for_url("**/complain/receipt?lang=zh")
    assert await _receipt_numbers(page) == (number, code)
    # the receipt's own link still leads on to tracking, with the number filled in
    await page.locator('main a[href^="/track"]').click()
    await page.wait_for_url("**/track?**")
    assert await page.locator("#tracking_no").input_value() == number


async def test_from_a_company_page_to_a_complaint_about_it(site, page, output_dir) -> None:
    base, _ids = site
    for lang, link, about in (
        ("zh", "投诉这家企业", "关于此企业"),
        ("en", "Complain about this company", "About this company"),
    ):
        await page.goto(f"{base}/enterprises/{CHENGRUI}?lang={lang}")
        button = page.get_by_role("link", name=link)
        assert await button.is_visible()
        await button.scroll_into_view_if_needed()
        await page.screenshot(path=output_dir / f"company-{lang}.png", full_page=True)
        await button.click()
        await page.wait_for_url(f"**/complain?company={CHENGRUI}&lang={lang}")
        subject = page.locator("section.subject")
        assert about in await subject.inner_text()
        assert "苏州澄瑞电子科技有限公司" in await subject.inner_text()
        assert await page.locator("#company").input_value() == "苏州澄瑞电子科技有限公司"
        await page.screenshot(path=output_dir / f"complain-company-{lang}.png", full_page=True)
    await page.get_by_role("link", name="苏州澄瑞电子科技有限公司").click()
    await page.wait_for_url(f"**/enterprises/{CHENGRUI}?lang=en")


async def test_from_a_recall_notice_to_a_complaint_about_it(site, page, output_dir) -> None:
    base, ids = site
    await page.goto(f"{base}/recalls/{ids['JS-T-0001']}?lang=en")
    await page.get_by_role("link", name="Complain about this product").click()
    await page.wait_for_url(f"**/complain?recall={ids['JS-T-0001']}&lang=en")
    subject = await page.locator("section.subject").inner_text()
    assert "About this recall notice" in subject and "JS-T-0001" in subject
    text = await page.locator("#text").input_value()
    assert text.startswith("About the recall notice JS-T-0001")
    assert await page.locator("#company").input_value() == "无锡宏达机械制造有限公司"
    await page.screenshot(path=output_dir / "complain-recall-en.png", full_page=True)
