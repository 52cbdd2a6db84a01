"""What the HTTP load benchmark sends: request streams per scenario, and the result row."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from urllib.parse import quote

# the percentiles a run reports its latency at, so that runs can be pooled (``pooled``)
GRID = [*range(1, 100), *(99 + k / 10 for k in range(1, 10)), 99.95, 99.99]


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
    end: int = 0  # where in its list of requests the run stopped (a next run may go on there)
    grid_ms: list[float] = field(default_factory=list)  # latency at each GRID percentile
    rounds: int = 1  # runs pooled into this row
    shares: list[float] = field(default_factory=list)  # per round: of that round's /healthz

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def pooled(runs: list[Result]) -> Result:
    """Runs of one scenario as one: requests, time and errors added up, the percentiles
    of all their requests together (from each run's latency at the GRID percentiles)."""
    import numpy as np

    first, last = runs[0], runs[-1]
    total = sum(r.requests for r in runs)
    values = np.unique(np.concatenate([r.grid_ms for r in runs]))
    # the share of all requests at or under each value, each run's share interpolated
    below = sum(r.requests * np.interp(values, r.grid_ms, GRID) / 100 for r in runs) / total

    def percentile(q: float) -> float:
        return float(np.interp(q / 100, below, values))

    return Result(
        first.scenario,
        total,
        sum(r.seconds for r in runs),
        percentile(50),
        percentile(99),
        sum(r.errors for r in runs),
        first.client,
        end=last.end,
        rounds=len(runs),
    )


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
        _dept, kind, _cat, template, _fits = rng.choice(CASE_TEXTS)
        company = rng.choice(records).name
        text = template.replace("{c}", company).replace("{n}", str(rng.randint(2, 9)))
        body: dict[str, object] = {"text": text, "contact": f"139{rng.randrange(10**8):08d}"}
        if i % 3 == 0:
            body["kind"] = kind
        out.append(Request("POST", "/api/v1/cases", json.dumps(body, ensure_ascii=False)))
    return out


# ---------------------------------------------------------------- the server
