"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

Under ``CI=true`` a missing PostgreSQL, Redis, Chromium or Node fails the run
instead of skipping the tests that need it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").lower() == "true"
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = os.environ.get("ZHIXIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "test-secret-key-for-zhixin-0123456789"
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"

os.environ.setdefault("ZHIXIN_CACHE_DIR", str(Path.home() / ".cache" / "zhixin"))


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need(available: bool, what: str) -> None:
    """Skip when ``what`` is missing, or fail under CI=true."""
    if available:
        return
    if CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def need_postgres() -> None:
    need(_port_open(PG_HOST, PG_PORT), f"PostgreSQL on {PG_HOST}:{PG_PORT}")


def need_redis() -> None:
    need(_port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def need_chromium() -> str:
    path = chromium_path()
    need(path is not None, "Chromium (Debian package chromium)")
    assert path
    return path


def need_node() -> Path:
    module = Path(__file__).parent / "e2e" / "node_modules" / "telegram-test-api"
    need(shutil.which("node") is not None and module.is_dir(), "Node.js with telegram-test-api")
    return module


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_postgres(prefix: str = "zx_test") -> Iterator[str]:
    """A new, empty PostgreSQL database on the local server, dropped afterwards."""
    need_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'infra.db'}"
        return
    with fresh_postgres() as url:
        yield url


@pytest.fixture
def settings(db_url: str, tmp_path: Path):
    from infra.settings import Settings

    return Settings(database_url=db_url, secret_key=SECRET, evidence_dir=tmp_path / "evidence")


@pytest.fixture
async def services(settings) -> AsyncIterator[object]:
    from complaints.runtime import Services

    svc = await Services.start(settings, watch=False)
    try:
        yield svc
    finally:
        await svc.close()


@pytest.fixture
async def client(aiohttp_client, settings, services):
    from zhixin.app import create_app

    return await aiohttp_client(create_app(settings, services))


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """A folder under test-output/ for screenshots and files a person may want to see."""
    folder = OUTPUT / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


DEMO_TODAY = __import__("datetime").date(2026, 11, 30)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database with the demo data set loaded once per test session (read-only use)."""
    from complaints.runtime import Services
    from infra.settings import Settings
    from zhixin.demo import load_demo

    async def load(url: str) -> None:
        services = await Services.start(Settings(database_url=url, secret_key=SECRET), watch=False)
        try:
            await load_demo(services, today=DEMO_TODAY)
        finally:
            await services.close()

    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        else:
            url = stack.enter_context(fresh_postgres("zx_demo"))
        asyncio.run(load(url))
        yield url


# Chromium's switches for the page tests: no sandbox in a container, nothing fetched
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
]


@pytest.fixture
async def browser():
    """Headless Chromium (Debian's package) driven by Playwright; skipped without it
    (a failure under CI=true)."""
    executable = need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()
