"""A real database outage: the service reaches PostgreSQL through a TCP relay that the
test cuts and restores. While it is cut, requests that need the database answer 503
(JSON on the API, a page on the site), searches still answer from memory, and
/healthz says "degraded"; once restored the service recovers by itself."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from tests.conftest import PG_HOST, PG_PORT, SECRET, _admin, need_postgres

pytestmark = pytest.mark.postgres

COMPLAINT = {
    "text": "我在苏果超市买的牛奶过期了，要求退款，商家不理睬。",
    "contact": "13812345678",
}


class Relay:
    """A TCP relay to PostgreSQL that can be cut (open links dropped, new ones refused)
    and restored."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.up = True
        self.links: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.links |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            self.links.discard(writer)
            writer.close()

    def cut(self) -> None:
        self.up = False
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()

    def restore(self) -> None:
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def relayed(aiohttp_client) -> AsyncIterator[tuple[object, Relay]]:
    """A test client of the app whose database connections all pass through a relay."""
    need_postgres()
    from complaints.runtime import Services
    from infra.settings import Settings
    from zhixin.app import create_app

    name = f"zx_test_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    relay = Relay(PG_HOST, PG_PORT)
    await relay.start()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{relay.port}/{name}"
    settings = Settings(database_url=url, secret_key=SECRET, rate_limits=False)
    services = await Services.start(settings, watch=False)
    try:
        yield await aiohttp_client(create_app(settings, services)), relay
    finally:
        relay.restore()
        with contextlib.suppress(Exception):
            await services.close()
        await relay.close()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _unavailable_json(resp) -> None:  # type: ignore[no-untyped-def]
    assert resp.status == 503, await resp.text()
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert body["error"]["code"] == "unavailable"
    assert resp.headers.get("Retry-After")


async def test_outage_answers_503_and_recovers_without_restart(relayed) -> None:
    client, relay = relayed
    filed = await client.post("/api/v1/cases", json=COMPLAINT)
    assert filed.status == 201, await filed.text()
    case = await filed.json()
    headers = {"X-Access-Code": case["access_code"]}
    assert (await client.get(f"/api/v1/cases/{case['tracking_no']}", headers=headers)).status == 200
    health = await client.get("/healthz")
    assert health.status == 200
    assert (await health.json())["database"] == "ok"

    relay.cut()
    await _unavailable_json(await client.post("/api/v1/cases", json=COMPLAINT))
    await _unavailable_json(
        await client.get(f"/api/v1/cases/{case['tracking_no']}", headers=headers)
    )
    page = await client.get("/recalls")
    assert page.status == 503
    assert page.content_type == "text/html"
    assert "<html" in (await page.text()).lower()
    # published data is served from memory: search does not need the database
    assert (await client.get("/api/v1/enterprises", params={"q": "苏果"})).status == 200
    await asyncio.sleep(1.1)  # the health probe runs at most once a second
    health = await client.get("/healthz")
    assert health.status == 503
    assert await health.json() == {
        "status": "degraded",
        "database": "unavailable",
        "enterprises": 0,
    }

    relay.restore()
    again = await client.post("/api/v1/cases", json=COMPLAINT)
    assert again.status == 201, await again.text()
    read = await client.get(f"/api/v1/cases/{case['tracking_no']}", headers=headers)
    assert read.status == 200
    assert (await read.json())["tracking_no"] == case["tracking_no"]
    await asyncio.sleep(1.1)
    health = await client.get("/healthz")
    assert health.status == 200
    assert (await health.json())["status"] == "ok"
