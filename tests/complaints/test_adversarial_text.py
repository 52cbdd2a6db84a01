"""Hostile text in every field a citizen or a clerk fills: long texts that cost CPU,
lone UTF-16 surrogates, overlong derived fields, and racing ratings. Each test failed
on the code before its fix (issue 16)."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
import urllib.request

from infra.accounts import add_api_key
from tests.support.desk import ELEVATOR

# 5,000 characters that make the router work hardest: sentences that read as a
# complaint and as a tip, so the text is routed whole, by sentence and once per part
LONG = ("超市卖的牛奶过期了，要求退款。举报这家工厂偷排污水。" * 200)[:5000]


async def test_healthz_answers_within_100ms_while_ten_long_filings_are_routed(client) -> None:
    url = str(client.make_url("/healthz"))
    stop = threading.Event()

    def another_client() -> list[float]:
        # a client of its own, on its own thread: it waits however long the server does
        times = []
        while not stop.is_set():
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as resp:
                assert resp.status == 200
            times.append(time.perf_counter() - started)
            time.sleep(0.01)
        return times

    async def file(n: int) -> int:
        body = {"text": f"{n}{LONG}"[:5000], "contact": "13812345678"}
        return (await client.post("/api/v1/cases", json=body)).status

    prober = asyncio.get_running_loop().run_in_executor(None, another_client)
    await asyncio.sleep(0.05)
    try:
        assert await asyncio.gather(*(file(n) for n in range(10))) == [201] * 10
    finally:
        stop.set()
        times = await prober
    # the figure holds on an idle machine; the whole suite runs two tests at once on
    # two cores, so one slow answer is allowed there (the old code took seconds)
    assert len(times) >= 3
    assert statistics.median(times) < 0.1, f"/healthz answers: {times}"
    assert max(times) < 0.5, f"/healthz answers: {times}"


async def test_open311_descriptions_are_redacted_once_not_per_get(
    client, services, monkeypatch
) -> None:
    import open311.formats as fmt311

    calls: list[str] = []
    real = fmt311.strip_identifiers

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(fmt311, "strip_identifiers", counting)
    fmt311.public_description.cache_clear()
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    for n in range(3):
        resp = await client.post(
            "/open311/v2/requests.json",
            data={"api_key": key, "description": f"{ELEVATOR}，第{n}次，电话13912345678",
                  "email": "x@example.cn", "service_code": "auto"},
        )  # fmt: skip
        assert resp.status == 201, await resp.text()
    for _ in range(3):
        resp = await client.get("/open311/v2/requests.json")
        items = await resp.json()
        assert len(items) == 3 and all("13912345678" not in i["description"] for i in items)
    assert len(calls) == 3
