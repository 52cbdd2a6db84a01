"""Several processes on one index file: start-up time and memory per process.

Used by ``lookup_bench.py --processes N``: one process with an empty index (the
interpreter, numpy, rapidfuzz and pinyin tables: what every process pays anyway)
and N processes that map the index file, all answering the same queries and all
alive at once while their memory is read from ``/proc/PID/smaps_rollup``. "Ready"
is the time from starting the process to its first answer; "adds" is what a
process holds beyond the empty-index one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Proc:
    label: str
    ready_s: float
    open_s: float
    rss_mb: float
    pss_mb: float
    private_mb: float


def smaps(pid: int) -> dict[str, float]:
    """RSS, PSS and private memory of a process in MB (Linux)."""
    out: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                out[parts[0][:-1]] = int(parts[1]) / 1024
    out["Private"] = out.get("Private_Clean", 0.0) + out.get("Private_Dirty", 0.0)
    return out


CHILD = """
import json, sys, time
from pathlib import Path
from nlp.lookup import EnterpriseIndex
from nlp.lookup_file import open_index
path, queries = sys.argv[1], json.loads(sys.stdin.readline())
t = time.perf_counter()
index = open_index(EnterpriseIndex, Path(path))[0] if path != "-" else EnterpriseIndex()
opened = time.perf_counter() - t
index.search(queries[0], 10)
print(json.dumps({"open": opened}), flush=True)
for q in queries:
    index.search(q, 10)
print("done", flush=True)
sys.stdin.readline()  # stay alive until the parent has read the memory of every process
"""


def _start(path: str, queries: list[str]) -> tuple[subprocess.Popen[str], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(queries) + "\n")
    proc.stdin.flush()
    return proc, started


def run_processes(path: Path, n: int, queries: list[str]) -> list[Proc]:
    """An empty-index process, then ``n`` processes mapping ``path``, one after another
    (each start-up timed alone), all kept alive for the memory reading."""
    procs: list[tuple[str, subprocess.Popen[str]]] = []
    out: list[Proc] = []
    timing: list[tuple[float, float]] = []
    try:
        for i in range(n + 1):
            label = "empty index" if i == 0 else f"mapped #{i}"
            proc, started = _start("-" if i == 0 else str(path), queries)
            assert proc.stdout is not None
            first = json.loads(proc.stdout.readline())
            timing.append((time.perf_counter() - started, first["open"]))
            if proc.stdout.readline().strip() != "done":
                raise RuntimeError(f"{label} failed")
            procs.append((label, proc))
        for (label, proc), (ready, opened) in zip(procs, timing, strict=True):
            mem = smaps(proc.pid)
            out.append(Proc(label, ready, opened, mem["Rss"], mem["Pss"], mem["Private"]))
    finally:
        for _, proc in procs:
            if proc.stdin:
                proc.stdin.write("\n")
                proc.stdin.close()
            proc.wait(timeout=60)
    return out


def report(procs: list[Proc], file_mb: float) -> list[str]:
    """One line per process, and the increments over the empty-index process."""
    base = procs[0]
    lines = [
        f"== {len(procs) - 1} processes mapping one index file ({file_mb:.0f} MB), beside one "
        "with an empty index",
        f"{'process':<13}{'ready s':>8}{'open s':>8}{'RSS MB':>8}{'PSS MB':>8}{'private MB':>11}"
        f"{'adds: ready s':>14}{'private MB':>11}",
    ]
    for p in procs:
        lines.append(
            f"{p.label:<13}{p.ready_s:>8.2f}{p.open_s:>8.2f}{p.rss_mb:>8.0f}{p.pss_mb:>8.0f}"
            f"{p.private_mb:>11.0f}{p.ready_s - base.ready_s:>14.2f}"
            f"{p.private_mb - base.private_mb:>11.1f}"
        )
    return lines
