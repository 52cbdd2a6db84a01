"""What an operator sees from the command line: `serve` says where it listens and logs a
line a request, no command repeats Alembic's start-up chatter, and the missing holiday
calendar of a coming year is explained once."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from complaints import deadlines
from tests.conftest import SECRET
from tests.zhixin.test_cli import run
from zhixin.demo.progress import Progress


def test_serve_prints_its_url_and_logs_each_request(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIXIN_")}
    env.update(
        ZHIXIN_SECRET_KEY=SECRET,
        ZHIXIN_CACHE_DIR=os.environ.get("ZHIXIN_CACHE_DIR", ""),
        ZHIXIN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhixin", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the server is up (or has died)
        assert line.startswith("zhixin: serving on http://127.0.0.1:"), line
        url = line.split()[3]
        with urllib.request.urlopen(url + "healthz?secret=x", timeout=30) as resp:
            assert resp.status == 200
        with urllib.request.urlopen(url + "recalls?lang=en", timeout=30) as resp:
            assert resp.status == 200
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    access = [x for x in err.splitlines() if " zhixin.access: " in x]
    assert len(access) == 2, err
    assert " INFO zhixin.access: 127.0.0.1 GET /healthz 200 " in access[0]
    assert "secret=x" not in err  # the query string is not logged
    assert " GET /recalls 200 " in access[1]
    assert "alembic" not in err.lower(), err


def test_no_command_prints_alembic_info_lines(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'quiet.db'}"
    for args in (["db", "upgrade"], ["staff", "add", "--department", "zhijian", "--name", "王"]):
        result = run(args, url, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "alembic" not in result.stderr.lower(), result.stderr
        assert "setup plugin" not in result.stderr


def test_missing_holiday_calendar_is_explained_once(caplog, monkeypatch) -> None:
    monkeypatch.setattr(deadlines, "_warned", set())
    caplog.set_level(logging.WARNING, logger="complaints.deadlines")
    start = date(2026, 12, 20)
    deadlines.add_working_days(start, 200)  # through 2027 into 2028
    deadlines.is_working_day(date(2028, 3, 1))
    warnings = [r.getMessage() for r in caplog.records if r.name == "complaints.deadlines"]
    assert len(warnings) == 1, warnings
    message = warnings[0]
    assert "2027" in message and "pip install -U chinese-calendar" in message
    assert "Monday to Friday" in message and "restart" in message


@pytest.mark.timeout(1900)
def test_demo_shows_a_line_per_stage_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    first = run(["demo"], url, cwd=tmp_path, timeout=900)  # a shared machine may be slow
    assert first.returncode == 0, first.stderr
    stages = [x for x in first.stderr.splitlines() if x.startswith("demo: ")]
    assert [x.split(":")[1].strip() for x in stages] == [
        "enterprises",
        "grades",
        "recalls",
        "cases",
        "objections and grade proposals",
    ]
    assert stages[0].startswith("demo: enterprises: 2400 added (")
    assert stages[3].startswith("demo: cases: 1200 added (")
    assert "\r" not in first.stderr  # no bar redrawn in place when it is not a terminal
    assert "alembic" not in first.stderr.lower()
    assert first.stderr.count("has no official holidays for 2027") == 1  # said once
    assert "2400 enterprises, " in first.stdout and "1200 cases added" in first.stdout
    again = run(["demo"], url, cwd=tmp_path, timeout=900)
    assert again.returncode == 0, again.stderr
    assert "demo: 0 enterprises, 0 grades, 0 recalls, 0 cases added" in again.stdout


def test_demo_progress_is_a_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = Progress(screen, width=10)
    progress.start("cases", 4)
    progress.step(2)
    progress.step(2)
    progress.done("4 added")
    text = screen.getvalue()
    assert "\rdemo: cases [----------] 0/4" in text.replace("\x1b[2K", "")
    assert "demo: cases [##########] 4/4" in text
    assert text.endswith("demo: cases: 4 added (0.0 s)\n")


ROOT = Path(__file__).resolve().parent.parent.parent


def _fonts_step(tmp_path: Path, fonts: str) -> subprocess.CompletedProcess[str]:
    """The font step of `make run` with a stand-in fc-list and a user who is not root."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in (("fc-list", f"printf '{fonts}'"), ("id", "echo 1000")):
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(ROOT / "tests" / "system-deps.sh"), "fonts"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_make_run_sees_to_the_cjk_font(tmp_path: Path) -> None:
    plan = subprocess.run(
        ["make", "-n", "run"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "system-deps.sh fonts" in plan.stdout
    missing = _fonts_step(tmp_path, "")
    assert missing.returncode == 0
    assert "sudo apt-get install fonts-noto-cjk" in missing.stderr
    present = _fonts_step(tmp_path, "/usr/share/fonts/NotoSansCJK-Regular.ttc: Noto Sans CJK SC\\n")
    assert present.returncode == 0 and present.stderr == ""
