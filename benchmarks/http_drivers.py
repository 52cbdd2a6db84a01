"""Load generators for the HTTP benchmark: ``wrk`` with a Lua script, or aiohttp."""

from __future__ import annotations

import asyncio
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from http_requests import GRID, Request, Result


def find_wrk(install: bool) -> str | None:
    """The wrk binary; installed from Debian's packages when missing and allowed."""
    path = shutil.which("wrk")
    if path or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return path
    print("installing wrk (apt-get install wrk)", file=sys.stderr)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, **quiet).returncode:
        subprocess.run(["apt-get", "update", "-q"], check=False, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, **quiet)
    return shutil.which("wrk")


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


LUA = """
local reqs = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local r = reqs[(counter %% #reqs) + 1]
  return wrk.format(r[1], r[2], r[3] and {["Content-Type"]="application/json"} or nil, r[3])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
  io.write("WRKGRID")
  for _, p in ipairs({%s}) do
    io.write(string.format(" %%d", latency:percentile(p)))
  end
  io.write("\\n")
end
"""


def run_wrk(
    wrk: str,
    port: int,
    requests: list[Request],
    seconds: float,
    connections: int,
    workdir: Path,
    start: int | None = None,
) -> Result:
    # a random start in the list per run, so repeated runs do not replay the same prefix
    start = random.randrange(len(requests)) if start is None else start % len(requests)
    ordered = requests[start:] + requests[:start]
    entries = []
    for r in ordered:
        body = _lua_string(r.body) if r.body is not None else "nil"
        entries.append(f"{{{_lua_string(r.method)}, {_lua_string(r.path)}, {body}}}")
    script = workdir / f"load-{uuid.uuid4().hex[:6]}.lua"
    grid = ", ".join(str(p) for p in GRID)
    script.write_text(LUA % (",\n".join(entries), grid), encoding="utf-8")
    out = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKRESULT"))
    n, duration_us, p50, p99, errors = (int(v) for v in line.split()[1:])
    result = Result("", n, duration_us / 1e6, p50 / 1000, p99 / 1000, errors, "wrk")
    grid = next(x for x in out.splitlines() if x.startswith("WRKGRID"))
    result.grid_ms = [int(v) / 1000 for v in grid.split()[1:]]
    result.end = start + n + connections  # past the requests still in flight at the end
    return result


async def python_load(
    port: int, requests: list[Request], seconds: float, connections: int, start: int | None = None
) -> Result:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    counter = random.randrange(len(requests)) if start is None else start
    base = f"http://127.0.0.1:{port}"
    stop_at = 0.0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal counter, errors
        while time.perf_counter() < stop_at:
            r = requests[counter % len(requests)]
            counter += 1
            t0 = time.perf_counter()
            try:
                async with session.request(
                    r.method,
                    base + r.path,
                    data=r.body.encode() if r.body is not None else None,
                    headers={"Content-Type": "application/json"} if r.body is not None else None,
                ) as resp:
                    await resp.read()
                    ok = resp.status < 400
            except aiohttp.ClientError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            errors += not ok

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        stop_at = start + seconds
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    result = Result("", len(latencies), elapsed, q[49] * 1000, q[98] * 1000, errors, "python")
    n = len(latencies)
    result.grid_ms = (
        [latencies[min(n - 1, math.ceil(p / 100 * n) - 1)] * 1000 for p in GRID] if n else []
    )
    result.end = counter
    return result
