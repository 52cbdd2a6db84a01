"""Campaign reports over a real database (SQLite and PostgreSQL): the JSON API, the
page, the CSV and XLSX downloads and the CLI files all show the same numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from campaigns.commands import cli_report
from campaigns.export import SECTIONS, section_title
from campaigns.models import Campaign
from campaigns.windows import (
    CampaignError,
    active_campaign,
    add_campaign,
    announcement,
    check_spec,
    ensure_campaigns,
)
from complaints.models import Case
from disclosure.models import Enterprise
from infra.security import new_token

CHINA = ZoneInfo("Asia/Shanghai")
U1 = "91320100MA1XXXXX01"


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHINA)


def case(kind: str, channel: str, department: str, created: datetime, **kw) -> Case:
    return Case(
        tracking_no=new_token("t")[:30],
        access_code_hash="x" * 64,
        kind=kind,
        channel=channel,
        text="……",
        department=department,
        routed_department=department,
        created_at=created,
        status=kw.pop("status", "received"),
        **kw,
    )


async def seed(services) -> None:
    async with services.sessions() as s:
        s.add(Enterprise(uscc=U1, name="南京甲超市有限公司", region="南京市"))
        await s.flush()
        s.add_all(
            [
                case("complaint", "web", "gongshang", at(2026, 3, 2), city="南京",
                     category="retail", company="甲超市", enterprise_uscc=U1,
                     accept_due=date(2026, 3, 11), accepted_at=at(2026, 3, 4),
                     resolved_at=at(2026, 3, 20), status="closed", outcome="refunded",
                     recovered_fen=150_000, working_days=12, rating=5),
                case("complaint", "bot", "gongshang", at(2026, 3, 10), city="苏州",
                     category="online", company="甲超市", enterprise_uscc=U1,
                     accept_due=date(2026, 3, 19), resolve_due=date(2026, 5, 22),
                     accepted_at=at(2026, 3, 12), status="in_progress"),
                case("tip", "web", "zhijian", at(2026, 3, 15), city="无锡",
                     category="product_quality", company="某厂", accept_due=date(2026, 4, 3),
                     accepted_at=at(2026, 3, 20), resolved_at=at(2026, 4, 10), status="closed",
                     outcome="case_opened", penalty_fen=2_000_000, reward_fen=300_000,
                     working_days=18, rating=4),
                # 23:00 on 31 March in China is still March (15:00 UTC)
                case("complaint", "api", "shiyaojian", at(2026, 3, 31, 23), city="南京",
                     status="rejected", reject_reason="outside_remit"),
                case("inquiry", "web", "triage", at(2026, 3, 20), status="closed"),
                # 1 April 01:00 in China is 31 March in UTC: not in the window
                case("complaint", "web", "gongshang", at(2026, 4, 1, 1)),
                case("complaint", "web", "gongshang", at(2025, 3, 5), city="南京",
                     company="甲超市", enterprise_uscc=U1, accepted_at=at(2025, 3, 6),
                     resolved_at=at(2025, 3, 19), status="closed", outcome="mediated",
                     recovered_fen=50_000, working_days=10, rating=3),
                case("tip", "bot", "huanbao", at(2025, 3, 20), accept_due=date(2025, 4, 10)),
            ]
        )  # fmt: skip
        await s.commit()


@pytest.fixture
async def app_client(client, services):
    await seed(services)
    return client


async def test_report_json(app_client) -> None:
    resp = await app_client.get("/api/v1/campaigns/315/2026")
    assert resp.status == 200
    report = await resp.json()
    assert report["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    cases = report["cases"]
    assert cases["total"] == 5
    assert sum(cases["by_department"].values()) == cases["total"]
    assert sum(cases["by_kind"].values()) == cases["total"]
    assert cases["by_kind"] == {"complaint": 3, "tip": 1, "inquiry": 1}
    assert cases["by_department"] == {"gongshang": 2, "shiyaojian": 1, "triage": 1, "zhijian": 1}
    assert report["acceptance_rate"] == 0.75  # A, B, C of A-D
    assert report["resolution_rate"] == 0.6667  # A, C of A-C
    assert report["median_working_days"] == 15.0
    assert report["overdue"] == 1  # B is open past 22 May
    assert report["money_recovered_yuan"] == 1500.0
    assert report["penalties_yuan"] == 20000.0 and report["rewards_yuan"] == 3000.0
    assert report["satisfaction_index"] == 87.5
    assert report["satisfaction"]["consumer_services"] == 100.0
    assert report["satisfaction"]["producer_services"] == 75.0
    top = report["top_enterprises"]
    assert (top[0]["uscc"], top[0]["name"], top[0]["cases"]) == (U1, "南京甲超市有限公司", 2)
    assert top[0]["previous_year_cases"] == 1
    assert len(top) == 1  # "某厂" is a name as typed, not a registered enterprise
    prior = report["previous_year"]
    assert prior["year"] == 2025 and prior["cases"]["total"] == 2
    assert prior["period"] == {"start": "2025-03-01", "end": "2025-03-31"}
    assert prior["overdue"] == 1 and prior["satisfaction_index"] == 50.0
    assert report["department_names"]["gongshang"] == "工商行政管理局"

    english = await (await app_client.get("/api/v1/campaigns/315/2026?lang=en")).json()
    assert english["campaign"]["name"].startswith("3·15")
    assert english["department_names"]["gongshang"] == "Industry and Commerce"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/campaigns/no-such/2026", 404, "not_found"),
        ("/api/v1/campaigns/315/20x6", 400, "invalid_year"),
        ("/api/v1/campaigns/315/1999", 400, "invalid_year"),
        ("/api/v1/campaigns/315/2999", 400, "invalid_year"),
    ],
)
async def test_bad_requests(app_client, path: str, status: int, code: str) -> None:
    resp = await app_client.get(path)
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code
    page = await app_client.get(path.replace("/api/v1", ""))
    assert page.status == status and page.content_type == "text/html"


class FigureTables(HTMLParser):
    """(section, key) → the cell texts of the page's figure tables."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], list[str]] = {}
        self.section: str | None = None
        self.key: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-section"):
            self.section = a["data-section"]
        elif tag == "tr" and self.section and a.get("data-key"):
            self.key = a["data-key"]
            self.rows[(self.section, self.key)] = []
        elif tag == "td" and self.key:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None and self.key:
            self.rows[(self.section, self.key)].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr":
            self.key = None
        elif tag == "table":
            self.section = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def shown(text: str) -> float | None:
    """A number as a page shows it (¥1,500.00, 75.0%, 87.5, 15.0 working days, no data)
    as a plain number; percentages as fractions."""
    if text in ("暂无数据", "no data", ""):
        return None
    value = float(re.sub(r"[^0-9.\-]", "", text))
    return value / 100 if text.endswith("%") else value


def expected(report: dict) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    """The figures the JSON gives, keyed as the other formats key them."""
    prior = report["previous_year"]
    out = {
        ("summary", "total"): (report["cases"]["total"], prior["cases"]["total"]),
        ("summary", "satisfaction_consumer"): (
            report["satisfaction"]["consumer_services"],
            prior["satisfaction"]["consumer_services"],
        ),
    }
    for key in (
        "acceptance_rate",
        "resolution_rate",
        "median_working_days",
        "overdue",
        "money_recovered_yuan",
        "penalties_yuan",
        "rewards_yuan",
        "satisfaction_index",
    ):
        out[("summary", key)] = (report[key], prior[key])
    for section, field in (("department", "by_department"), ("kind", "by_kind")):
        for key, count in report["cases"][field].items():
            out[(section, key)] = (count, prior["cases"][field].get(key, 0))
    for item in report["top_enterprises"]:
        out[("enterprise", item["uscc"] or item["name"])] = (
            item["cases"],
            item["previous_year_cases"],
        )
    return out


def assert_same(report: dict, found: dict, tolerance: float = 0.0) -> None:
    want = expected(report)
    assert len(want) > 12
    for key, (now, then) in want.items():
        assert key in found, key
        for a, b in zip((now, then), found[key], strict=True):
            if a is None:
                assert b is None, key
            else:
                assert b == pytest.approx(a, abs=tolerance), key


def from_html(text: str) -> dict:
    parser = FigureTables()
    parser.feed(text)
    return {k: (shown(v[0]), shown(v[1])) for k, v in parser.rows.items()}


def from_csv(text: str) -> dict:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    out = {}
    for row in rows[1:]:
        unit = row[3]

        def num(cell: str, unit: str = unit) -> float | None:
            if cell == "":
                return None
            return float(cell) / 100 if unit == "%" else float(cell)

        out[(_section(row[0]), row[1])] = (num(row[4]), num(row[5]))
    return out


def from_xlsx(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data)).active
    out = {}
    header = None
    for row in ws.iter_rows(values_only=True):
        if header is None:
            if row[4] is not None and str(row[4]).isdigit():
                header = row
            continue
        out[(_section(row[0]), row[1])] = (row[4], row[5])
    return out


def _section(title: str) -> str:
    """The section id of a title as the CSV and XLSX show it (in either language)."""
    titles = {section_title(key, lang): key for key, _ in SECTIONS for lang in ("zh", "en")}
    return titles.get(title, title)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_page_csv_xlsx_agree_with_json(app_client, lang: str) -> None:
    report = await (await app_client.get(f"/api/v1/campaigns/315/2026?lang={lang}")).json()

    page = await app_client.get(f"/campaigns/315/2026?lang={lang}")
    assert page.status == 200
    html = await page.text()
    assert "<svg" in html and 'role="img"' in html
    assert " style=" not in html  # the CSP forbids inline styles
    assert_same(report, from_html(html), tolerance=0.0005)
    css = await app_client.get("/campaigns/report.css")
    assert css.status == 200 and css.content_type == "text/css"

    resp = await app_client.get(f"/campaigns/315/2026.csv?lang={lang}")
    assert resp.status == 200 and resp.content_type == "text/csv"
    assert_same(report, from_csv((await resp.read()).decode("utf-8")), tolerance=0.00005)

    resp = await app_client.get(f"/campaigns/315/2026.xlsx?lang={lang}")
    assert resp.status == 200
    assert_same(report, from_xlsx(await resp.read()))


async def test_xlsx_number_formats(app_client) -> None:
    ws = load_workbook(
        io.BytesIO(await (await app_client.get("/campaigns/315/2026.xlsx")).read())
    ).active
    formats = {row[1].value: row[4].number_format for row in ws.iter_rows(min_row=5)}
    assert formats["money_recovered_yuan"] == '"¥"#,##0.00'
    assert formats["resolution_rate"] == "0.0%"
    assert formats["total"] == "#,##0"


async def test_cli_files_agree_with_json(app_client, settings, tmp_path: Path, capsys) -> None:
    report = await (await app_client.get("/api/v1/campaigns/315/2026")).json()
    for fmt in ("html", "csv", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        assert await cli_report(settings, "315", 2026, fmt, out) == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<style>" in html and 'href="/static' not in html
    assert_same(report, from_html(html), tolerance=0.0005)
    assert_same(report, from_csv((tmp_path / "r.csv").read_text(encoding="utf-8-sig")), 0.00005)
    assert_same(report, from_xlsx((tmp_path / "r.xlsx").read_bytes()))
    assert await cli_report(settings, "nope", 2026, "csv", None) == 1
    assert "unknown campaign 'nope'" in capsys.readouterr().err
    assert await cli_report(settings, "315", 1999, "csv", None) == 1
    assert "--year 1999" in capsys.readouterr().err


async def test_index_and_latest(app_client) -> None:
    page = await app_client.get("/campaigns")
    assert page.status == 200
    text = await page.text()
    assert "质量月" in text and "/campaigns/315/" in text
    resp = await app_client.get("/campaigns/quality-month", allow_redirects=False)
    assert resp.status == 302
    assert re.search(r"/campaigns/quality-month/\d{4}\?lang=zh$", resp.headers["Location"])
    listing = await (await app_client.get("/api/v1/campaigns")).json()
    assert {c["slug"] for c in listing["items"]} == {"315", "quality-month"}


async def test_operator_campaign_and_seeding(services, app_client) -> None:
    async with services.sessions() as s:
        await ensure_campaigns(s)
        await ensure_campaigns(s)  # idempotent
        assert await s.scalar(select(func.count()).select_from(Campaign)) == 2
        await add_campaign(s, check_spec("winter", "冬季行动", "Winter drive", "12-15", "01-15"))
        await s.commit()
        with pytest.raises(CampaignError, match="exists"):
            await add_campaign(s, check_spec("winter", "冬", "W", "12-01", "01-15"))
        with pytest.raises(CampaignError, match=r"campaigns\.toml"):
            await add_campaign(s, check_spec("315", "改", "Changed", "03-10", "03-20"))
    report = await (await app_client.get("/api/v1/campaigns/winter/2025")).json()
    assert report["period"] == {"start": "2025-12-15", "end": "2026-01-15"}
    assert report["cases"]["total"] == 0


async def test_active_campaign_and_banner(services, app_client) -> None:
    async with services.sessions() as s:
        running = await active_campaign(s, date(2026, 3, 10))
        assert running is not None and running.slug == "315"
        assert await active_campaign(s, date(2026, 6, 1)) is None
        month = await active_campaign(s, date(2026, 9, 30))
    assert month is not None and month.slug == "quality-month"
    assert await active_campaign([month], date(2026, 9, 1)) is month  # no query needed
    text = announcement(running, date(2026, 3, 10), "en")
    assert "3·15" in text and "/complain" in text and "2026" in text
    env = aiohttp_jinja2.get_env(app_client.server.app)
    banner = env.get_template("campaign_banner.html")
    html = banner.render(campaign=running, lang="zh", campaign_today=date(2026, 3, 10))
    assert "3·15" in html and "/complain?lang=zh" in html and "/campaigns/315/2026" in html
    assert banner.render(campaign=None, lang="zh").strip() == ""


async def test_cli_campaign_add_and_list(settings, services, capsys) -> None:
    from campaigns.commands import cli_campaign_add, cli_campaign_list

    assert (
        await cli_campaign_add(settings, "winter", "冬季行动", "Winter drive", "12-15", "01-15")
        == 0
    )
    assert await cli_campaign_list(settings) == 0
    out = capsys.readouterr().out
    assert "winter\t12-15 to 01-15\t冬季行动\tWinter drive" in out
    assert "315\t03-01 to 03-31" in out
    assert await cli_campaign_add(settings, "spring", "春", "Spring", "04-31", "05-10") == 1
    assert "start: '04-31' is not a day of the year" in capsys.readouterr().err
    assert await cli_campaign_add(settings, "winter", "冬", "W", "12-01", "01-15") == 1
    assert "--replace" in capsys.readouterr().err
    assert await cli_campaign_add(settings, "winter", "冬", "W", "12-01", "01-15", True) == 0
    async with services.sessions() as s:
        row = await s.get(Campaign, "winter")
        assert (row.start_month, row.start_day, row.name_zh) == (12, 1, "冬")
