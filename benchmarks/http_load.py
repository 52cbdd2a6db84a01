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
- ``search-cold``: every query different, so none is answered from the memo; it and
  ``healthz`` take turns (``--rounds``, 3 by default, each of a third of ``--duration``),
  so that a slow stretch of a shared machine slows both; their rows pool the rounds;
- ``recalls``: the recall list, first pages with and without a category;
- ``filing``: ``POST /api/v1/cases``, varied complaint texts with a contact.

The load comes from ``wrk`` (Debian package ``wrk``; installed with apt-get when
missing and the benchmark runs as root) or, failing that, from an aiohttp client in
this process. The server runs with ``ZHIXIN_RATE_LIMITS=off``: every request comes
from one address. ``--names N`` adds N synthetic enterprises to the demo's register
before the server starts (searches then run over N + 2,400 names). ``--check`` exits 1
when a target is missed: search with every query new (``search-cold``) at >= 30% of the
/healthz rate with p99 under 50 ms, the memo-friendly stream at >= 25% with p99 under
50 ms, filing at >= 200 cases/s, no failed request.
It prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from http_drivers import find_wrk, python_load, run_wrk  # noqa: E402
from http_requests import (  # noqa: E402
    Request,
    Result,
    cold_search_requests,
    filing_requests,
    pooled,
    recall_requests,
    search_requests,
)
from http_server import (  # noqa: E402
    free_port,
    load_demo,
    load_register,
    scratch_postgres,
    server_env,
    serving,
)

# in this order: the every-query-new stream right after the /healthz it is compared with,
# on an empty memo (the memo-friendly stream after it would leave its popular queries there)
SCENARIOS = ("healthz", "search-cold", "search", "recalls", "filing")
SEARCH_SHARE = 0.25  # the memo-friendly stream
COLD_SHARE = 0.30  # every query new
SEARCH_P99_MS = 50.0
FILING_RATE = 200.0


def measure(
    client: str | None,
    port: int,
    scenario: str,
    requests: list[Request],
    seconds: float,
    connections: int,
    workdir: Path,
    start: int | None = None,
) -> Result:
    if client:
        result = run_wrk(client, port, requests, seconds, connections, workdir, start)
    else:
        result = asyncio.run(python_load(port, requests, seconds, connections, start))
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
    cold = results.get("search-cold")
    if cold and cold.rounds > 1:
        shares = ", ".join(f"{share:.0%}" for share in cold.shares)
        print(f"search-cold in {cold.rounds} rounds beside /healthz's: {shares} of its rate")
    missed = []
    filing = results.get("filing")
    for name, share in (("search", SEARCH_SHARE), ("search-cold", COLD_SHARE)):
        search = results.get(name)
        if search and ceiling and search.rate < share * ceiling:
            missed.append(f"{name} {search.rate:.0f}/s is under {share:.0%} of /healthz")
        if search and search.p99_ms >= SEARCH_P99_MS:
            missed.append(f"{name} p99 {search.p99_ms:.1f} ms is not under {SEARCH_P99_MS:.0f} ms")
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
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="/healthz and search-cold in this many alternating rounds (of duration/rounds)",
    )
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    p.add_argument("--names", type=int, default=0, help="synthetic enterprises added to the demo")
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = p.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s]
    unknown = set(chosen) - set(SCENARIOS)
    chosen = [s for s in SCENARIOS if s in chosen]
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
        if args.names:
            seconds = load_register(env, args.names)
            print(f"{args.names:,} more names in {seconds:.0f} s", file=sys.stderr)
        port = free_port()
        results: dict[str, Result] = {}
        with serving(env, workdir, port):
            ends: dict[str, int | None] = {}

            def run(scenario: str, seconds: float) -> Result:
                reqs = mixes[scenario]
                if scenario not in ends:
                    ends[scenario] = None
                    if args.warmup > 0:
                        warm = measure(
                            wrk, port, scenario, reqs, args.warmup, args.connections, workdir
                        )
                        # the cold stream goes on where its warm-up stopped: a query comes
                        # back only after all the others, long out of the memo
                        ends[scenario] = warm.end if scenario == "search-cold" else None
                hits, misses = memo_counts(port)
                result = measure(
                    wrk, port, scenario, reqs, seconds, args.connections, workdir,
                    ends[scenario],
                )  # fmt: skip
                if scenario == "search-cold":
                    ends[scenario] = result.end
                if scenario.startswith("search"):
                    more_hits, more_misses = memo_counts(port)
                    total = (more_hits - hits) + (more_misses - misses)
                    result.memo_hits = (more_hits - hits) / total if total else None
                return result

            paired = {"healthz", "search-cold"} <= set(chosen) and args.rounds > 1
            for scenario in chosen:
                if paired and scenario == "healthz":
                    # /healthz and search-cold take turns, so that a slow stretch of a
                    # shared machine slows both and not only the one measured then
                    turns: dict[str, list[Result]] = {"healthz": [], "search-cold": []}
                    for _ in range(args.rounds):
                        for name, runs in turns.items():
                            runs.append(run(name, args.duration / args.rounds))
                    for name, runs in turns.items():
                        results[name] = pooled(runs)
                        memo = [r.memo_hits for r in runs if r.memo_hits is not None]
                        results[name].memo_hits = max(memo) if memo else None
                    results["search-cold"].shares = [
                        c.rate / h.rate for h, c in zip(*turns.values(), strict=True)
                    ]
                elif not (paired and scenario == "search-cold"):
                    results[scenario] = run(scenario, args.duration)
        missed = report(results, backend + (f", {args.names + 2400:,} names" if args.names else ""))
    if args.json:
        figures = {k: {**asdict(v), "rate": v.rate} for k, v in results.items()}
        args.json.write_text(json.dumps({"backend": backend, "results": figures}, indent=2))
    for line in missed:
        print("target missed:", line)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
