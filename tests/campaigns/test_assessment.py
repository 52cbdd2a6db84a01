"""The annual assessment computed by hand on the small credit world and compared, on
SQLite and PostgreSQL: each indicator, the score, the rank, last year beside it, the
method, and the same figures through the API, the CLI (csv, xlsx, json, html)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from campaigns.assessment import rank
from campaigns.assessment_query import build_assessment
from tests.support.credit_data import seed_world

AS_OF = date(2026, 2, 1)


def test_ties_share_a_rank_and_rows_without_cases_have_none() -> None:
    rows = [{"score": 80.0}, {"score": 90.0}, {"score": None}, {"score": 80.0}, {"score": 70.0}]
    rank(rows)
    assert [r["rank"] for r in rows] == [2, 1, None, 2, 4]


def _row(rows: list[dict], code: str) -> dict:
    return next(r for r in rows if r["code"] == code)


async def test_assessment_matches_the_figures_worked_out_by_hand(services) -> None:
    await seed_world(services)
    async with services.sessions() as s:
        report = await build_assessment(s, 2025, as_of=AS_OF, lang="en")
    assert len(report["cities"]) == 13 and "triage" not in [
        d["code"] for d in report["departments"]
    ]
    zj = _row(report["departments"], "zhijian")
    # cases 1-5: complaint 1 on time, complaint 2 waiting past its deadline (late),
    # complaint 3 rejected (left out), tips 4 and 5 accepted (5 on time; 4 has no deadline)
    assert zj["cases"] == 5
    assert zj["acceptance_on_time"] == pytest.approx(2 / 3, abs=1e-4)
    assert zj["resolution_rate"] == pytest.approx(2 / 3, abs=1e-4)  # 1 and 5 of 1, 4, 5
    assert zj["median_working_days"] == 10.0  # median of 6 and 14
    assert zj["overdue"] == 1  # complaint 2
    assert zj["satisfaction_index"] == 100.0 and zj["satisfaction_target"] == 85.0
    assert zj["money_recovered_yuan"] == 300.0
    assert zj["recalls_completed"] == 1  # a consumer-product recall: zhijian
    # 100 × (.25 × 2/3 + .25 × 2/3 + .15 × (1 − 10/45) + .15 × (1 − 1/5) + .20 × 1)
    assert zj["score"] == 77.0
    gs = _row(report["departments"], "gongshang")
    # 100 × (.25 + .25 + .15 × (1 − 11/45) + .15 + .20 × 50/80)
    assert gs["score"] == 88.8 and gs["satisfaction_target"] == 80.0
    assert (gs["rank"], zj["rank"]) == (1, 2)
    assert _row(report["departments"], "lvyou")["rank"] is None
    # 2024: complaint 7 alone, no rating: 100 × (.25 + .25 + .15 × (1 − 12/45) + .15) / .80
    assert zj["previous"]["score"] == 95.0 and zj["previous"]["rank"] == 1
    assert (zj["score_change"], zj["rank_change"]) == (-18.0, -1)
    sz, wx = _row(report["cities"], "苏州市"), _row(report["cities"], "无锡市")
    assert (sz["score"], sz["rank"], sz["recalls_completed"]) == (77.0, 2, 1)
    assert (wx["score"], wx["rank"], wx["name"]) == (88.8, 1, "Wuxi")
    weights = {i["key"]: i["weight"] for i in report["method"]["indicators"]}
    assert weights["acceptance_on_time"] == 0.25 and weights["money_recovered"] == 0
    assert report["method"]["satisfaction_targets"]["producer_services"] == 85


async def test_api_page_and_downloads_show_the_same_figures(client, services) -> None:
    await seed_world(services)
    resp = await client.get("/api/v1/assessment/2025?lang=en")
    assert resp.status == 200
    body = await resp.json()
    assert _row(body["departments"], "gongshang")["rank"] == 1
    assert (await client.get("/api/v1/assessment/abc")).status == 400
    assert (await client.get("/api/v1/assessment/1999")).status == 400
    page = await (await client.get("/assessment/2025?lang=en")).text()
    assert 'id="assessment-departments"' in page and 'id="assessment-method"' in page
    assert "88.8" in page and "Accepted within the legal deadline" in page
    raw = await (await client.get("/assessment/2025.csv?lang=en")).read()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    by_code = {r[1]: r for r in rows[2:] if len(r) > 4}
    assert by_code["gongshang"][3:5] == ["1", "88.8"]
    assert ["Method"] in rows


async def test_cli_writes_every_format(settings, services, tmp_path, capsys) -> None:
    from campaigns.commands import cli_assessment

    await seed_world(services)
    out = tmp_path / "a.json"
    assert await cli_assessment(settings, 2025, "json", out, lang="en") == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert _row(data["departments"], "zhijian")["score"] == 77.0
    xlsx = tmp_path / "a.xlsx"
    assert await cli_assessment(settings, 2025, "xlsx", xlsx, lang="en") == 0
    book = load_workbook(xlsx)
    sheet = book.worksheets[0]
    found = {sheet.cell(r, 2).value: sheet.cell(r, 5).value for r in range(5, sheet.max_row + 1)}
    assert found["gongshang"] == 88.8
    assert book.worksheets[1].cell(1, 2).value == "Weight"
    html = tmp_path / "a.html"
    assert await cli_assessment(settings, 2025, "html", html, lang="en") == 0
    assert "<style>" in html.read_text(encoding="utf-8")
    assert await cli_assessment(settings, 2025, "xlsx", None) == 1
    assert await cli_assessment(settings, 1999, "csv", None) == 1
    assert "1999" in capsys.readouterr().err
