"""The demo data set gives both campaigns a report with content in each of the last two years."""

from __future__ import annotations

from datetime import date

import pytest

from complaints.campaign_query import build_report
from complaints.campaigns import get_campaign

TODAY = date(2026, 11, 30)


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # one backend: the load is slow
async def test_demo_reports_are_not_empty(services) -> None:
    from zhixin.demo import load_demo

    await load_demo(services, today=TODAY)
    async with services.sessions() as session:
        for slug in ("315", "quality-month"):
            campaign = await get_campaign(session, slug)
            assert campaign is not None
            for year in (2025, 2026):
                report = await build_report(session, campaign, year, as_of=TODAY)
                cases = report["cases"]
                where = f"{slug} {year}"
                assert cases["total"] > 20, where
                assert sum(cases["by_department"].values()) == cases["total"], where
                assert sum(cases["by_kind"].values()) == cases["total"], where
                assert sum(cases["by_city"].values()) == cases["total"], where
                assert 0 < report["acceptance_rate"] <= 1, where
                assert 0 < report["resolution_rate"] <= 1, where
                assert report["median_working_days"] > 0, where
                assert report["money_recovered_yuan"] > 0 and report["penalties_yuan"] > 0, where
                assert 0 <= report["satisfaction_index"] <= 100, where
                assert report["top_enterprises"], where
    # the 2026 reports compare with a 2025 that has cases too
    assert report["previous_year"]["cases"]["total"] > 20
