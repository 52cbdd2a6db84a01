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


# What a reader would accept, written independently of the generator: the industries
# that make each recall category, and the businesses a complaint of each kind is about.
RECALL_MAKERS = {
    "food": {"食品"},
    "consumer": {"电子", "家电", "玩具", "塑料", "汽车"},
    "vehicle": {"汽车"},
    "drug": {"医药"},
    "device": {"医药"},
    "cosmetic": {"日化"},
}
PRODUCT_MAKERS = {"面霜": {"日化"}, "电热水壶": {"家电"}, "汽车": {"汽车"}, "胶囊": {"医药"}}
SELLERS = {"商贸", "食品"}
CASE_BUSINESSES = {
    "special_equipment": {"物业", "食品", "化工", "纺织", "印刷", "建材", "酒", "塑料"},
    "metrology": SELLERS,
    "product_quality": {"日化", "化工", "家电"},
    "certification": {"电子", "家电", "电线电缆", "五金"},
    "retail": {"通信", "商贸", "家具"},
    "online": {"服装", "纺织"},
    "advertising": {"日化", "食品", "美容"},
    "counterfeit_sale": {"服装", "商贸"},
    "food": SELLERS,
    "catering": {"餐饮"},
    "takeaway": {"餐饮"},
    "drug": {"医药"},
    "cosmetic": {"日化", "美容"},
    "agri_products": {"农业"},
    "agri_inputs": {"农业", "化工"},
    "housing": {"房地产"},
    "renovation": {"装饰"},
    "construction": {"建筑"},
    "taxi": {"客运"},
    "bus": {"客运"},
    "vehicle_repair": {"汽车维修"},
    "driving_school": {"驾校"},
    "travel_agency": {"旅行社"},
    "scenic_area": {"旅行社"},
    "hotel": {"餐饮"},
    "price": {"餐饮", "物业", "商贸", "食品"},
    "telecom": {"通信"},
    "broadband": {"通信"},
    "spam": {"信息技术", "广告", "教育"},
    "express": {"快递"},
    "pollution": {"化工", "纺织", "印刷", "食品", "机械", "五金", "建材", "塑料"},
    "imported": SELLERS,
    "cross_border": {"商贸", "信息技术"},
    "prepaid": {"健身", "美容"},
    "household": {"人力资源"},
}
MAKER_INDUSTRIES = {
    "电子", "机械", "食品", "建材", "电梯", "化工", "纺织", "汽车", "日化", "服装", "家具",
    "酒", "家电", "燃气", "新能源", "塑料", "五金", "印刷", "仪器仪表", "电线电缆", "玩具",
    "医药",
}  # fmt: skip
SHOP_WORDS = ("个体工商户", "分公司", "店", "大药房", "贸易", "合作社")


async def test_demo_data_is_plausible_for_each_industry(demo_url: str) -> None:
    services = await Services.start(Settings(database_url=demo_url, secret_key=SECRET), watch=False)
    try:
        async with services.sessions() as s:
            firms = {e.uscc: e for e in await s.scalars(select(Enterprise))}
            by_name = {e.name: e for e in firms.values()}
            recalls = list(await s.scalars(select(RecallNotice)))
            linked = [r for r in recalls if r.producer_uscc]
            assert len(linked) > 40
            for r in linked:
                maker = firms[r.producer_uscc]
                where = f"{r.recall_no} {r.product} by {maker.name} ({maker.industry})"
                assert maker.industry in RECALL_MAKERS[r.category], where
                assert not any(w in maker.name for w in SHOP_WORDS), where
                for word, industries in PRODUCT_MAKERS.items():
                    assert word not in r.product or maker.industry in industries, where
            graded = set(await s.scalars(select(CreditGrade.uscc)))
            for uscc in graded:
                firm = firms[uscc]
                where = f"{firm.name} ({firm.industry}) is graded"
                assert uscc.startswith("91") and firm.industry in MAKER_INDUSTRIES, where
                assert not any(w in firm.name for w in SHOP_WORDS), where
            cases = list(await s.scalars(select(Case).where(Case.idempotency_key.like("demo-%"))))
            about = [(c, by_name[c.company]) for c in cases if c.category != "other"]
            assert len(about) > 1000
            for case, firm in about:
                where = f"{case.category}: {case.text} ({firm.industry})"
                assert firm.industry in CASE_BUSINESSES[case.category], where
                assert "饲料" not in firm.name, where  # no refuelling at a feed company
    finally:
        await services.close()


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
