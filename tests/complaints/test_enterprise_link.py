"""A weak fuzzy match never becomes a public mark: a case is linked to a registered
enterprise only on an unambiguous strong match or a person's confirmation (the citizen
picking from the register's suggestions on the form, the API, Open311 or the bot; staff
at the desk, logged). The brand "扬帆" must not land on 帆晴（扬州）软件有限公司."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from complaints.models import Case, CaseEvent
from disclosure.cache import mark_change
from disclosure.models import Enterprise
from infra.accounts import add_api_key
from nlp.rules_router import RulesRouter
from nlp.uscc import make_code
from tests.support.desk import bearer, csrf_of, staff_token

FANQING = make_code("91", "321000", "MA1FQ001")  # 帆晴（扬州）软件有限公司
YANGFAN = make_code("91", "320106", "MA1YF002")  # 南京扬帆超市有限公司
FOOD = "在扬帆买的月饼发霉了，吃了以后肚子疼，要求商家退款赔偿"


@dataclass(frozen=True)
class Hit:
    uscc: str
    name: str
    score: float


class Register:
    def __init__(self, hits: list[Hit]) -> None:
        self.hits = hits

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        return self.hits[:limit]


def test_every_router_links_only_a_strong_unambiguous_match() -> None:
    text = "在扬帆超市买的月饼发霉了，要求退款"
    weak = Register([Hit(FANQING, "帆晴（扬州）软件有限公司", 84.5)])
    assert RulesRouter(lookup=weak).route(text, company_hint="扬帆").enterprise is None
    close = Register([Hit(YANGFAN, "南京扬帆超市有限公司", 95.0), Hit(FANQING, "扬帆超市", 92.0)])
    assert RulesRouter(lookup=close).route(text, company_hint="扬帆超市").enterprise is None
    clear = Register([Hit(YANGFAN, "南京扬帆超市有限公司", 96.0)])
    assert RulesRouter(lookup=clear).route(text, company_hint="扬帆超市").enterprise == YANGFAN


async def _register(services) -> None:
    async with services.sessions() as s:
        s.add(Enterprise(uscc=FANQING, name="帆晴（扬州）软件有限公司", region="扬州市"))
        s.add(Enterprise(uscc=YANGFAN, name="南京扬帆超市有限公司", region="南京市"))
        mark_change(s, "enterprises")
        await s.commit()
    async with services.sessions() as s:
        await services.published.refresh(s)


async def _case(services, number: str) -> Case:
    async with services.sessions() as s:
        return await s.scalar(select(Case).where(Case.tracking_no == number))


async def test_a_brand_as_typed_links_nothing_on_any_channel(client, services) -> None:
    await _register(services)
    numbers = []
    resp = await client.post(
        "/api/v1/cases", json={"text": FOOD, "company": "扬帆", "contact": "13800000001"}
    )
    assert resp.status == 201, await resp.text()
    numbers.append((await resp.json())["tracking_no"])
    form = await client.get("/complain?lang=en")
    resp = await client.post(
        "/complain?lang=en",
        data={"csrf_token": csrf_of(await form.text()), "kind": "complaint", "text": FOOD,
              "company": "扬帆", "contact": "13800000002"},
    )  # fmt: skip
    assert resp.status == 201
    numbers.append(re.search(r"ZX\d{8}[2-9A-Z]{6}", await resp.text()).group(0))
    async with services.sessions() as s:
        _row, key = await add_api_key(s, "city app")
        await s.commit()
    resp = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "auto", "description": FOOD,
              "attribute[company]": "扬帆", "email": "a@b.cn"},
    )  # fmt: skip
    assert resp.status == 201, await resp.text()
    token = (await resp.json())[0]["token"]
    async with services.sessions() as s:
        cases = list(await s.scalars(select(Case).order_by(Case.id)))
    assert len(cases) == 3, token
    for case in cases:
        assert case.company == "扬帆" and case.enterprise_uscc is None, case.channel
    page = await client.get(f"/api/v1/enterprises/{FANQING}")
    assert (await page.json())["complaints"]["total"] == 0


async def test_a_confirmed_choice_links_and_an_unknown_one_is_refused(client, services) -> None:
    await _register(services)
    # the API: the code the citizen picked from the register's suggestions
    resp = await client.post(
        "/api/v1/cases?lang=en",
        json={"text": FOOD, "company": "扬帆", "company_uscc": YANGFAN, "contact": "1380000"},
    )
    assert resp.status == 201, await resp.text()
    case = await _case(services, (await resp.json())["tracking_no"])
    assert (case.enterprise_uscc, case.company) == (YANGFAN, "南京扬帆超市有限公司")
    unknown = make_code("91", "320106", "MA1XY009")
    for code, status in ((unknown, 400), ("扬帆", 400)):
        resp = await client.post(
            "/api/v1/cases?lang=en",
            json={"text": FOOD, "company_uscc": code, "contact": "13800000003"},
        )
        assert resp.status == status
        assert (await resp.json())["error"]["field"] == "company_uscc"

    # the web form: suggestions from the register, then the citizen's pick
    form = await client.get("/complain?lang=en")
    fields = {"csrf_token": csrf_of(await form.text()), "kind": "complaint", "text": FOOD,
              "company": "扬帆超市", "contact": "13800000004"}  # fmt: skip
    suggested = await client.post("/complain?lang=en", data={**fields, "action": "suggest"})
    html = await suggested.text()
    assert suggested.status == 200 and f'value="{YANGFAN}"' in html
    async with services.sessions() as s:
        assert await s.scalar(select(Case.id).where(Case.channel == "web")) is None  # not filed
    resp = await client.post("/complain?lang=en", data={**fields, "company_uscc": YANGFAN})
    assert resp.status == 201
    number = re.search(r"ZX\d{8}[2-9A-Z]{6}", await resp.text()).group(0)
    assert (await _case(services, number)).enterprise_uscc == YANGFAN
    # from the company's page: /complain?company=USCC carries the choice
    page = await client.get(f"/complain?lang=en&company={YANGFAN}")
    assert f'name="company_uscc" value="{YANGFAN}"' in await page.text()

    # Open311: attribute[company_uscc]
    async with services.sessions() as s:
        _row, key = await add_api_key(s, "city app")
        await s.commit()
    resp = await client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "auto", "description": FOOD,
              "attribute[company_uscc]": YANGFAN, "email": "a@b.cn"},
    )  # fmt: skip
    assert resp.status == 201, await resp.text()
    async with services.sessions() as s:
        linked = await s.scalar(select(Case).where(Case.channel == "open311"))
    assert linked.enterprise_uscc == YANGFAN


async def test_staff_link_and_unlink_at_the_desk_logged(client, services) -> None:
    await _register(services)
    resp = await client.post(
        "/api/v1/cases", json={"text": FOOD, "company": "扬帆", "contact": "13800000005"}
    )
    filed = await resp.json()
    number = filed["tracking_no"]
    token = await staff_token(services, filed["department"])
    other = await staff_token(services, "huanbao" if filed["department"] != "huanbao" else "wujia")
    url = f"/api/v1/desk/cases/{number}/enterprise?lang=en"
    assert (await client.post(url, json={"uscc": YANGFAN}, headers=bearer(other))).status == 404
    assert (await client.post(url, json={"uscc": YANGFAN})).status == 401
    bad = await client.post(url, json={"uscc": "91320000000000000X"}, headers=bearer(token))
    assert bad.status == 400
    resp = await client.post(
        url, json={"uscc": YANGFAN, "note": "电话核实为该超市"}, headers=bearer(token)
    )
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["action"] == "link_enterprise" and body["enterprise_uscc"] == YANGFAN
    again = await client.post(url, json={"uscc": YANGFAN}, headers=bearer(token))
    assert again.status == 409
    resp = await client.post(url, json={"uscc": None}, headers=bearer(token))
    assert resp.status == 200 and (await resp.json())["action"] == "unlink_enterprise"

    # the desk page's form does the same (an empty code unlinks)
    login = await client.get("/desk?lang=en")
    await client.post(
        "/desk/login?lang=en", data={"csrf_token": csrf_of(await login.text()), "token": token}
    )
    page = await client.get(f"/desk/cases/{number}?lang=en")
    html = await page.text()
    assert "Registered enterprise" in html
    resp = await client.post(
        f"/desk/cases/{number}/enterprise?lang=en",
        data={"csrf_token": csrf_of(html), "uscc": FANQING, "note": "核实后更正"},
        allow_redirects=False,
    )
    assert resp.status == 303
    case = await _case(services, number)
    assert case.enterprise_uscc == FANQING
    async with services.sessions() as s:
        events = list(
            await s.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
            )
        )
    links = [(e.action, e.data["changes"]["enterprise_uscc"], e.public) for e in events[1:]]
    assert links == [
        ("link_enterprise", [None, YANGFAN], False),
        ("unlink_enterprise", [YANGFAN, None], False),
        ("link_enterprise", [None, FANQING], False),
    ]
    assert all(e.actor.startswith("staff:") for e in events[1:])
    assert events[1].data["note"] == "电话核实为该超市"
