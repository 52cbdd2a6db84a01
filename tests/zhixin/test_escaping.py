"""HTML and script in what citizens type stay inert wherever it is shown: the citizen's
pages, the desk pages, bot messages, the campaign report (page, CSV, XLSX), the Atom
feed; and nothing typed becomes a spreadsheet formula in the exports."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from complaints.intake import Submission
from complaints.service import submit
from disclosure.cache import mark_change
from disclosure.models import RecallNotice
from tests.support.attack import desk_login
from tests.support.bot_world import make_world
from tests.support.desk import bearer, csrf_of, file_case, staff_token

SCRIPT = '<script>alert("zx")</script>'
EVIL_TEXT = (
    "小区电梯经常困人，物业一直不修。"
    + SCRIPT
    + '<img src=x onerror=alert(1)>"\'><svg/onload=alert(2)><a href="javascript:alert(3)">x</a>'
)
EVIL_COMPANY = '<b onmouseover="alert(4)">坏公司</b>'
FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
CHINA = ZoneInfo("Asia/Shanghai")


class ActiveContent(HTMLParser):
    """What in a page could run: inline scripts, event handlers, javascript: URLs, SVG."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline <script>")
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def assert_inert(html: str, *needles: str) -> None:
    parser = ActiveContent()
    parser.feed(html)
    assert parser.found == [], parser.found
    assert SCRIPT not in html and "<img src=x" not in html and "<svg/onload" not in html
    for needle in needles:  # the text is there, escaped
        assert needle in html, needle


@pytest.fixture
def db_url(tmp_path) -> str:
    """Escaping happens in the templates and exports, the same on every database."""
    return f"sqlite+aiosqlite:///{tmp_path / 'infra.db'}"


async def test_citizen_and_desk_pages_escape_what_citizens_typed(client, services) -> None:
    filed = await file_case(client, EVIL_TEXT, company=EVIL_COMPANY, name="<i>张三</i>")
    number, code = filed["tracking_no"], filed["access_code"]
    token = await staff_token(services, filed["department"])
    note = "已联系物业<script>alert(5)</script>"
    await client.post(f"/api/v1/desk/cases/{number}/accept", json={}, headers=bearer(token))
    resp = await client.post(
        f"/api/v1/desk/cases/{number}/progress",
        json={"note": note, "public": True},
        headers=bearer(token),
    )
    assert resp.status == 200

    page = await client.get("/track")
    resp = await client.post(
        "/track", data={"csrf_token": csrf_of(await page.text()), "tracking_no": number,
                        "access_code": code},
    )  # fmt: skip
    assert resp.status == 200
    assert_inert(
        await resp.text(), "&lt;script&gt;", "&lt;b onmouseover=", "已联系物业&lt;script&gt;"
    )

    # the form shown again with an error keeps the text, escaped
    page = await client.get("/complain")
    resp = await client.post(
        "/complain", data={"csrf_token": csrf_of(await page.text()), "text": EVIL_TEXT,
                           "company": EVIL_COMPANY, "kind": "complaint"},
    )  # fmt: skip
    assert resp.status == 400
    assert_inert(await resp.text(), "&lt;script&gt;")
    resp = await client.post(
        "/complain", data={"csrf_token": csrf_of(await page.text()), "text": EVIL_TEXT,
                           "company": EVIL_COMPANY, "contact": "13812345678"},
    )  # fmt: skip
    assert resp.status == 201
    assert_inert(await resp.text())

    await desk_login(client, token)
    listing = await client.get("/desk")
    assert_inert(await listing.text(), "&lt;b onmouseover=")
    detail = await client.get(f"/desk/cases/{number}")
    assert detail.status == 200
    assert_inert(await detail.text(), "&lt;script&gt;", "&lt;i&gt;张三&lt;/i&gt;")

    # JSON carries the text as it was typed, as JSON that browsers will not sniff as HTML
    resp = await client.get(f"/api/v1/desk/cases/{number}", headers=bearer(token))
    assert resp.content_type == "application/json"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert (await resp.json())["text"].endswith('">x</a>')


@pytest.fixture
async def world(services):
    return await make_world(services)


async def test_bot_messages_quote_what_citizens_typed(world, services) -> None:
    person = world.person(400, "en")
    await person.send("/complain")
    await person.send(EVIL_TEXT)
    await person.press("No particular company")
    await person.press("Skip")
    [summary] = await person.send("13800138000")
    assert "&lt;script&gt;" in summary.text and SCRIPT not in summary.text
    assert "<img" not in summary.text and "<svg" not in summary.text
    receipt = await person.press("Send")
    assert receipt and SCRIPT not in receipt[-1].text

    # a progress note from the desk reaches the citizen's /track quoted too
    from sqlalchemy import select

    from complaints.models import Case

    async with services.sessions() as session:
        case = await session.scalar(select(Case))
    token = await staff_token(services, case.department)
    from aiohttp.test_utils import TestClient, TestServer

    from zhixin.app import create_app

    async with TestClient(TestServer(create_app(services.settings, services))) as client:
        await client.post(
            f"/api/v1/desk/cases/{case.tracking_no}/accept", json={}, headers=bearer(token)
        )
        resp = await client.post(
            f"/api/v1/desk/cases/{case.tracking_no}/progress",
            json={"note": "<b>已处理</b><script>x()</script>", "public": True},
            headers=bearer(token),
        )
        assert resp.status == 200
    [status] = await person.send(f"/track {case.tracking_no}")
    assert "&lt;b&gt;已处理&lt;/b&gt;&lt;script&gt;" in status.text


async def _campaign_cases(services) -> None:
    when = datetime(2026, 9, 10, 10, tzinfo=CHINA)
    for i, company in enumerate([EVIL_COMPANY, *FORMULAS]):
        for _ in range(2 if i == 0 else 1):
            await submit(
                services,
                Submission(
                    text="买的电热水壶漏电，商家拒绝退货，要求退款。",
                    channel="web",
                    kind="complaint",
                    company=company,
                    contact="13812345678",
                    received_at=when,
                ),
            )


async def test_campaign_report_escapes_names_and_exports_no_formulas(client, services) -> None:
    await _campaign_cases(services)
    page = await client.get("/campaigns/quality-month/2026?lang=en")
    assert page.status == 200
    # a company name as typed is never published (only the register's names), so the
    # hostile name does not appear at all, escaped or not
    assert "onmouseover" not in await page.text()

    resp = await client.get("/campaigns/quality-month/2026.csv?lang=en")
    rows = list(csv.reader(io.StringIO((await resp.read()).decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row[:4]]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    for formula in FORMULAS:  # names and places as typed are not published at all
        assert formula not in cells and "'" + formula not in cells, formula
    assert EVIL_COMPANY not in cells

    resp = await client.get("/campaigns/quality-month/2026.xlsx?lang=en")
    sheet = load_workbook(io.BytesIO(await resp.read())).active
    values = {}
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                values[cell.value] = cell
    for formula in (*FORMULAS, EVIL_COMPANY):
        assert formula not in values


async def test_atom_feed_escapes_recall_text(client, services) -> None:
    title = '关于召回<script>alert(1)</script>牌水壶的公告 ]]> & "引号"'
    async with services.sessions() as session:
        session.add(
            RecallNotice(
                recall_no="JS-ESC-001",
                title=title,
                product="<img src=x onerror=alert(1)>",
                category="consumer",
                producer="某<b>电器</b>公司",
                reason="温控器失效",
                remedy="免费更换",
                start_date=datetime(2026, 11, 1).date(),
                published=datetime(2026, 11, 1).date(),
            )
        )
        mark_change(session, "recalls")
        await session.commit()
    resp = await client.get("/feeds/recalls.atom")
    body = await resp.read()
    assert b"<script>" not in body and b"<img src=x" not in body
    root = ET.fromstring(body)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.text for e in root.findall("a:entry/a:title", ns)]
    assert title in titles  # the reader sees the title exactly as published
