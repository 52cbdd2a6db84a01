"""The HTTP server's own edges (issue 16): bytes that aiohttp's parser refuses still get
the JSON error body, and a client's mistake is not an ERROR in the log; hardening:
``Secure`` cookies and HSTS behind a trusted TLS proxy, no version in ``Server``, files
holding data or the secret created 0600."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from infra.db import make_engine
from infra.settings import SECRET_FILE, Settings, ensure_demo_secret, load_settings
from tests.support.serving import Server, server_env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real ``zhixin serve`` (SQLite: the parser is the same on every backend)."""
    workdir: Path = tmp_path_factory.mktemp("raw")
    env = server_env(f"sqlite+aiosqlite:///{workdir / 'raw.db'}", ZHIXIN_LOG_LEVEL="INFO")
    running = Server(env, workdir, "raw").start()
    yield running
    running.stop()


async def _raw(server: Server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library percent-encodes them) and read the
    answer of a closed connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (li.partition(":") for li in lines)}
    return int(status_line.split()[1]), headers, body


def _get(target: bytes, *extra: bytes) -> bytes:
    return b"\r\n".join([b"GET " + target + b" HTTP/1.1", b"Host: x", *extra, b"", b""])


def _log_errors(server: Server) -> list[str]:
    text = server.log.read_text(errors="replace")
    return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


async def test_raw_utf8_query_gets_the_json_error_and_no_error_log(server: Server) -> None:
    status, headers, body = await _raw(
        server, _get("/api/v1/enterprises?q=电子".encode(), b"Connection: close")
    )
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and "percent-encoded" in error["message"]
    assert _log_errors(server) == []


async def test_malformed_header_gets_the_json_error_and_no_error_log(server: Server) -> None:
    status, headers, body = await _raw(server, _get(b"/api/v1/enterprises?q=a", b"Bad Header"))
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "bad_request"
    assert _log_errors(server) == []


async def test_server_header_names_no_version(server: Server) -> None:
    _, served, _ = await _raw(server, _get(b"/healthz", b"Connection: close"))
    _, refused, _ = await _raw(server, _get("/api/v1/enterprises?q=电子".encode()))
    assert served["server"] == refused["server"] == "zhixin"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """Cookies, headers and files are the web layer's: SQLite is enough."""
    return f"sqlite+aiosqlite:///{tmp_path / 'infra.db'}"


def _secure_cookies(resp) -> list[bool]:
    return [bool(morsel["secure"]) for morsel in resp.cookies.values()]


async def test_behind_a_trusted_tls_proxy_cookies_are_secure_with_hsts(client) -> None:
    # the test client connects from 127.0.0.1, a trusted proxy by default
    tls = await client.get("/complain", headers={"X-Forwarded-Proto": "https"})
    assert tls.status == 200 and _secure_cookies(tls) == [True]
    assert tls.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})).headers[
        "Strict-Transport-Security"
    ]
    plain = await client.get("/complain")
    assert _secure_cookies(plain) == [False]
    assert "Strict-Transport-Security" not in plain.headers


async def test_forwarded_proto_from_an_untrusted_peer_is_ignored(
    aiohttp_client, settings, services
) -> None:
    from zhixin.app import create_app

    elsewhere = replace(settings, trusted_proxies=(ipaddress.ip_network("10.0.0.0/8"),))
    client = await aiohttp_client(create_app(elsewhere, services))
    resp = await client.get("/complain", headers={"X-Forwarded-Proto": "https"})
    assert _secure_cookies(resp) == [False]
    assert "Strict-Transport-Security" not in resp.headers


async def test_in_process_answers_name_no_version(client) -> None:
    for path in ("/healthz", "/no-such-page", "/api/v1/no-such-thing", "/static/missing.css"):
        assert (await client.get(path)).headers["Server"] == "zhixin", path


def test_trusted_proxies_default_to_loopback() -> None:
    loaded = load_settings({})
    assert [str(n) for n in loaded.trusted_proxies] == ["127.0.0.1/32", "::1/128"]
    assert Settings().trusted_proxies == loaded.trusted_proxies


@pytest.fixture
def no_chmod(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A loose umask, and chmod that does nothing: the mode must be right from creation,
    with no moment when another user could open the file."""
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)
    monkeypatch.setattr(Path, "chmod", lambda *a, **k: None)
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_demo_secret_file_is_created_0600(tmp_path: Path, no_chmod: None) -> None:
    ensure_demo_secret(tmp_path)
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600


async def test_sqlite_database_file_is_created_0600(tmp_path: Path, no_chmod: None) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        await conn.execute(text("INSERT INTO t VALUES (1)"))
        modes = _modes(tmp_path, "fresh.db")
        assert "fresh.db-wal" in modes and set(modes.values()) == {0o600}, modes
    await engine.dispose()


def _modes(directory: Path, prefix: str) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.glob(prefix + "*")}
