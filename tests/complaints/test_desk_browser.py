"""The department desk in headless Chromium: the case list (no column wraps a character a
line), a case log in sentences, decisions that look different, and a transfer that asks
for a reason and a confirmation, in both languages, with and without JavaScript.

Screenshots land under test-output/<test name>/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, web

from tests.support.desk import ELEVATOR, staff_token

pytestmark = pytest.mark.browser
TEXTS = [
    ELEVATOR + "，物业一直推给厂家，已经拖了两个多月，请尽快派人检查并督促整改",
    "在商场买的电热水器用了三天就漏电，差点出事，厂家说是安装问题，要求赔偿和更换",
    "举报一家小厂生产的插线板没有3C认证标志就出厂销售，已经卖到好几个县城的超市里了",
    "买的电动自行车充电器充电时冒烟起火，烧坏了阳台上的东西，要求生产厂家赔偿损失",
]
# the list's columns that hold one short value each and must stay on one line
ONE_LINE = """() => [...document.querySelectorAll('table.desk-list td.nowrap')].map(td => {
  const range = document.createRange(); range.selectNodeContents(td);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return [td.innerText, tops.size];
})"""


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite is enough here: the desk's queries run on both backends in the other tests."""
    return f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
async def desk(settings, services) -> AsyncIterator[tuple[str, str, list[str]]]:
    """A served app with four cases at the quality desk, one of them handled to the end."""
    from zhixin.app import create_app

    runner = web.AppRunner(create_app(settings, services))
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    site = f"http://127.0.0.1:{runner.addresses[0][1]}"
    token = await staff_token(services, "zhijian", "钱工")
    numbers = []
    try:
        async with ClientSession() as http:
            for text in TEXTS:
                body = {"text": text, "contact": "13812345678", "kind": "complaint"}
                async with http.post(f"{site}/api/v1/cases", json=body) as resp:
                    assert resp.status == 201, await resp.text()
                    numbers.append((await resp.json())["tracking_no"])
            from sqlalchemy import update

            from complaints.models import Case

            async with services.sessions() as session:
                await session.execute(update(Case).values(department="zhijian"))
                await session.commit()
            auth = {"Authorization": f"Bearer {token}"}
            for action, body in (
                ("accept", {"note": "已电话联系投诉人"}),
                ("progress", {"note": "已约谈生产企业", "public": True}),
                ("resolve", {"outcome": "compensated", "amount_yuan": "1280.5"}),
            ):
                url = f"{site}/api/v1/desk/cases/{numbers[0]}/{action}"
                async with http.post(url, json=body, headers=auth) as resp:
                    assert resp.status == 200, await resp.text()
        yield site, token, numbers
    finally:
        await runner.cleanup()


async def _logged_in(browser, site: str, token: str, lang: str, js: bool = True):
    context = await browser.new_context(
        viewport={"width": 1100, "height": 900}, java_script_enabled=js
    )
    tab = await context.new_page()
    tab.set_default_timeout(60_000)
    await tab.goto(f"{site}/desk?lang={lang}")
    await tab.locator("input[name=token]").fill(token)
    await tab.locator("form[action^='/desk/login'] button[type=submit]").click()
    await tab.wait_for_selector("table.desk-list")
    return context, tab


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_desk_list_and_case_log(desk, browser, output_dir, lang) -> None:
    site, token, numbers = desk
    context, tab = await _logged_in(browser, site, token, lang)
    try:
        cells = await tab.evaluate(ONE_LINE)
        assert len(cells) == 16
        for text, lines in cells:
            assert lines <= 1, f"{text!r} wraps over {lines} lines"
        rows = tab.locator("table.desk-list tbody tr")
        assert await rows.count() == 4
        # the three awaiting a decision come first, the handled one last
        assert numbers[0] in await rows.nth(3).inner_text()
        assert await tab.locator("tr.needs-action").count() == 3
        await tab.screenshot(path=output_dir / f"desk-list-{lang}.png", full_page=True)

        await tab.goto(f"{site}/desk/cases/{numbers[0]}?lang={lang}")
        log = await tab.locator("table.case-log").inner_text()
        if lang == "en":
            assert "钱工 resolved the case: Compensated." in log
            assert "¥1,280.50 refunded or paid to the consumer." in log
        else:
            assert "钱工办结此案" in log and "¥1,280.50" in log
        assert "recovered_fen" not in log and "None" not in log and "zhijian" not in log
        await tab.screenshot(path=output_dir / f"case-log-{lang}.png", full_page=True)
    finally:
        await context.close()


async def test_decisions_look_different_and_transfer_confirms(desk, browser, output_dir) -> None:
    site, token, numbers = desk
    context, tab = await _logged_in(browser, site, token, "en")
    try:
        await tab.goto(f"{site}/desk/cases/{numbers[1]}?lang=en")
        colours = set()
        for cls in ("act-accept", "act-transfer", "act-reject"):
            button = tab.locator(f"button.{cls}")
            colours.add(
                await button.evaluate(
                    "b => getComputedStyle(b).backgroundColor + getComputedStyle(b).borderColor"
                )
            )
        assert len(colours) == 3
        await tab.screenshot(path=output_dir / "decisions.png", full_page=True)
        questions = []

        async def answer(dialog) -> None:
            questions.append(dialog.message)
            await dialog.accept()

        tab.on("dialog", answer)
        await tab.select_option("#transfer-department", "shiyaojian")
        await tab.fill("#transfer-reason", "涉及食品安全，转食药监")
        await tab.locator("section.transfer input[name=confirm]").check()
        await tab.locator("button.act-transfer").click()
        await tab.wait_for_url("**/desk?done=transfer**")
        assert questions == ["Transfer this case to the chosen department?"]
        assert numbers[1] not in await tab.locator("table.desk-list").inner_text()
    finally:
        await context.close()


async def test_reject_without_javascript_is_refused_until_confirmed(
    desk, browser, output_dir
) -> None:
    site, token, numbers = desk
    context, tab = await _logged_in(browser, site, token, "zh", js=False)
    try:
        await tab.goto(f"{site}/desk/cases/{numbers[2]}?lang=zh")
        # the browser's own check stops an empty reason; the server stops a missing tick
        await tab.evaluate(
            "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
        )
        await tab.select_option("#reject-reason", "outside_remit")
        await tab.locator("button.act-reject").click()
        await tab.wait_for_selector("p.error")
        assert "请勾选确认" in await tab.locator("p.error").inner_text()
        await tab.screenshot(path=output_dir / "reject-refused-zh.png", full_page=True)
        await tab.locator("section.reject input[name=confirm]").check()
        await tab.select_option("#reject-reason", "outside_remit")
        await tab.locator("button.act-reject").click()
        await tab.wait_for_url(f"**/desk/cases/{numbers[2]}?done=reject**")
        assert "不予受理" in await tab.locator("table.case-log").inner_text()
    finally:
        await context.close()
