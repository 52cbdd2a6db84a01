"""A small published world for the bot's tests: companies with grades, recall notices,
and the bot's dispatcher over the ``services`` fixture with a recording Bot session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage

from bot.middlewares import Throttle
from bot.runner import build_dispatcher
from disclosure.cache import mark_change
from disclosure.models import CreditGrade, Enterprise, RecallNotice
from nlp.uscc import make_code
from tests.support.fake_telegram import Person, RecordingSession, make_bot

COMPANIES = {
    "chengrui": ("苏州澄瑞电子科技有限公司", ["澄瑞电子"], "苏州市", "电子", "AA"),
    "hongda": ("无锡宏达机械制造有限公司", [], "无锡市", "机械", None),
    "jinling_food": ("南京金陵食品有限公司", ["金陵食品"], "南京市", "食品", "B"),
    "jinling_dairy": ("南京金陵乳业有限公司", ["金陵乳业"], "南京市", "食品", "A"),
    "jiutian": ("南京九天揽月科技有限公司", [], "南京市", "电子", "AA"),
    "taiyue": ("常州泰越光伏科技股份有限公司", [], "常州市", "光伏", "A"),
}


def code_for(i: int) -> str:
    return make_code("91", "320500", f"{7000000 + i:08d}")


@dataclass
class World:
    services: object
    dp: Dispatcher
    bot: Bot
    codes: dict[str, str] = field(default_factory=dict)
    recall_ids: list[int] = field(default_factory=list)

    @property
    def session(self) -> RecordingSession:
        assert isinstance(self.bot.session, RecordingSession)
        return self.bot.session

    def person(self, user_id: int, language_code: str | None = "zh-hans", **kw: object) -> Person:
        return Person(self.dp, self.bot, user_id, language_code, **kw)  # type: ignore[arg-type]


async def seed(services, n_recalls: int = 7) -> tuple[dict[str, str], list[int]]:
    today = date.today()
    codes = {key: code_for(i) for i, key in enumerate(COMPANIES)}
    async with services.sessions() as s:
        for key, (name, aliases, region, industry, _grade) in COMPANIES.items():
            s.add(
                Enterprise(
                    uscc=codes[key], name=name, aliases=aliases, region=region, industry=industry
                )
            )
        await s.flush()
        for key, (_name, _a, region, _i, grade) in COMPANIES.items():
            if grade:
                s.add(
                    CreditGrade(
                        uscc=codes[key],
                        grade=grade,
                        year=today.year,
                        valid_from=today - timedelta(days=30),
                        valid_until=today + timedelta(days=300),
                        authority=f"{region}质量信用评价委员会",
                    )
                )
        recalls = []
        for i in range(n_recalls):
            food = i % 2 == 0
            recall = RecallNotice(
                recall_no=f"JS-TEST-{i:03d}",
                title=f"关于召回金陵牌{'速冻水饺' if food else '电热水壶'}的公告（第{i + 1}批）",
                product="速冻水饺" if food else "电热水壶",
                brand="金陵",
                category="food" if food else "consumer",
                producer_uscc=codes["jinling_food"] if food else None,
                producer="南京金陵食品有限公司" if food else "某电器（香港）贸易有限公司",
                reason="检出致病菌" if food else "温控器失效",
                hazard="可能引起食物中毒" if food else "可能引起烫伤",
                remedy="停止食用并退货" if food else "免费更换",
                start_date=today - timedelta(days=40 + i),
                published=today - timedelta(days=40 + i),
            )
            s.add(recall)
            recalls.append(recall)
        mark_change(s, "enterprises", "grades", "recalls")
        await s.commit()
        ids = [r.id for r in recalls]
    async with services.sessions() as s:
        await services.published.refresh(s)
    return codes, ids


async def make_world(services, n_recalls: int = 7) -> World:
    codes, ids = await seed(services, n_recalls)
    # generous limits: the throttle has its own test
    dp = build_dispatcher(services, MemoryStorage(), throttle=Throttle(rate=100, burst=100))
    return World(services, dp, make_bot(), codes, ids)
