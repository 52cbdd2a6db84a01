"""Hostile bytes at the HTTP server itself, below the application: a request line that
aiohttp's parser refuses must still get the JSON error body, and a client's mistake is
not an ERROR in the log (issue 16)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

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
