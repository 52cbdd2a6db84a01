"""HTTP load on one ``zhixin serve`` process over the demo data set.

    python benchmarks/http_load.py                         # SQLite in a temporary folder
    python benchmarks/http_load.py --postgres              # a scratch database on 127.0.0.1:5432
    python benchmarks/http_load.py --database-url postgresql+asyncpg://user@host/db

Loads ``zhixin demo`` into the database, starts one server process and measures,
at 50 concurrent connections, requests per second and p50/p99 latency of

- ``healthz``: the ceiling of this server on this machine, measured in the same run;
- ``search``: enterprise search, a stream drawn from about 11,000 different queries
  (short names, brands, typos, pinyin, full names, codes) with Zipf popularity, as
  search logs have it; the "memo hits" column is the share the index answered from
  its memo of recent answers (``disclosure.cache.MemoIndex``);
- ``search-cold``: every query different, so none is answered from the memo;
- ``recalls``: the recall list, first pages with and without a category;
- ``filing``: ``POST /api/v1/cases``, varied complaint texts with a contact.

The load comes from ``wrk`` (Debian package ``wrk``; installed with apt-get when
missing and the benchmark runs as root) or, failing that, from an aiohttp client in
this process. The server runs with ``ZHIXIN_RATE_LIMITS=off``: every request comes
from one address. ``--check`` exits 1 when a target is missed: search at >= 25% of
the /healthz rate with p99 under 50 ms, filing at >= 200 cases/s, no failed request.
It prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SCENARIOS = ("healthz", "search", "search-cold", "recalls", "filing")
SEARCH_SHARE = 0.25
SEARCH_P99_MS = 50.0
FILING_RATE = 200.0


@dataclass
class Result:
    scenario: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    client: str
    memo_hits: float | None = None  # share of searches answered from the index's memo

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str | None = None


# ---------------------------------------------------------------- request mixes


def _distinct_queries(seed: int = 9) -> list[str]:
    """About 11,000 different queries aimed at demo enterprises, the way people type
    them: short names, brands, typos, pinyin (lookup_queries), full names and codes."""
    from lookup_queries import QueryMaker

    from disclosure.namegen import generate_enterprises
    from zhixin.demo import N_ENTERPRISES, SEED

    records = list(generate_enterprises(N_ENTERPRISES, seed=SEED))
    queries, _ = QueryMaker(records, seed).make(1000)
    texts = list(dict.fromkeys([q.text for q in queries] + [r.name for r in records]))
    texts += [r.uscc for r in records]
    random.Random(seed).shuffle(texts)
    return texts


def _search(text: str) -> Request:
    return Request("GET", f"/api/v1/enterprises?q={quote(text)}&limit=10")


def search_requests(length: int = 40_000, skew: float = 1.0, seed: int = 9) -> list[Request]:
    """A stream of searches whose popularity follows Zipf's law over the distinct
    queries (a few names are searched often, most rarely), as search logs do."""
    texts = _distinct_queries(seed)
    weights = [1.0 / (rank + 1) ** skew for rank in range(len(texts))]
    stream = random.Random(seed).choices(texts, weights=weights, k=length)
    return [_search(t) for t in stream]


def cold_search_requests(seed: int = 9) -> list[Request]:
    """Every query different: more of them than the index's memo holds, so each one is
    computed (the worst case, for comparison)."""
    return [_search(t) for t in _distinct_queries(seed)]


def recall_requests() -> list[Request]:
    """The first page of the list, and filtered first pages, as the pages ask for them."""
    paths = ["/api/v1/recalls", "/api/v1/recalls?limit=20"]
    for category in ("food", "consumer", "vehicle", "drug", "device", "cosmetic"):
        paths.append(f"/api/v1/recalls?category={category}")
    return [Request("GET", p) for p in paths]


def filing_requests(n: int = 600, seed: int = 11) -> list[Request]:
    """Complaints and tips about demo enterprises, each with a contact."""
    from disclosure.namegen import generate_enterprises
    from zhixin.demo import N_ENTERPRISES, SEED
    from zhixin.demo.texts import CASE_TEXTS

    records = list(generate_enterprises(N_ENTERPRISES, seed=SEED))
    rng = random.Random(seed)
    out = []
    for i in range(n):
        _dept, kind, _cat, template = rng.choice(CASE_TEXTS)
        company = rng.choice(records).name
        text = template.replace("{c}", company).replace("{n}", str(rng.randint(2, 9)))
        body: dict[str, object] = {"text": text, "contact": f"139{rng.randrange(10**8):08d}"}
        if i % 3 == 0:
            body["kind"] = kind
        out.append(Request("POST", "/api/v1/cases", json.dumps(body, ensure_ascii=False)))
    return out


# ---------------------------------------------------------------- the server


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
end
"""


def run_wrk(
    wrk: str, port: int, requests: list[Request], seconds: float, connections: int, workdir: Path
) -> Result:
    # a random start in the list per run, so repeated runs do not replay the same prefix
    start = random.randrange(len(requests))
    ordered = requests[start:] + requests[:start]
    entries = []
    for r in ordered:
        body = _lua_string(r.body) if r.body is not None else "nil"
        entries.append(f"{{{_lua_string(r.method)}, {_lua_string(r.path)}, {body}}}")
    script = workdir / f"load-{uuid.uuid4().hex[:6]}.lua"
    script.write_text(LUA % ",\n".join(entries), encoding="utf-8")
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
    return Result("", n, duration_us / 1e6, p50 / 1000, p99 / 1000, errors, "wrk")


async def _python_load(
    port: int, requests: list[Request], seconds: float, connections: int
) -> Result:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    counter = random.randrange(len(requests))
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
    return Result("", len(latencies), elapsed, q[49] * 1000, q[98] * 1000, errors, "python")


def measure(
    client: str | None,
    port: int,
    scenario: str,
    requests: list[Request],
    seconds: float,
    connections: int,
    workdir: Path,
) -> Result:
    if client:
        result = run_wrk(client, port, requests, seconds, connections, workdir)
    else:
        result = asyncio.run(_python_load(port, requests, seconds, connections))
    result.scenario = scenario
    return result


def memo_counts(port: int) -> tuple[float, float]:
    """(hits, misses) of the search memo so far, from /metrics."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    values = {}
    for line in text.splitlines():
        if line.startswith("zhixin_search_memo_"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values.get("zhixin_search_memo_hits", 0.0), values.get("zhixin_search_memo_misses", 0.0)


# ---------------------------------------------------------------- report


def report(results: dict[str, Result], backend: str) -> list[str]:
    """Print the table; return the targets missed."""
    ceiling = results["healthz"].rate if "healthz" in results else 0.0
    print(f"\n{backend}: one `zhixin serve` process, {next(iter(results.values())).client} client")
    print(
        f"{'scenario':<10} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'of healthz':>10} {'memo hits':>9}"
    )
    for r in results.values():
        share = f"{r.rate / ceiling:>9.0%}" if ceiling else "-"
        memo = f"{r.memo_hits:.0%}" if r.memo_hits is not None else "-"
        print(
            f"{r.scenario:<10} {r.requests:>9} {r.rate:>9.0f} {r.p50_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.errors:>7} {share:>10} {memo:>9}"
        )
    missed = []
    search, filing = results.get("search"), results.get("filing")
    if search and ceiling and search.rate < SEARCH_SHARE * ceiling:
        missed.append(f"search {search.rate:.0f}/s is under {SEARCH_SHARE:.0%} of /healthz")
    if search and search.p99_ms >= SEARCH_P99_MS:
        missed.append(f"search p99 {search.p99_ms:.1f} ms is not under {SEARCH_P99_MS:.0f} ms")
    if filing and filing.rate < FILING_RATE:
        missed.append(f"filing {filing.rate:.0f}/s is under {FILING_RATE:.0f}/s")
    for r in results.values():
        if r.errors:
            missed.append(f"{r.scenario}: {r.errors} failed requests")
    return missed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = p.add_mutually_exclusive_group()
    where.add_argument("--database-url", help="a database to load the demo into and serve")
    where.add_argument(
        "--postgres",
        nargs="?",
        const="postgresql://postgres@127.0.0.1:5432/postgres",
        help="create a scratch database on this PostgreSQL server (default local) and drop it",
    )
    p.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per scenario")
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = p.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")

    wrk = None if args.client == "python" else find_wrk(install=True)
    if args.client == "wrk" and wrk is None:
        p.error("wrk is not installed and could not be installed")
    if wrk is None and args.client == "auto":
        print("wrk not available: using the Python client", file=sys.stderr)

    mixes = {
        "healthz": [Request("GET", "/healthz")],
        "search": search_requests(),
        "search-cold": cold_search_requests(),
        "recalls": recall_requests(),
        "filing": filing_requests(),
    }
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zx-bench-")))
        if args.postgres:
            url = stack.enter_context(scratch_postgres(args.postgres))
        else:
            url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        backend = "PostgreSQL" if "postgresql" in url else "SQLite"
        env = server_env(url, secrets.token_urlsafe(32))
        print(f"loading the demo data set into {backend} ...", file=sys.stderr)
        print(f"demo loaded in {load_demo(env, workdir):.0f} s", file=sys.stderr)
        port = free_port()
        results: dict[str, Result] = {}
        with serving(env, workdir, port):
            for scenario in chosen:
                reqs = mixes[scenario]
                if args.warmup > 0:
                    measure(wrk, port, scenario, reqs, args.warmup, args.connections, workdir)
                hits, misses = memo_counts(port)
                result = measure(
                    wrk, port, scenario, reqs, args.duration, args.connections, workdir
                )
                if scenario.startswith("search"):
                    more_hits, more_misses = memo_counts(port)
                    total = (more_hits - hits) + (more_misses - misses)
                    result.memo_hits = (more_hits - hits) / total if total else None
                results[scenario] = result
        missed = report(results, backend)
    if args.json:
        figures = {k: {**asdict(v), "rate": v.rate} for k, v in results.items()}
        args.json.write_text(json.dumps({"backend": backend, "results": figures}, indent=2))
    for line in missed:
        print("target missed:", line)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
