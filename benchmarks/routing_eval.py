"""Evaluate the router on the labelled corpus (``corpus/``; see corpus/README.md).

    python benchmarks/routing_eval.py                      # learned router, both test splits
    python benchmarks/routing_eval.py --router rules       # the keyword-rules router
    python benchmarks/routing_eval.py --router both        # side by side
    python benchmarks/routing_eval.py --split tune --errors
    python benchmarks/routing_eval.py --learning-curve     # retrains at 25/50/100% of train

For each split: department accuracy, macro-F1, kind accuracy, company-mention
accuracy (the exact business name, on texts that name one; and no name on
texts that name none), abstain and triage rates. Then the mention test set
(``corpus/test/mentions.jsonl``), speed (texts per CPU-second on one core:
both test splits mixed, then each alone), start-up (import and first route
in a fresh interpreter) and the model size.
``--errors`` lists mistakes on the tuning split only: reading a test split's
errors would turn it into a tuning split.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.corpus import Labelled, read_jsonl, subsample, test_rows, training_rows  # noqa: E402
from nlp.registry import TRIAGE  # noqa: E402

SPLITS = ("citizens", "authors", "tune")
MENTIONS = ROOT / "corpus" / "test" / "mentions.jsonl"
MODEL_FILES = (ROOT / "nlp/data/router_model.npz", ROOT / "nlp/data/mention_model.json")


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Unweighted mean F1 over every label seen in gold or prediction."""
    f1s = []
    for label in sorted(set(gold) | set(pred)):
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s)


def build(name: str) -> Any:
    """A router by name: ``learned`` (the service's) or ``rules`` (the keyword rules)."""
    if name == "rules":
        from nlp.rules_router import RulesRouter

        return RulesRouter()
    from nlp.router import Router

    return Router()


def split_rows(split: str) -> list[Labelled]:
    """The rows of a test split or of the tuning split."""
    return training_rows()[1] if split == "tune" else test_rows(split)


def evaluate(router: Any, rows: Sequence[Labelled]) -> dict[str, Any]:
    """Route every row once and compute the figures."""
    results = [router.route(r.text) for r in rows]
    gold = [r.department for r in rows]
    pred = [res.department for res in results]
    best = [max(res.scores, key=res.scores.get) if res.scores else TRIAGE for res in results]
    named = [(r, res) for r, res in zip(rows, results, strict=True) if r.company]
    unnamed = [(r, res) for r, res in zip(rows, results, strict=True) if not r.company]
    return {
        "n": len(rows),
        "department": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows),
        "macro_f1": macro_f1(gold, pred),
        "kind": sum(r.kind == res.kind for r, res in zip(rows, results, strict=True)) / len(rows),
        "company": sum(res.company == r.company for r, res in named) / max(len(named), 1),
        "named": len(named),
        "no_company": sum(res.company is None for _r, res in unnamed) / max(len(unnamed), 1),
        "abstain": sum(p == TRIAGE != b for p, b in zip(pred, best, strict=True)) / len(rows),
        "triage": pred.count(TRIAGE) / len(rows),
        "confusion": Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p),
        "results": results,
    }


def throughput(router: Any, rows: Sequence[Labelled], seconds: float = 3.0) -> float:
    """Texts per second of CPU time: what one core delivers."""
    texts = [r.text for r in rows]
    done, cpu0 = 0, time.process_time()
    while time.process_time() - cpu0 < seconds:
        for text in texts:
            router.route(text)
        done += len(texts)
    return done / (time.process_time() - cpu0)


def startup(name: str, repeats: int = 3) -> dict[str, float]:
    """Wall seconds for a fresh interpreter to import the router and route one text."""
    module, cls = (
        ("nlp.rules_router", "RulesRouter") if name == "rules" else ("nlp.router", "Router")
    )
    code = (
        "import time; w = time.perf_counter()\n"
        f"from {module} import {cls}; {cls}().route('电梯坏了')\n"
        "print(time.perf_counter() - w)"
    )

    def run(env: dict[str, str]) -> float:
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if out.returncode:
            raise SystemExit(out.stderr)
        return float(out.stdout.split()[-1])

    colds, warms = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "ZHIXIN_CACHE_DIR": cache}
            colds.append(run(env))
            warms.append(run(env))
    return {"cold": min(colds), "warm": min(warms)}


def mention_figures(name: str) -> dict[str, float] | None:
    """Company-mention accuracy of a router's finder on ``corpus/test/mentions.jsonl``."""
    if not MENTIONS.exists():
        return None
    rows = [(r.text, r.company) for r in read_jsonl(MENTIONS)]
    if name == "rules":
        from nlp.company import CompanyFinder

        finder: Any = CompanyFinder()
    else:
        from nlp.mentions import MentionFinder

        finder = MentionFinder()
    named = [(t, c) for t, c in rows if c]
    hits = sum((m := finder.find(t)) is not None and m.text == c for t, c in named)
    clean = sum(finder.find(t) is None for t, c in rows if not c)
    return {
        "n": len(rows),
        "named": hits / max(len(named), 1),
        "unnamed": clean / max(len(rows) - len(named), 1),
    }


def print_table(title: str, columns: dict[str, dict[str, Any]]) -> None:
    """One table: a row per figure, a column per router."""
    names = list(columns)
    print(f"\n{title}")
    print(f"{'':28}" + "".join(f"{n:>12}" for n in names))
    for key, label, fmt in (
        ("n", "texts", "{:.0f}"),
        ("department", "department accuracy", "{:.3f}"),
        ("macro_f1", "macro-F1", "{:.3f}"),
        ("kind", "kind accuracy", "{:.3f}"),
        ("company", "company found (named)", "{:.3f}"),
        ("no_company", "no company (unnamed)", "{:.3f}"),
        ("abstain", "abstain rate", "{:.3f}"),
        ("triage", "triage rate", "{:.3f}"),
    ):
        print(f"{label:28}" + "".join(f"{fmt.format(columns[n][key]):>12}" for n in names))


def learning_curve(say: Callable[[str], None] = print) -> None:
    """Department and kind accuracy on both test splits at 25/50/100% of the training part."""
    from nlp.router import Router
    from nlp.training import train as fit
    from nlp.training import train_mentions

    train_rows, tune_rows = training_rows()
    tests = {s: test_rows(s) for s in ("citizens", "authors")}
    print("\nlearning curve (retrained; tuning split unchanged)")
    print(
        f"{'share':>6}{'texts':>7}" + "".join(f"{s + ' dept':>15}{s + ' kind':>15}" for s in tests)
    )
    from nlp.mentions import MentionFinder

    for share in (0.25, 0.5, 1.0):
        part = subsample(train_rows, share)
        m = train_mentions(part, tune_rows)
        finder = MentionFinder(m.weights, m.threshold)
        report = fit(part, tune_rows, mentions=finder)
        router = Router(model=report.model)
        router._reader.companies = finder  # the finder trained on the same share
        cells = ""
        for rows in tests.values():
            fig = evaluate(router, rows)
            cells += f"{fig['department']:>15.3f}{fig['kind']:>15.3f}"
        print(f"{share:>6.0%}{len(part):>7}" + cells)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--router", choices=("learned", "rules", "both"), default="both")
    parser.add_argument("--split", choices=(*SPLITS, "tests"), default="tests")
    parser.add_argument("--errors", action="store_true", help="list mistakes (tune split only)")
    parser.add_argument("--learning-curve", action="store_true")
    parser.add_argument("--no-speed", action="store_true", help="skip speed and start-up")
    args = parser.parse_args(argv)
    if args.errors and args.split != "tune":
        parser.error("--errors reads mistakes on the tuning split only (--split tune)")
    names = ["learned", "rules"] if args.router == "both" else [args.router]
    routers = {n: build(n) for n in names}
    splits = ["citizens", "authors"] if args.split == "tests" else [args.split]
    for split in splits:
        rows = split_rows(split)
        figures = {n: evaluate(r, rows) for n, r in routers.items()}
        print_table(f"split {split!r}", figures)
        for n, fig in figures.items():
            top = ", ".join(f"{g}→{p} {k}" for (g, p), k in fig["confusion"].most_common(6))
            print(f"  {n} most confused: {top}")
        if args.errors:
            for n, fig in figures.items():
                for r, res in zip(rows, fig["results"], strict=True):
                    if r.department != res.department or r.kind != res.kind:
                        print(
                            f"  [{n}] {r.department}/{r.kind} → {res.department}/{res.kind}: "
                            f"{r.text[:90]}"
                        )
    for n in names:
        m = mention_figures(n)
        if m:
            print(
                f"\nmentions set ({m['n']:.0f} texts), {n}: business found "
                f"{m['named']:.3f}, no business where none is named {m['unnamed']:.3f}"
            )
    if not args.no_speed:
        citizens, authors = split_rows("citizens"), split_rows("authors")
        for n, r in routers.items():
            start = startup(n)
            print(
                f"\nspeed, {n}: {throughput(r, citizens + authors):,.0f} texts per CPU-second "
                f"on both test splits mixed ({throughput(r, citizens):,.0f} on the separately "
                f"written split, {throughput(r, authors):,.0f} on the first corpus's short "
                f"texts); start-up (import + first route) {start['warm']:.2f} s warm, "
                f"{start['cold']:.2f} s cold"
            )
        size = sum(p.stat().st_size for p in MODEL_FILES if p.exists())
        print(f"model files: {size / 1e6:.1f} MB")
    if args.learning_curve:
        learning_curve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
