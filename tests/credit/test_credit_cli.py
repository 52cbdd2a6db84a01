"""``zhixin grade propose`` and ``zhixin report assessment`` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from credit.commands import cli_propose
from tests.support.credit_data import seed_world
from tests.zhixin.test_cli import run


async def test_grade_propose_prints_the_count_by_grade(settings, services, capsys) -> None:
    await seed_world(services)
    assert await cli_propose(settings, 2025) == 0
    out = capsys.readouterr().out
    assert (
        out.strip() == "2025: 2 grade proposals awaiting decision (AAA 0, AA 1, A 0, B 0, C 1, D 0)"
    )
    assert await cli_propose(settings, 1850) == 1
    assert "--year 1850" in capsys.readouterr().err


def test_the_commands_exist_with_help_and_usage_errors(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    done = run(["grade", "propose", "--year", "2025"], url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2025: 0 grade proposals awaiting decision" in done.stdout
    assert run(["grade", "propose"], url, cwd=tmp_path).returncode == 2
    report = run(["report", "assessment", "--year", "2025", "--format", "json"], url, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert '"cities"' in report.stdout and '"method"' in report.stdout
    bad = run(["report", "assessment", "--year", "2025", "--format", "pdf"], url, cwd=tmp_path)
    assert bad.returncode == 2
    xlsx = run(["report", "assessment", "--year", "2025", "--format", "xlsx"], url, cwd=tmp_path)
    assert xlsx.returncode == 1 and "--out" in xlsx.stderr
