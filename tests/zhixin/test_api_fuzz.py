"""Property-based tests of every ``/api/v1`` and ``/open311`` operation in ``/openapi.json``:
schemathesis generates valid and invalid requests against a live server on a small seeded
SQLite database; no answer may be a 5xx, and every answer must match the document
(status code, content type, headers, body schema).

Staff paths get a real staff token and Open311 posts a real API key, so the generated
requests reach the handlers instead of stopping at the authentication check.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import SECRET, fresh_postgres
from tests.support.bot_world import seed
from tests.support.desk import ELEVATOR, POLLUTION
from zhixin.openapi import build_openapi

EXAMPLES = int(os.environ.get("ZHIXIN_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass
class LiveServer:
    url: str
    staff_token: str
    api_key: str
    tracking_no: str
    access_code: str


async def _prepare(services) -> tuple[str, str, str, str]:
    from complaints.intake import Submission
    from complaints.service import submit
    from infra.accounts import add_api_key, add_staff

    await seed(services, n_recalls=3)
    filed = await submit(services, Submission(text=ELEVATOR, channel="api", contact="13812345678"))
    await submit(services, Submission(text=POLLUTION, channel="web", kind="tip", anonymous=True))
    async with services.sessions() as session:
        _staff, token = await add_staff(session, filed.case.department, "审核员")
        _row, key = await add_api_key(session, "fuzz")
        await session.commit()
    return token, key, filed.case.tracking_no, filed.access_code or ""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Both backends: integers out of range, text limits and NULs differ between them."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
        return
    with fresh_postgres("zx_fuzz") as url:
        yield url


@pytest.fixture(scope="module")
def live_server(database_url: str) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 in a thread of its own (schemathesis calls are blocking)."""
    # rate limits would turn most generated filings into 429s: off, to reach the handlers
    import tempfile

    from aiohttp import web

    from complaints.runtime import Services
    from infra.settings import Settings
    from zhixin.app import create_app

    evidence = tempfile.mkdtemp(prefix="zx-fuzz-evidence-")
    config = Settings(
        database_url=database_url, secret_key=SECRET, rate_limits=False, evidence_dir=Path(evidence)
    )
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, object] = {}

    async def main() -> None:
        services = await Services.start(config, watch=False)
        state["seeded"] = await _prepare(services)
        runner = web.AppRunner(create_app(config, services))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state["port"] = runner.addresses[0][1]
        stop = asyncio.Event()
        state["stop"] = stop
        ready.set()
        await stop.wait()
        await runner.cleanup()
        await services.close()

    def run() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # reported to the test below
            state["error"] = exc
            ready.set()

    thread = threading.Thread(target=run, name="fuzz-server", daemon=True)
    thread.start()
    assert ready.wait(60), "the server did not start"
    if "error" in state:
        raise state["error"]  # type: ignore[misc]
    token, key, number, code = state["seeded"]  # type: ignore[misc]
    try:
        yield LiveServer(f"http://127.0.0.1:{state['port']}", token, key, number, code)
    finally:
        loop.call_soon_threadsafe(state["stop"].set)  # type: ignore[union-attr]
        thread.join(30)
        loop.close()


def _load_schema():
    # the document is built from the routes' declarations, without a running server; the
    # test checks that the server serves this very document
    loaded = schemathesis.openapi.from_dict(build_openapi())
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,
        # unknown query parameters are ignored (cache busters, tracking tags), by design,
        # so a request with them is not "invalid data" that must be refused
        allow_extra_parameters=False,
    )
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_match_the_document(case, live_server: LiveServer) -> None:
    headers = {}
    if case.path.startswith("/api/v1/desk/"):
        headers["Authorization"] = f"Bearer {live_server.staff_token}"
    if isinstance(case.body, dict) and "api_key" in case.body:
        case.body["api_key"] = live_server.api_key
    case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS, timeout=10)


def test_the_server_serves_the_fuzzed_document(live_server: LiveServer) -> None:
    served = requests.get(f"{live_server.url}/openapi.json", timeout=10).json()
    assert served == build_openapi()
    fuzzed = {p for p in served["paths"] if p.startswith(("/api/v1/", "/open311/"))}
    assert fuzzed == set(served["paths"])  # nothing documented escapes the fuzzing
