"""Evaluate the router on the labelled corpus (benchmarks/data/routing_*.jsonl).

    python benchmarks/routing_eval.py                      # test split, shipped threshold
    python benchmarks/routing_eval.py --split tune
    python benchmarks/routing_eval.py --choose-threshold   # on the tune split only
    python benchmarks/routing_eval.py --choose-threshold --write
    python benchmarks/routing_eval.py --examples tune      # tune texts as the router's memory

Prints department accuracy, macro-F1, kind accuracy, the confusion list, the
abstain rate, company extraction, texts per second on one core and start-up
time with a cold and a warm cache. The threshold is only ever chosen on the
tune split: choosing it on the test split would make the test figures a lie.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.registry import TRIAGE  # noqa: E402
from nlp.router import THRESHOLD_FILE, Example, Router  # noqa: E402

DATA = Path(__file__).with_name("data")
CRITERION = (
    "maximise department accuracy on the tune split (abstaining is correct only when the gold "
    "department is triage); among equally good thresholds, the middle of the longest run"
)


def load(split: str) -> list[dict]:
    """The rows of one split."""
    path = DATA / f"routing_{split}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def macro_f1(gold: list[str], pred: list[str]) -> float:
    """Unweighted mean F1 over every label seen in gold or prediction."""
    labels = sorted(set(gold) | set(pred))
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s)


def evaluate(router: Router, rows: list[dict]) -> dict:
    """Route every row once and compute the figures."""
    results = [router.route(r["text"]) for r in rows]
    gold = [r["department"] for r in rows]
    pred = [res.department for res in results]
    kinds_ok = sum(r["kind"] == res.kind for r, res in zip(rows, results, strict=True))
    abstained = sum(
        res.department == TRIAGE and bool(res.scores) and next(iter(res.scores)) != TRIAGE
        for res in results
    )
    by_lang: dict[str, list[bool]] = {}
    for r, p in zip(rows, pred, strict=True):
        by_lang.setdefault(r.get("lang", "zh"), []).append(r["department"] == p)
    with_company = [(r, res) for r, res in zip(rows, results, strict=True) if r.get("company")]
    spurious = sum(
        1 for r, res in zip(rows, results, strict=True) if res.company and not r.get("company")
    )
    return {
        "n": len(rows),
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows),
        "macro_f1": macro_f1(gold, pred),
        "kind_accuracy": kinds_ok / len(rows),
        "triage_rate": pred.count(TRIAGE) / len(rows),
        "abstain_rate": abstained / len(rows),
        "confusion": Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p),
        "kind_confusion": Counter(
            (r["kind"], res.kind)
            for r, res in zip(rows, results, strict=True)
            if r["kind"] != res.kind
        ),
        "by_lang": {lang: (sum(v) / len(v), len(v)) for lang, v in sorted(by_lang.items())},
        "company_found": sum(res.company == r["company"] for r, res in with_company),
        "company_total": len(with_company),
        "company_spurious": spurious,
        "results": results,
    }


def throughput(router: Router, rows: list[dict], seconds: float = 3.0) -> tuple[float, float]:
    """Texts per second of CPU time (what one core delivers) and of wall-clock time."""
    texts = [r["text"] for r in rows]
    done, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while time.process_time() - cpu0 < seconds:
        for text in texts:
            router.route(text)
        done += len(texts)
    return done / (time.process_time() - cpu0), done / (time.perf_counter() - wall0)


def startup_times(repeats: int = 3) -> dict[str, tuple[float, float]]:
    """Seconds (CPU, wall) to import the router and build it, with a cold and a warm cache.

    Each start is a fresh interpreter; "cold" has an empty cache directory (the
    trimmed jieba dictionary and the sound table are built), "warm" reuses it.
    The best of ``repeats`` is kept, since other processes only ever add time.
    """
    code = (
        "import time; c, w = time.process_time(), time.perf_counter()\n"
        "from nlp.router import Router; Router()\n"
        "print(time.process_time() - c, time.perf_counter() - w)"
    )

    def run(env: dict[str, str]) -> tuple[float, float]:
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        return float(out[0]), float(out[1])

    colds, warms = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "ZHIXIN_CACHE_DIR": cache}
            colds.append(run(env))
            warms.append(run(env))
    return {"cold": min(colds), "warm": min(warms)}


def choose_threshold(rows: list[dict]) -> tuple[float, float]:
    """The abstention threshold that is best on ``rows`` (the tune split) and its accuracy."""
    router = Router(threshold=0.0)
    outcomes = []
    for r in rows:
        res = router.route(r["text"])
        outcomes.append((res.confidence, res.department, r["department"]))
    levels = sorted({c for c, _, _ in outcomes})
    candidates = [0.0] + [(a + b) / 2 for a, b in itertools.pairwise(levels)]
    accs = []
    for t in candidates:
        ok = sum((d if c >= t else TRIAGE) == g for c, d, g in outcomes)
        accs.append(ok / len(outcomes))
    top = max(accs)
    # The longest run of consecutive best candidates, and its middle.
    best_run: list[int] = []
    run: list[int] = []
    for i, acc in enumerate(accs):
        run = [*run, i] if acc == top else []
        if len(run) > len(best_run):
            best_run = run
    return round(candidates[best_run[len(best_run) // 2]], 4), top


def pin_one_core() -> None:
    """Run on one CPU, so the throughput is what one core delivers."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def report(split: str, fig: dict, threshold: float) -> None:
    """Print the figures of one split."""
    print(f"split: {split} ({fig['n']} texts), threshold {threshold:.4f}")
    print(f"department accuracy: {fig['accuracy']:.3f}")
    print(f"department macro-F1: {fig['macro_f1']:.3f}")
    print(f"kind accuracy:       {fig['kind_accuracy']:.3f}")
    print(f"abstain rate:        {fig['abstain_rate']:.3f} (below threshold → triage)")
    print(f"triage rate:         {fig['triage_rate']:.3f} (all texts sent to triage)")
    for lang, (acc, n) in fig["by_lang"].items():
        print(f"  accuracy [{lang}]: {acc:.3f} ({n})")
    print(
        f"company: {fig['company_found']}/{fig['company_total']} named companies found as written, "
        f"{fig['company_spurious']} found where none was labelled"
    )
    print("confusion (gold → predicted: count):")
    for (g, p), n in fig["confusion"].most_common():
        print(f"  {g} → {p}: {n}")
    print("kind confusion (gold → predicted: count):")
    for (g, p), n in fig["kind_confusion"].most_common():
        print(f"  {g} → {p}: {n}")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--split", choices=("tune", "test"), default="test")
    ap.add_argument("--threshold", type=float, default=None, help="override the shipped threshold")
    ap.add_argument("--choose-threshold", action="store_true", help="choose it on the tune split")
    ap.add_argument("--write", action="store_true", help="with --choose-threshold: store it")
    ap.add_argument("--examples", choices=("tune",), help="give the router these texts as memory")
    ap.add_argument("--errors", action="store_true", help="list misrouted texts (tune split only)")
    ap.add_argument("--no-speed", action="store_true", help="skip throughput and start-up timing")
    args = ap.parse_args(argv)

    if args.choose_threshold:
        threshold, acc = choose_threshold(load("tune"))
        print(f"chosen threshold: {threshold} (tune accuracy {acc:.3f})")
        print(f"criterion: {CRITERION}")
        if args.write:
            THRESHOLD_FILE.write_text(
                json.dumps(
                    {
                        "threshold": threshold,
                        "split": "routing_tune.jsonl",
                        "criterion": CRITERION,
                        "tune_accuracy": round(acc, 4),
                    },
                    ensure_ascii=False,
                    indent=2,
                )
                + "\n",
                encoding="utf-8",
            )
            print(f"written to {THRESHOLD_FILE.relative_to(ROOT)}")
        return 0

    if args.errors and args.split == "test":
        ap.error("--errors is for the tune split: the test split is not for fixing rules")
    pin_one_core()
    examples = (
        [Example(r["text"], r["department"], r["kind"]) for r in load(args.examples)]
        if (args.examples)
        else []
    )
    if args.examples == args.split:
        ap.error("the memory and the evaluated split must differ")
    router = Router(examples=examples, threshold=args.threshold)
    rows = load(args.split)
    fig = evaluate(router, rows)
    report(args.split, fig, router.threshold)
    if args.examples:
        print(f"memory: {router.example_count} examples from the {args.examples} split")
    if args.errors:
        print("errors:")
        for r, res in zip(rows, fig["results"], strict=True):
            if r["department"] != res.department or r["kind"] != res.kind:
                print(
                    f"  {r['department']}/{r['kind']} → {res.department}/{res.kind}"
                    f" {res.confidence:.2f} | {r['text']} | {'; '.join(res.reasons)}"
                )
    if not args.no_speed:
        cpu_rate, wall_rate = throughput(router, rows)
        print(
            f"throughput: {cpu_rate:.0f} texts/s per CPU second on one core "
            f"({wall_rate:.0f} texts/s wall clock)"
        )
        times = startup_times()
        for label in ("cold", "warm"):
            cpu, wall = times[label]
            print(
                f"start-up, {label} cache (import + Router()): {cpu:.2f} s CPU, {wall:.2f} s wall"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
