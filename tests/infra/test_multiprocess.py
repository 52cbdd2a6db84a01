"""Several processes over one PostgreSQL and one Redis, as in production: two
``zhixin serve`` processes, the CLI as a third. A case filed on one server is readable
on the other; an import is searchable on the other within a second; a staff transfer
on one teaches the router of the other; the overdue job runs once across processes;
recall broadcasts and their delivery happen once whichever process's courier runs."""

from __future__ import annotations

import asyncio
import csv
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import aiohttp
import pytest
from sqlalchemy import func, select

from tests.conftest import REDIS_URL, SECRET, fresh_postgres, need_redis
from tests.support.desk import VAGUE, staff_token
from tests.support.serving import ROOT, Server, server_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
LATE = "买的电热水器用了三天就漏电，产品质量不合格，要求厂家赔偿，第{n}台。"


@pytest.fixture
def pg_url() -> Iterator[str]:
    need_redis()
    with fresh_postgres() as url:
        yield url


def _received_for_overdue() -> date:
    """A day of receipt whose acceptance deadline passed in the last few days (so it is
    overdue and recent enough to be announced), whatever the holidays around today."""
    from complaints.deadlines import add_working_days, default_rules

    today = date.today()
    rules = default_rules()
    for back in range(8, 40):
        received = today - timedelta(days=back)
        due = add_working_days(received, rules.accept_complaint)
        if today - timedelta(days=5) <= due < today:
            return received
    raise AssertionError("no day of receipt gives a recent deadline")


async def _prepare(url: str, overdue: int) -> str:
    """Schema, a triage staff token, and ``overdue`` complaints past their deadline."""
    from datetime import UTC, datetime, time

    from complaints.intake import Submission
    from complaints.intake_store import file_case
    from complaints.runtime import Services
    from infra.security import Cipher
    from infra.settings import Settings

    services = await Services.start(Settings(database_url=url, secret_key=SECRET), watch=False)
    try:
        token = await staff_token(services, "triage", "分拣员")
        received = datetime.combine(_received_for_overdue(), time(2), tzinfo=UTC)
        async with services.sessions() as session:
            for n in range(overdue):
                sub = Submission(
                    text=LATE.format(n=n),
                    channel="api",
                    kind="complaint",
                    contact="13800000000",
                    received_at=received,
                )
                await file_case(session, services.router, Cipher(SECRET), SECRET, sub)
            await session.commit()
    finally:
        await services.close()
    return token


async def _count(url: str, query) -> int:  # type: ignore[no-untyped-def]
    from infra.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return int(await session.scalar(query) or 0)
    finally:
        await engine.dispose()


async def _file(http: aiohttp.ClientSession, server: Server, text: str) -> dict:
    async with http.post(
        f"{server.url}/api/v1/cases?lang=en", json={"text": text, "contact": "13812345678"}
    ) as resp:
        assert resp.status == 201, await resp.text()
        return await resp.json()


async def _search(http: aiohttp.ClientSession, server: Server, query: str) -> list[str]:
    async with http.get(f"{server.url}/api/v1/enterprises", params={"q": query}) as resp:
        assert resp.status == 200
        return [item["uscc"] for item in (await resp.json())["items"]]


async def test_two_servers_share_cases_imports_lessons_and_jobs(pg_url, tmp_path) -> None:
    from complaints.models import CaseEvent, OutboxEvent
    from nlp.uscc import make_code

    overdue = 3
    token = await _prepare(pg_url, overdue)
    env = server_env(pg_url, ZHIXIN_REDIS_URL=REDIS_URL)
    a, b = Server(env, tmp_path, "a"), Server(env, tmp_path, "b")
    await asyncio.gather(asyncio.to_thread(a.start), asyncio.to_thread(b.start))
    try:
        async with aiohttp.ClientSession() as http:
            # a case filed on one server is readable on the other
            filed = await _file(http, a, "小区电梯经常困人，上周又困了我家老人半小时，物业一直不修")
            async with http.get(
                f"{b.url}/api/v1/cases/{filed['tracking_no']}",
                headers={"X-Access-Code": filed["access_code"]},
            ) as resp:
                assert resp.status == 200
                assert (await resp.json())["department"]["code"] == filed["department"]

            # agreeing transfers on one server teach the router of the other
            assert (await _file(http, b, VAGUE))["department"] == "triage"
            for tail in ("，天天这样", "，一直这样"):
                vague = await _file(http, a, VAGUE + tail)
                async with http.post(
                    f"{a.url}/api/v1/desk/cases/{vague['tracking_no']}/transfer?lang=en",
                    json={"department": "jiaotong", "reason": "共享单车停放归交通部门"},
                    headers={"Authorization": f"Bearer {token}"},
                ) as resp:
                    assert resp.status == 200, await resp.text()
            deadline = time.monotonic() + 1.0
            while True:
                again = await _file(http, b, VAGUE + "，没人管")
                if again["department"] == "jiaotong" or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            assert again["department"] == "jiaotong"

            # an import by the CLI (a third process) is searchable on both within a second
            uscc = make_code("91", "320500", f"{uuid.uuid4().int % 10**8:08d}")
            name = "苏州澜沧星河电子科技有限公司"
            assert uscc not in await _search(http, b, name)
            table = tmp_path / "enterprises.csv"
            with table.open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows([["uscc", "name", "region"], [uscc, name, "苏州市"]])
            cli = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "zhixin",
                "import",
                "enterprises",
                str(table),
                cwd=ROOT,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _, stderr = await asyncio.wait_for(cli.communicate(), 120)
            assert cli.returncode == 0, stderr.decode()
            imported_at = time.monotonic()
            found = {}
            while len(found) < 2 and time.monotonic() - imported_at < 5:
                for server in (a, b):
                    if server.name not in found and uscc in await _search(http, server, name):
                        found[server.name] = time.monotonic() - imported_at
                await asyncio.sleep(0.02)
            assert set(found) == {"a", "b"}, found
            assert max(found.values()) < 1.0, found

        # the overdue job ran in both processes, and flagged each case once
        flagged = select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "overdue")
        announced = (
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.topic == "case.overdue")
        )
        for _ in range(100):
            if await _count(pg_url, flagged) >= overdue:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        assert await _count(pg_url, flagged) == overdue
        assert await _count(pg_url, announced) == overdue
    finally:
        a.stop()
        b.stop()
    for server in (a, b):
        assert "Traceback" not in server.log.read_text(), server.log.read_text()[-3000:]


async def test_recall_broadcast_and_delivery_happen_once(pg_url) -> None:
    """Two couriers (each with its own engine, as two processes have) race over the same
    outbox: one announcement per new recall, one message per subscriber."""
    from bot.delivery import Courier
    from bot.middlewares import make_i18n
    from bot.models import BotUser, Subscription
    from complaints.models import OutboxEvent
    from complaints.runtime import Services
    from disclosure.models import RecallNotice
    from infra.settings import Settings
    from tests.support.bot_world import make_world

    settings = Settings(database_url=pg_url, secret_key=SECRET, rate_limits=False)
    first = await Services.start(settings, watch=False)
    second = await Services.start(settings, migrate=False, watch=False)
    try:
        world = await make_world(first)
        couriers = [Courier(world.bot, s, make_i18n()) for s in (first, second)]
        await asyncio.gather(*(c.run_once() for c in couriers))  # marks where news starts
        async with first.sessions() as s:
            s.add(BotUser(chat_id=501, lang="en", lang_chosen=True))
            s.add(BotUser(chat_id=502, lang="zh", lang_chosen=True))
            s.add(Subscription(chat_id=501, kind="category", target="food"))
            s.add(Subscription(chat_id=502, kind="category", target="food"))
            s.add(
                RecallNotice(
                    recall_no="JS-ONCE-001",
                    title="关于召回金陵牌汤圆的公告",
                    product="汤圆",
                    category="food",
                    producer="南京金陵食品有限公司",
                    reason="标签未标示过敏原",
                    remedy="退货退款",
                    start_date=date.today(),
                    published=date.today(),
                )
            )
            await s.commit()
        for _ in range(3):
            await asyncio.gather(*(c.run_once() for c in couriers))
        for chat in (501, 502):
            news = [m.text for m in world.session.sent(chat) if "JS-ONCE-001" in m.text]
            assert len(news) == 1, news
        async with first.sessions() as s:
            events = await s.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.topic == "recall.published")
            )
        assert events == 1
    finally:
        await second.close()
        await first.close()
