"""The demo data set: deterministic, idempotent, with content for every page and report.

Both tests share one loaded demo database per backend (the ``demo_url`` fixture)."""

from __future__ import annotations

from sqlalchemy import func, select

from campaigns.query import build_report
from campaigns.windows import get_campaign
from complaints.models import Case, CaseEvent
from complaints.runtime import Services
from disclosure.models import RECALL_CATEGORIES, CreditGrade, Enterprise, RecallNotice
from infra.security import Cipher
from infra.settings import Settings
from nlp.uscc import CodeStatus, validate
from tests.conftest import DEMO_TODAY, SECRET
from zhixin.app import create_app
from zhixin.demo import load_demo


async def test_demo_content_and_idempotence(demo_url: str, aiohttp_client) -> None:
    settings = Settings(database_url=demo_url, secret_key=SECRET)
    services = await Services.start(settings, watch=False)
    try:
        async with services.sessions() as s:
            enterprises = list(await s.scalars(select(Enterprise)))
            assert len(enterprises) >= 2000
            assert {e.region for e in enterprises} >= {
                "南京市",
                "无锡市",
                "徐州市",
                "常州市",
                "苏州市",
                "南通市",
                "连云港市",
                "淮安市",
                "盐城市",
                "扬州市",
                "镇江市",
                "泰州市",
                "宿迁市",
            }
            assert all(validate(e.uscc).status is CodeStatus.VALID for e in enterprises)
            graded = await s.scalar(select(func.count(func.distinct(CreditGrade.uscc))))
            assert graded >= 300
            grades = set(await s.scalars(select(CreditGrade.grade)))
            assert grades == {"AAA", "AA", "A", "B", "C", "D"}
            recalls = list(await s.scalars(select(RecallNotice)))
            assert len(recalls) >= 60
            assert {r.category for r in recalls} == set(RECALL_CATEGORIES)
            cases = list(await s.scalars(select(Case)))
            assert len(cases) >= 1000
            days = sorted(c.created_at.date() for c in cases)
            assert (days[-1] - days[0]).days > 600  # spread over two years
            assert {c.status for c in cases} >= {"closed", "rejected", "in_progress"}
            assert sum(1 for c in cases if c.outcome) > 500
            assert await s.scalar(select(func.count()).select_from(CaseEvent)) > 3000
            # contact details are stored encrypted (Fernet tokens), never in clear
            contacts = [c.contact_enc for c in cases if c.kind == "complaint"]
            assert contacts and all(t and t.startswith("gAAAA") for t in contacts)
            plain = Cipher(SECRET).decrypt(contacts[0])
            assert plain and plain.isdigit() and len(plain) == 11

        before = len(cases)
        await load_demo(services, today=DEMO_TODAY)
        async with services.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(Case)) == before
            assert await s.scalar(select(func.count()).select_from(RecallNotice)) == len(recalls)

        client = await aiohttp_client(create_app(settings, services))
        resp = await client.get("/api/v1/enterprises", params={"q": "科技"})
        assert resp.status == 200
        items = (await resp.json())["items"]
        assert len(items) == 10
        assert all("科技" in item["name"] for item in items[:3])
    finally:
        await services.close()


async def test_demo_reports_are_not_empty(demo_url: str) -> None:
    services = await Services.start(Settings(database_url=demo_url, secret_key=SECRET), watch=False)
    try:
        await _check_reports(services)
    finally:
        await services.close()


async def _check_reports(services: Services) -> None:
    async with services.sessions() as session:
        for slug in ("315", "quality-month"):
            campaign = await get_campaign(session, slug)
            assert campaign is not None
            for year in (2025, 2026):
                report = await build_report(session, campaign, year, as_of=DEMO_TODAY)
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


async def test_demo_has_archives_proposals_and_assessments(demo_url: str) -> None:
    from campaigns.assessment_query import build_assessment
    from credit.archive import archive_events
    from credit.proposals import list_proposals
    from disclosure.models import GradeObjection

    services = await Services.start(Settings(database_url=demo_url, secret_key=SECRET), watch=False)
    try:
        async with services.sessions() as s:
            objected = list(await s.scalars(select(GradeObjection.uscc)))
            assert len(objected) >= 10
            kinds = set()
            for uscc in objected:
                kinds |= {e.type for e in await archive_events(s, uscc, DEMO_TODAY)}
            assert {"grade", "complaint", "tip", "objection"} <= kinds
            proposals = await list_proposals(s, DEMO_TODAY.year)
            assert len(proposals) >= 30 and all(p["status"] == "proposed" for p in proposals)
            assert len({p["proposed"] for p in proposals}) >= 4
            assert any(p["reward_eligible"] for p in proposals)
            for year in (2025, 2026):
                report = await build_assessment(s, year, as_of=DEMO_TODAY)
                assert all(r["rank"] for r in report["departments"]), year
                assert sum(1 for r in report["cities"] if r["rank"]) == 13, year
    finally:
        await services.close()
