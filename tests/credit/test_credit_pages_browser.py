"""The archive, the assessment and the grade-proposal desk in headless Chromium, with
screenshots under test-output/<test name>/: the authority logs in, reads why a grade is
proposed, accepts one and overrides another with a reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from credit.proposals import run_proposals
from tests.conftest import need_chromium
from tests.support.credit_data import E, H, seed_world
from tests.support.desk import staff_token

pytestmark = pytest.mark.browser
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite is enough here: the queries run on both backends in the other tests."""
    return f"sqlite+aiosqlite:///{tmp_path / 'credit-pages.db'}"


@pytest.fixture
async def site(settings, services) -> AsyncIterator[tuple[str, str]]:
    from zhixin.app import create_app

    await seed_world(services)
    async with services.sessions() as session:
        await run_proposals(session, 2025)
        await session.commit()
    token = await staff_token(services, "zhijian", "评定科")
    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", token
    finally:
        await runner.cleanup()


@pytest.fixture
async def page():
    executable = need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=ARGS)
        context = await browser.new_context(viewport={"width": 1200, "height": 900})
        tab = await context.new_page()
        tab.set_default_timeout(60_000)
        try:
            yield tab
        finally:
            await browser.close()


async def test_archive_and_assessment_pages(site, page, output_dir) -> None:
    base, _token = site
    await page.goto(f"{base}/enterprises/{E}/archive?lang=en")
    rows = page.locator("#archive tbody tr")
    assert await rows.count() == 6
    assert await rows.first.get_attribute("data-type") == "penalty"
    assert "Quality archive" in await page.locator("h1").inner_text()
    await page.screenshot(path=output_dir / "archive-en.png", full_page=True)
    await page.goto(f"{base}/enterprises/{E}/archive")
    await page.screenshot(path=output_dir / "archive-zh.png", full_page=True)
    await page.goto(f"{base}/assessment/2025?lang=en")
    first = page.locator("#assessment-departments tbody tr").first
    assert await first.get_attribute("data-code") == "gongshang"
    assert await page.locator("#assessment-method tbody tr").count() == 7
    await page.screenshot(path=output_dir / "assessment-en.png", full_page=True)
    await page.goto(f"{base}/assessment/2025")
    await page.screenshot(path=output_dir / "assessment-zh.png", full_page=True)


async def test_the_authority_decides_proposals_at_the_desk(site, page, output_dir) -> None:
    base, token = site
    await page.goto(f"{base}/desk?lang=en")
    await page.locator("#token").fill(token)
    await page.locator("button[type=submit]").first.click()
    await page.wait_for_url("**/desk?lang=en")
    await page.goto(f"{base}/desk/grades?year=2025&lang=en")
    sections = page.locator("section.proposal")
    assert await sections.count() == 2
    busy = page.locator("section.proposal", has_text=E)
    assert "Level-I recalls: 1 → -12 points." in await busy.inner_text()
    await page.screenshot(path=output_dir / "proposals.png", full_page=True)
    clean = page.locator("section.proposal", has_text=H)
    assert "one-off reward" in await clean.inner_text()
    await clean.locator("button.accept").click()
    await page.locator("#done").wait_for()
    await busy.locator("input[name=reason]").fill("罚款已缴纳，召回已完成，整改到位")
    await busy.locator("select[name=grade]").select_option("B")
    await busy.locator("form.override button").click()
    await page.locator("#done").wait_for()
    assert await page.locator("section.proposal[data-status=proposed]").count() == 0
    await page.screenshot(path=output_dir / "decided.png", full_page=True)
    await page.goto(f"{base}/enterprises/{H}?lang=en")
    assert "AA" in await page.locator(".grade-now").inner_text()
