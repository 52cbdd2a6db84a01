"""No acknowledged case is lost: the server is killed with SIGKILL while clients are
filing cases, restarted on the same database, and every case that was answered with
201 is there, readable with its access code. On SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.support.serving import Server, server_env

TEXTS = (
    "我在{n}号超市买的牛奶过期了，要求退款，商家不理睬。",
    "小区{n}号楼的电梯又困人了，一个月坏了三次，请质监部门来检查。",
    "在{n}号加油站加油，加油机显示50升，我的油箱只有45升，怀疑计量作弊。",
    "买的电热水器用了{n}天就漏电，产品质量不合格，要求厂家赔偿。",
)
CLIENTS = 16
ENOUGH = 150  # acknowledged cases before the kill


async def _file_until_killed(
    base: str, acknowledged: list[dict[str, str]], stop: asyncio.Event, enough: asyncio.Event
) -> None:
    """One client filing case after case until the server goes away."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        n = 0
        while not stop.is_set():
            n += 1
            body = {"text": TEXTS[n % len(TEXTS)].format(n=n), "contact": f"1390000{n:04d}"}
            try:
                async with http.post(f"{base}/api/v1/cases", json=body) as resp:
                    if resp.status == 201:
                        acknowledged.append(await resp.json())
                        if len(acknowledged) >= ENOUGH:
                            enough.set()
                    else:
                        await resp.read()
            except (aiohttp.ClientError, TimeoutError):
                return  # the server is gone: whatever was not answered 201 may be lost


async def test_sigkill_while_filing_loses_no_acknowledged_case(db_url, tmp_path) -> None:
    env = server_env(db_url)
    server = Server(env, tmp_path, "first").start()
    acknowledged: list[dict[str, str]] = []
    stop, enough = asyncio.Event(), asyncio.Event()
    try:
        clients = [
            asyncio.create_task(_file_until_killed(server.url, acknowledged, stop, enough))
            for _ in range(CLIENTS)
        ]
        await asyncio.wait_for(enough.wait(), 60)
        server.kill()  # mid-stream: the clients have requests outstanding
        stop.set()
        await asyncio.gather(*clients)
    finally:
        server.kill()
    assert len(acknowledged) >= ENOUGH

    again = Server(env, tmp_path, "second").start()
    try:
        missing = []
        async with aiohttp.ClientSession() as http:
            for case in acknowledged:
                async with http.get(
                    f"{again.url}/api/v1/cases/{case['tracking_no']}",
                    headers={"X-Access-Code": case["access_code"]},
                ) as resp:
                    if resp.status != 200:
                        missing.append((case["tracking_no"], resp.status))
                    else:
                        assert (await resp.json())["tracking_no"] == case["tracking_no"]
        assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged cases lost"
    finally:
        again.stop()
