"""Evidence in headless Chromium: a citizen files a complaint with a photo and a PDF
(with JavaScript: the upload shows progress; without: the plain form), and the handling
department's desk page shows the photo's thumbnail and the PDF as a download.

Screenshots land in test-output/<test name>/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select

from complaints.models import Case, Evidence
from tests.support.desk import ELEVATOR, staff_token
from tests.support.evidence import gps_of, jpeg_with_gps, pdf

pytestmark = pytest.mark.browser


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite is enough here: the evidence queries run on both backends in the other tests."""
    return f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}"


@pytest.fixture
async def site(settings, services) -> AsyncIterator[str]:
    from zhixin.app import create_app

    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def files(tmp_path: Path) -> list[Path]:
    photo, receipt = tmp_path / "IMG_2041.jpg", tmp_path / "receipt.pdf"
    photo.write_bytes(jpeg_with_gps((1200, 900), "tan"))
    receipt.write_bytes(pdf())
    return [photo, receipt]


async def file_with_evidence(tab, site: str, paths: list[Path], shot: Path) -> str:
    """Fill in and send the form; return the tracking number. ``tab.posts`` gets the
    kind of each POST the page made (xhr with JavaScript, document without)."""
    tab.posts = []
    tab.on(
        "request",
        lambda r: tab.posts.append(r.resource_type) if r.method == "POST" else None,
    )
    await tab.goto(site + "/complain?lang=en")
    await tab.get_by_label("What happened?").fill(ELEVATOR)
    await tab.get_by_label("Phone or e-mail (required for a complaint)").fill("13812345678")
    await tab.get_by_label("Photos or documents (optional)").set_input_files(paths)
    await tab.screenshot(path=shot, full_page=True)
    await tab.get_by_role("button", name="Submit").click()
    await tab.get_by_text("Files attached as evidence: 2.").wait_for()
    html = await tab.content()
    return re.search(r"Tracking number</th><td><strong>([A-Z0-9]+)<", html).group(1)


async def test_desk_page_shows_thumbnails_of_evidence_filed_in_the_browser(
    site, browser, services, tmp_path, output_dir
) -> None:
    paths = files(tmp_path)
    citizen = await browser.new_context(viewport={"width": 1000, "height": 900})
    tab = await citizen.new_page()
    tab.set_default_timeout(60_000)
    progress = tab.locator("progress.upload")
    number = await file_with_evidence(tab, site, paths, output_dir / "1-form.png")
    await tab.screenshot(path=output_dir / "2-filed.png", full_page=True)
    assert await progress.count() == 0  # the answer page replaced the form
    assert tab.posts == ["xhr"]  # sent by the script, which follows the upload
    await citizen.close()

    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == number))
        items = list(await s.scalars(select(Evidence).where(Evidence.case_id == case.id)))
    assert sorted(i.content_type for i in items) == ["application/pdf", "image/jpeg"]
    photo = next(i for i in items if i.kind == "image")
    assert not gps_of(await services.evidence_store.get(photo.sha256))

    token = await staff_token(services, case.department)
    desk = await browser.new_context(viewport={"width": 1100, "height": 1000}, locale="en")
    page = await desk.new_page()
    page.set_default_timeout(60_000)
    await page.goto(site + "/desk?lang=en")
    await page.locator("#token").fill(token)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/desk?lang=en")
    await page.goto(f"{site}/desk/cases/{number}?lang=en")
    thumb = page.locator("ul.evidence img")
    await thumb.wait_for()
    await page.wait_for_function(
        "() => { const i = document.querySelector('ul.evidence img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    width = await thumb.evaluate("i => i.naturalWidth")
    assert 0 < width <= 320  # the thumbnail, not the 1200-pixel photo
    assert await page.get_by_role("link", name="Document 2 (PDF, download)").count() == 1
    await page.locator("ul.evidence").scroll_into_view_if_needed()
    await page.screenshot(path=output_dir / "3-desk-thumbnails.png", full_page=True)
    await desk.close()


async def test_the_form_uploads_without_javascript(site, browser, services, tmp_path, output_dir):
    context = await browser.new_context(java_script_enabled=False)
    tab = await context.new_page()
    tab.set_default_timeout(60_000)
    number = await file_with_evidence(tab, site, files(tmp_path), output_dir / "1-form.png")
    await tab.screenshot(path=output_dir / "2-filed.png", full_page=True)
    assert tab.posts == ["document"]  # the plain form post
    await context.close()
    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == number))
        count = len(list(await s.scalars(select(Evidence).where(Evidence.case_id == case.id))))
    assert count == 2
