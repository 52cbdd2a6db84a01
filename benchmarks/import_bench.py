"""Time ``zhixin import grades`` on 100,000 rows (the target is under a minute on SQLite).

    .venv/bin/python benchmarks/import_bench.py [--rows 100000] [--database-url URL]

Generates a grades CSV from the synthetic enterprise registry (five years of
grades per enterprise, names included so the enterprises are registered by the
same import), imports it into a fresh SQLite database, then imports it again
(every row unchanged) and once more with every grade changed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from disclosure.grades import GRADES
from disclosure.importer import import_file
from disclosure.namegen import generate_enterprises
from infra.db import make_engine, make_sessionmaker
from infra.migrate import ensure_schema

YEARS = (2021, 2022, 2023, 2024, 2025)


def write_grades(path: Path, rows: int, grade_seed: int) -> None:
    rng = random.Random(grade_seed)
    n_enterprises = -(-rows // len(YEARS))
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "统一社会信用代码",
                "企业名称",
                "信用等级",
                "评定年度",
                "有效期起",
                "有效期止",
                "评定机关",
            ]
        )
        for record in generate_enterprises(n_enterprises, seed=2012):
            for year in YEARS:
                if written == rows:
                    return
                out.writerow(
                    [
                        record.uscc,
                        record.name,
                        rng.choice(GRADES),
                        year,
                        f"{year}-04-01",
                        f"{year + 1}年3月31日",
                        f"{record.region}市场监督管理局",
                    ]
                )
                written += 1


async def timed_import(url: str, path: Path) -> tuple[float, str]:
    engine = make_engine(url)
    try:
        await ensure_schema(engine)
        sessions = make_sessionmaker(engine)
        start = time.perf_counter()
        report = await import_file(sessions, "grades", path)
        elapsed = time.perf_counter() - start
    finally:
        await engine.dispose()
    if report.errors:
        raise SystemExit("\n".join(report.problem_lines()[:20]))
    return elapsed, report.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        grades = folder / "grades.csv"
        start = time.perf_counter()
        write_grades(grades, args.rows, grade_seed=1)
        print(
            f"generated {args.rows} rows in {time.perf_counter() - start:.1f} s "
            f"({grades.stat().st_size / 1e6:.1f} MB)"
        )
        for label, seed in (
            ("first import", None),
            ("same file again", None),
            ("every grade changed", 7),
        ):
            if seed is not None:
                write_grades(grades, args.rows, grade_seed=seed)
            elapsed, summary = asyncio.run(timed_import(url, grades))
            verdict = "ok" if elapsed < 60 else "SLOWER THAN A MINUTE"
            print(f"{label}: {elapsed:.1f} s ({verdict}) — {summary}")


if __name__ == "__main__":
    main()
