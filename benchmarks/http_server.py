"""The server under load: a scratch database, the demo data and one ``zhixin serve``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def scratch_postgres(server: str) -> Iterator[str]:
    """A new database on ``server`` (a PostgreSQL URL), dropped afterwards."""
    import asyncpg

    parts = urlsplit(server.replace("+asyncpg", ""))
    name = f"zx_bench_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(parts._replace(scheme="postgresql+asyncpg", path=f"/{name}"))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def server_env(database_url: str, secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ZHIXIN_DATABASE_URL=database_url,
        ZHIXIN_SECRET_KEY=secret,
        ZHIXIN_LOG_LEVEL="WARNING",
        # every request comes from 127.0.0.1: the per-client limits would stop the run
        ZHIXIN_RATE_LIMITS="off",
        ZHIXIN_INDEX_FILE="lookup.idx",  # in the scratch working directory
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    for name in ("ZHIXIN_BOT_TOKEN", "ZHIXIN_WEBHOOK_BASE", "ZHIXIN_REDIS_URL"):
        env.pop(name, None)
    return env


def load_demo(env: dict[str, str], workdir: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "zhixin", "demo"], cwd=workdir, env=env, check=True, timeout=900
    )
    return time.perf_counter() - start


REGISTER = """
import asyncio, sys
from sqlalchemy import insert, select
from disclosure.cache import mark_change
from disclosure.models import Enterprise
from disclosure.namegen import generate_enterprises
from infra.db import make_engine, make_sessionmaker
from infra.settings import load_settings

async def main(n):
    engine = make_engine(load_settings().database_url)
    async with make_sessionmaker(engine)() as session:
        known = set(await session.scalars(select(Enterprise.uscc)))
        rows = [dict(uscc=r.uscc, name=r.name, aliases=list(r.aliases), region=r.region,
                     industry=r.industry, status=r.status)
                for r in generate_enterprises(n, seed=77) if r.uscc not in known]
        for i in range(0, len(rows), 5000):
            await session.execute(insert(Enterprise), rows[i : i + 5000])
        mark_change(session, "enterprises")
        await session.commit()
    await engine.dispose()

asyncio.run(main(int(sys.argv[1])))
"""


def load_register(env: dict[str, str], n: int) -> float:
    """Add ``n`` synthetic enterprises (another seed than the demo's) to the database."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", REGISTER, str(n)], env=env, check=True, timeout=1800)
    return time.perf_counter() - start


@contextlib.contextmanager
def serving(env: dict[str, str], workdir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    log = open(workdir / "serve.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhixin", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(port, proc)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"zhixin serve exited with {proc.returncode}; see serve.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("zhixin serve did not answer /healthz in time")


# ---------------------------------------------------------------- load clients
