"""Rate limits with ``ZHIXIN_REDIS_URL``: two app instances count together, and when
Redis is missing (at start-up or later) the service goes on with in-process limits,
warns, and returns to Redis when it is back."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from complaints.runtime import Services
from infra.limits import FILING
from infra.settings import Settings
from tests.conftest import REDIS_URL, SECRET, need, need_redis
from tests.support.desk import ELEVATOR
from zhixin.app import create_app

BODY = {"text": ELEVATOR, "contact": "13812345678"}


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'infra.db'}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start(db_url: str, redis_url: str | None) -> Services:
    settings = Settings(database_url=db_url, secret_key=SECRET, redis_url=redis_url)
    return await Services.start(settings, watch=False)


async def test_two_app_instances_share_the_filing_limit(aiohttp_client, db_url) -> None:
    need_redis()
    first, second = await start(db_url, REDIS_URL), await start(db_url, REDIS_URL)
    prefix = f"zhixin:test:{uuid.uuid4().hex}:"  # apart from any other test's keys
    for svc in (first, second):
        svc.limiter.redis.prefix = prefix
    try:
        a = await aiohttp_client(create_app(first.settings, first))
        b = await aiohttp_client(create_app(second.settings, second))
        statuses = []
        for i in range(FILING.count + 2):
            resp = await (a if i % 2 else b).post("/api/v1/cases", json=BODY)
            statuses.append(resp.status)
        # the second instance refuses what the first counted: one allowance between them
        assert statuses == [201] * FILING.count + [429, 429]
        assert first.limiter.shared and second.limiter.shared
        redis = first.limiter.redis.redis
        assert await redis.exists(f"{prefix}file:127.0.0.1")
        await redis.delete(f"{prefix}file:127.0.0.1")
    finally:
        await first.close()
        await second.close()


async def test_redis_refusing_connections_degrades_to_in_process_limits(
    aiohttp_client, db_url, caplog
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING):
        services = await start(db_url, closed)  # start-up does not need Redis
        try:
            client = await aiohttp_client(create_app(services.settings, services))
            statuses = [
                (await client.post("/api/v1/cases", json=BODY)).status
                for _ in range(FILING.count + 1)
            ]
        finally:
            await services.close()
    assert statuses == [201] * FILING.count + [429]
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[dict]:
    """A Redis server of this test's own on a free port, which the test may stop."""
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server")
    port = free_port()
    state: dict = {"port": port, "proc": None}

    def up() -> None:
        state["proc"] = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                return
            except OSError:
                import time

                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def down() -> None:
        proc = state["proc"]
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    state["up"], state["down"] = up, down
    up()
    try:
        yield state
    finally:
        down()


async def test_redis_going_away_and_coming_back(aiohttp_client, db_url, own_redis, caplog):
    services = await start(db_url, f"redis://127.0.0.1:{own_redis['port']}/0")
    limiter = services.limiter
    limiter.retry_every = 0.2
    try:
        client = await aiohttp_client(create_app(services.settings, services))
        assert (await client.post("/api/v1/cases", json=BODY)).status == 201
        assert limiter.shared
        own_redis["down"]()
        with caplog.at_level(logging.WARNING, logger="infra.ratelimit"):
            resp = await client.post("/api/v1/cases", json=BODY)
            assert resp.status == 201  # served, counted in process
            assert not limiter.shared
            own_redis["up"]()  # an empty Redis: the count starts again there
            await asyncio.sleep(0.25)
            resp = await client.post("/api/v1/cases", json=BODY)
            assert resp.status == 201
        assert limiter.shared
        messages = [r.getMessage() for r in caplog.records]
        assert any("unavailable" in m for m in messages) and any("back" in m for m in messages)
        assert await limiter.redis.redis.exists(f"{limiter.redis.prefix}file:127.0.0.1")
        health = await client.get("/healthz")
        assert health.status == 200
    finally:
        await services.close()
