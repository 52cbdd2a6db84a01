"""Rate limits on filing and on access-code checks: the bucket arithmetic with a fake
clock, client addresses behind trusted proxies, a Redis outage that falls back to
in-process counting, and 429 answers on every channel (API, pages, Open311, bot)."""

from __future__ import annotations

import ipaddress
import logging

import pytest
from sqlalchemy import func, select

from complaints.models import Case
from infra.accounts import add_api_key
from infra.clients import resolve_client
from infra.limits import CODES_PER_CASE, CODES_PER_CLIENT, FILING
from infra.ratelimit import Limit, MemoryBackend, RateLimiter
from infra.settings import Settings, SettingsError, load_settings
from tests.conftest import SECRET
from tests.support.bot_world import make_world
from tests.support.desk import ELEVATOR, csrf_of, file_case

PROXY = ipaddress.ip_network("127.0.0.1/32")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db_url(tmp_path) -> str:
    """The limits live outside the database: SQLite is enough here."""
    return f"sqlite+aiosqlite:///{tmp_path / 'infra.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    # the test client connects from 127.0.0.1: as a trusted proxy, X-Forwarded-For
    # names the client, so one test can speak for several addresses
    return Settings(database_url=db_url, secret_key=SECRET, trusted_proxies=(PROXY,))


@pytest.fixture
def clock(services) -> FakeClock:
    clock = FakeClock()
    services.limiter = RateLimiter(memory=MemoryBackend(clock), clock=clock)
    return clock


def from_ip(address: str, **headers: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, **headers}


async def case_count(services) -> int:
    async with services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Case))


async def test_bucket_allows_the_burst_then_one_per_interval() -> None:
    clock = FakeClock()
    memory = MemoryBackend(clock)
    limit = Limit(count=3, period=30)
    results = [(await memory.hit("k", limit)).allowed for _ in range(4)]
    assert results == [True, True, True, False]
    refused = await memory.hit("k", limit)
    assert not refused.allowed and refused.retry_after == pytest.approx(10)
    assert refused_header(refused) == "10"
    clock.now += 10
    assert (await memory.hit("k", limit)).allowed
    assert not (await memory.hit("k", limit)).allowed
    await memory.give_back("k", limit)  # a token given back can be taken again
    assert (await memory.hit("k", limit)).allowed
    assert (await memory.hit("other", limit)).allowed  # keys are separate


def refused_header(decision) -> str:
    return decision.retry_after_header


class FlakyRedis:
    """A Redis backend that can be switched off, counting like memory when on."""

    def __init__(self, clock: FakeClock) -> None:
        self.up = True
        self.inner = MemoryBackend(clock)
        self.calls = 0

    async def hit(self, key: str, limit: Limit):
        self.calls += 1
        if not self.up:
            raise ConnectionRefusedError("Redis is down")
        return await self.inner.hit(key, limit)

    async def give_back(self, key: str, limit: Limit) -> None:
        if not self.up:
            raise ConnectionRefusedError("Redis is down")
        await self.inner.give_back(key, limit)


async def test_redis_outage_falls_back_to_memory_and_recovers(caplog) -> None:
    clock = FakeClock()
    redis = FlakyRedis(clock)
    limiter = RateLimiter(redis, MemoryBackend(clock), retry_after=5, clock=clock)
    limit = Limit(count=2, period=60)
    assert (await limiter.hit("s", "a", limit)).allowed and limiter.shared
    redis.up = False
    with caplog.at_level(logging.WARNING, logger="infra.ratelimit"):
        decisions = [(await limiter.hit("s", "a", limit)).allowed for _ in range(3)]
    # the in-process buckets take over (they start empty) and still limit
    assert decisions == [True, True, False]
    assert not limiter.shared
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, not once per request
    assert redis.calls == 2  # Redis is not asked again until retry_after has passed
    redis.up = True
    clock.now += 5
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="infra.ratelimit"):
        # Redis's count again: it saw one hit before the outage, so one more fits
        decisions = [(await limiter.hit("s", "a", limit)).allowed for _ in range(2)]
    assert decisions == [True, False] and redis.calls == 4
    assert limiter.shared and any("back" in r.getMessage() for r in caplog.records)


async def test_disabled_limiter_allows_everything() -> None:
    limiter = RateLimiter(enabled=False)
    limit = Limit(count=1, period=3600)
    assert all([(await limiter.hit("s", "a", limit)).allowed for _ in range(5)])


def test_client_address_trusts_forwarded_for_only_from_trusted_proxies() -> None:
    proxies = (ipaddress.ip_network("10.0.0.0/8"),)
    assert resolve_client("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"
    # not from a trusted proxy: the header is whatever the client wanted it to be
    assert resolve_client("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"
    assert resolve_client("10.0.0.2", "198.51.100.1", proxies) == "198.51.100.1"
    # the client's own (spoofed) entries sit left of what the proxies appended
    chain = "1.2.3.4, 198.51.100.1, 10.0.0.7"
    assert resolve_client("10.0.0.2", chain, proxies) == "198.51.100.1"
    assert resolve_client("10.0.0.2", "garbage", proxies) == "10.0.0.2"
    assert resolve_client("::ffff:10.0.0.2", "198.51.100.1", proxies) == "198.51.100.1"


def test_settings_read_trusted_proxies_and_the_limits_switch() -> None:
    env = {"ZHIXIN_TRUSTED_PROXIES": "10.0.0.5, 172.16.0.0/12,::1", "ZHIXIN_RATE_LIMITS": "off"}
    loaded = load_settings(env)
    assert [str(n) for n in loaded.trusted_proxies] == ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]
    assert loaded.rate_limits is False
    assert load_settings({"ZHIXIN_TRUSTED_PROXIES": "none"}).trusted_proxies == ()
    assert load_settings({}).rate_limits
    with pytest.raises(SettingsError, match="ZHIXIN_TRUSTED_PROXIES"):
        load_settings({"ZHIXIN_TRUSTED_PROXIES": "10.0.0.300"})
    with pytest.raises(SettingsError, match="ZHIXIN_RATE_LIMITS"):
        load_settings({"ZHIXIN_RATE_LIMITS": "sometimes"})


async def test_api_filing_is_limited_per_client_address(client, services, clock) -> None:
    body = {"text": ELEVATOR, "contact": "13812345678"}
    for _ in range(FILING.count):
        resp = await client.post("/api/v1/cases", json=body, headers=from_ip("198.51.100.1"))
        assert resp.status == 201
    resp = await client.post("/api/v1/cases?lang=en", json=body, headers=from_ip("198.51.100.1"))
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) == pytest.approx(FILING.interval, abs=1)
    error = (await resp.json())["error"]
    assert error["code"] == "rate_limited" and "try again" in error["message"]
    assert await case_count(services) == FILING.count  # nothing filed by the refused one
    # another address has its own allowance; time brings one more back
    other = await client.post("/api/v1/cases", json=body, headers=from_ip("198.51.100.2"))
    assert other.status == 201
    clock.now += FILING.interval
    again = await client.post("/api/v1/cases", json=body, headers=from_ip("198.51.100.1"))
    assert again.status == 201


async def test_forwarded_for_is_ignored_without_a_trusted_proxy(
    aiohttp_client, services, clock, db_url
) -> None:
    from zhixin.app import create_app

    plain = await aiohttp_client(
        create_app(Settings(database_url=db_url, secret_key=SECRET, trusted_proxies=()), services)
    )
    body = {"text": ELEVATOR, "contact": "13812345678"}
    statuses = []
    for i in range(FILING.count + 1):
        # a new made-up address each time does not buy a new allowance
        resp = await plain.post("/api/v1/cases", json=body, headers=from_ip(f"192.0.2.{i}"))
        statuses.append(resp.status)
    assert statuses == [201] * FILING.count + [429]


async def test_wrong_access_codes_are_limited_per_tracking_number(client, services, clock):
    filed = await file_case(client)
    number, code = filed["tracking_no"], filed["access_code"]
    path = f"/api/v1/cases/{number}"
    # the right code does not count against anyone
    for _ in range(CODES_PER_CASE.count + 2):
        assert (await client.get(path, headers={"X-Access-Code": code})).status == 200
    # a guesser's first wrong code is its own; after that the number's limit counts
    guesser = from_ip("198.51.100.1", **{"X-Access-Code": "WRONG234"})
    for _ in range(CODES_PER_CASE.count + 1):
        assert (await client.get(path, headers=guesser)).status == 404
    resp = await client.get(path, headers=from_ip("198.51.100.1", **{"X-Access-Code": code}))
    assert resp.status == 429 and "Retry-After" in resp.headers
    assert (await resp.json())["error"]["code"] == "rate_limited"
    # another address that has failed before meets the spent limit too
    assert (await client.get(path, headers=from_ip("198.51.100.2", **guesser_code()))).status == 404
    assert (await client.get(path, headers=from_ip("198.51.100.2", **guesser_code()))).status == 429
    # rating goes through the same check
    rated = await client.post(f"{path}/rating", json={"rating": 5}, headers=guesser)
    assert rated.status == 429
    # the owner is not locked out; other numbers are not affected
    owner = from_ip("198.51.100.200", **{"X-Access-Code": code})
    assert (await client.get(path, headers=owner)).status == 200
    other = await client.get("/api/v1/cases/ZX20260101AAAAAA", headers={"X-Access-Code": code})
    assert other.status == 404
    # the number opens again after the wait
    clock.now += int(resp.headers["Retry-After"])
    assert (await client.get(path, headers=guesser)).status == 404


def guesser_code() -> dict[str, str]:
    return {"X-Access-Code": "WRONG234"}


async def test_wrong_access_codes_are_limited_per_client(client, clock):
    headers = from_ip("198.51.100.7", **{"X-Access-Code": "WRONG234"})
    statuses = []
    for i in range(CODES_PER_CLIENT.count + 1):
        # a different made-up number each time: only the per-client limit can stop this
        resp = await client.get(f"/api/v1/cases/ZX20260101A{i:05d}", headers=headers)
        statuses.append(resp.status)
    assert statuses == [404] * CODES_PER_CLIENT.count + [429]


async def test_pages_answer_429_with_the_form_and_retry_after(client, services, clock):
    filed = await file_case(client, contact="13812345678")
    page = await client.get("/track?lang=en")
    token = csrf_of(await page.text())
    form = {"csrf_token": token, "tracking_no": filed["tracking_no"], "access_code": "WRONG234"}
    for _ in range(CODES_PER_CASE.count + 1):  # the first wrong code is the client's own
        assert (await client.post("/track?lang=en", data=form)).status == 404
    resp = await client.post("/track?lang=en", data=form)
    assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1
    html = await resp.text()
    assert "Too many attempts" in html and filed["tracking_no"] in html
    assert resp.headers["Content-Type"].startswith("text/html")

    for _ in range(FILING.count):  # file_case above used one of the allowance
        await services.limiter.hit("file", "127.0.0.1", FILING)
    page = await client.get("/complain?lang=en")
    complain = {"csrf_token": csrf_of(await page.text()), "text": ELEVATOR, "contact": "x@y.cn"}
    before = await case_count(services)
    resp = await client.post("/complain?lang=en", data=complain)
    assert resp.status == 429 and "Retry-After" in resp.headers
    html = await resp.text()
    assert "Too many attempts" in html and ELEVATOR in html  # the text is kept
    assert await case_count(services) == before


async def test_open311_filing_answers_429_as_the_spec_error(client, services, clock):
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    form = {"api_key": key, "service_code": "auto", "description": ELEVATOR, "email": "a@b.cn"}
    statuses = []
    for _ in range(FILING.count + 1):
        resp = await client.post("/open311/v2/requests.json", data=form)
        statuses.append(resp.status)
    assert statuses == [201] * FILING.count + [429]
    assert "Retry-After" in resp.headers
    [error] = await resp.json()
    assert error["code"] == 429 and "尝试次数过多" in error["description"]  # Chinese by default
    english = await client.post("/open311/v2/requests.json?lang=en", data=form)
    [error] = await english.json()
    assert english.status == 429 and "Too many attempts" in error["description"]


@pytest.fixture
async def world(services):
    return await make_world(services)


async def test_bot_limits_filing_and_tracking_per_user(world, services, clock):
    # a user who has just filed the allowance
    for _ in range(FILING.count):
        await services.limiter.hit("file", "tg:300", FILING)
    person = world.person(300, "en")
    await person.send("/complain")
    await person.send(
        "The kettle from 南京金陵食品有限公司 leaks and burnt my hand, I want a refund."
    )
    await person.press("No particular company")
    await person.press("Skip")
    await person.send("13800138000")
    replies = await person.press("Send")
    text = "\n".join(r.text for r in replies)
    assert "Please wait" in text and "minutes" in text
    assert await case_count(services) == 0
    _msg, labels = person.last_keyboard()
    assert any("Send" in label for label, _ in labels)  # the form is still open
    clock.now += FILING.interval
    receipt = "\n".join(r.text for r in await person.press("Send"))
    assert await case_count(services) == 1 and "access code" in receipt.lower()

    # someone else guessing codes for that case
    async with services.sessions() as session:
        number = await session.scalar(select(Case.tracking_no))
    guesser = world.person(301, "en")
    for _ in range(CODES_PER_CASE.count + 1):
        [reply] = await guesser.send(f"/track {number} WRONG234")
        assert "No case matches" in reply.text
    [reply] = await guesser.send(f"/track {number} WRONG234")
    assert "Too many tries" in reply.text and "wait" in reply.text
