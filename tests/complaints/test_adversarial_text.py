"""Hostile text in every field a citizen or a clerk fills: long texts that cost CPU,
lone UTF-16 surrogates, overlong derived fields, and racing ratings. Each test failed
on the code before its fix (issue 16)."""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
import time
import urllib.request

from sqlalchemy import select, text

from complaints.models import Case, CaseEvent
from infra.accounts import add_api_key
from tests.support.desk import ELEVATOR, act, bearer, csrf_of, file_case, staff_token

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
    # 100 ms holds for every answer on an idle machine; the whole suite runs two tests
    # at once on two cores, where a scheduler hiccup may cost one answer a few hundred
    # milliseconds. The old code held the loop for seconds (4.6 s), which this catches.
    assert len(times) >= 3
    assert statistics.median(times) < 0.1, f"/healthz answers: {times}"
    assert max(times) < 1.5, f"/healthz answers: {times}"


async def test_open311_descriptions_are_redacted_once_not_per_get(
    client, services, monkeypatch
) -> None:
    import open311.formats as fmt311

    calls: list[str] = []
    real = fmt311.redact

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(fmt311, "redact", counting)
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


async def _resolved(client, services) -> tuple[str, dict[str, str], str]:
    filed = await file_case(client, ELEVATOR)
    number, headers = filed["tracking_no"], {"X-Access-Code": filed["access_code"]}
    token = await staff_token(services, filed["department"])
    await act(client, token, number, "accept")
    await act(client, token, number, "resolve", outcome="repaired")
    return number, headers, token


async def test_a_lone_surrogate_is_refused_with_the_field_named(client, services) -> None:
    number, headers, token = await _resolved(client, services)
    raw = '{"text": "' + ELEVATOR + '", "contact": "13812345678", "name": "\\ud800"}'
    resp = await client.post(
        "/api/v1/cases", data=raw, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "name"
    resp = await client.post(
        f"/api/v1/desk/cases/{number}/close",
        data='{"note": "ok\\udc00"}',
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert resp.status == 400 and (await resp.json())["error"]["field"] == "note"
    # a valid pair is a character (U+1F600), not refused
    await act(client, token, number, "close", note="好的\U0001f600")
    for path, extra in (
        (f"/api/v1/cases/{number}", headers),
        (f"/api/v1/desk/cases/{number}", bearer(token)),
    ):
        assert (await client.get(path, headers=extra)).status == 200


async def test_a_surrogate_stored_before_the_fix_stays_readable(client, services) -> None:
    number, headers, token = await _resolved(client, services)
    async with services.sessions() as session:
        case = await session.scalar(select(Case).where(Case.tracking_no == number))
        # JSON columns keep a lone surrogate escaped, so the database took it
        session.add(
            CaseEvent(case_id=case.id, actor="staff:1", action="progress", to_status=case.status,
                      data={"note": "进展\ud800"}, public=True)
        )  # fmt: skip
        await session.commit()
    resp = await client.get(f"/api/v1/cases/{number}", headers=headers)
    assert resp.status == 200 and "\\ud800" in await resp.text()
    assert (await client.get(f"/api/v1/desk/cases/{number}", headers=bearer(token))).status == 200
    form = await client.get("/track")
    page = await client.post(
        "/track",
        data={"csrf_token": csrf_of(await form.text()), "tracking_no": number,
              "access_code": headers["X-Access-Code"]},
    )  # fmt: skip
    assert page.status == 200 and "进展" in await page.text()


async def test_a_company_name_longer_than_its_column_is_cut_not_lost(
    client, services, caplog
) -> None:
    name = "Z" + "z" * 250 + " Supermarket Co., Ltd."
    text = f"I bought expired milk at {name} and they refuse a refund, call 13912345678"
    with caplog.at_level(logging.DEBUG):
        filed = await file_case(client, text)
    async with services.sessions() as session:
        case = await session.scalar(select(Case).where(Case.tracking_no == filed["tracking_no"]))
    assert case.company and len(case.company) <= 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_failed_statement_never_logs_its_parameters(services, caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="sqlalchemy"):
        async with services.sessions() as session:
            try:
                await session.execute(
                    text("SELECT :secret + nonexistent_column"), {"secret": "S3cr3t-Parameter"}
                )
            except Exception as exc:
                assert "S3cr3t-Parameter" not in str(exc)
            else:
                raise AssertionError("the statement should fail")
    assert "S3cr3t-Parameter" not in caplog.text


async def test_sixteen_parallel_ratings_one_wins_the_others_get_409(client, services) -> None:
    number, headers, _token = await _resolved(client, services)
    services.limiter.enabled = False  # the per-case limit on access codes is not the point
    url = f"/api/v1/cases/{number}/rating"
    answers = await asyncio.gather(
        *(client.post(url, json={"rating": 1 + n % 5}, headers=headers) for n in range(16))
    )
    assert sorted(r.status for r in answers) == [200] + [409] * 15
    async with services.sessions() as session:
        events = await session.scalars(
            select(CaseEvent)
            .join(Case)
            .where(Case.tracking_no == number, CaseEvent.action == "rate")
        )
        assert len(list(events)) == 1
