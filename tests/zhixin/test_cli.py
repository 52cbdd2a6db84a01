"""The ``zhixin`` command line: help, exit codes, accounts, lookup and route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.migrate import head_revision
from tests.conftest import SECRET

SUBCOMMANDS = [
    ["serve"],
    ["bot"],
    ["db", "upgrade"],
    ["demo"],
    ["import"],
    ["lookup"],
    ["route"],
    ["staff", "add"],
    ["apikey", "add"],
    ["report", "campaign"],
    ["campaign", "add"],
    ["campaign", "list"],
]


def run(args: list[str], db_url: str | None = None, stdin: str = "", cwd: Path | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIXIN_")}
    env["ZHIXIN_SECRET_KEY"] = SECRET
    env["ZHIXIN_CACHE_DIR"] = os.environ.get("ZHIXIN_CACHE_DIR", "")
    if db_url:
        env["ZHIXIN_DATABASE_URL"] = db_url
    return subprocess.run(
        [sys.executable, "-m", "zhixin", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize("args", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(args: list[str]) -> None:
    result = run([*args, "--help"])
    assert result.returncode == 0, result.stderr
    assert "usage: zhixin" in result.stdout


def test_usage_errors_exit_2() -> None:
    assert run([]).returncode == 2
    assert run(["import", "nonsense", "x.csv"]).returncode == 2
    assert run(["report", "campaign", "315"]).returncode == 2  # --year is required


def test_malformed_setting_exits_1_naming_the_variable(tmp_path: Path) -> None:
    env_url = "mysql://nope"
    result = run(["db", "upgrade"], db_url=env_url, cwd=tmp_path)
    assert result.returncode == 1
    assert "ZHIXIN_DATABASE_URL" in result.stderr


@pytest.mark.parametrize("args", [["serve", "--port", "1"], ["db", "upgrade"], ["demo"]])
def test_missing_database_directory_is_one_line_naming_setting_and_path(
    tmp_path: Path, args: list[str]
) -> None:
    path = tmp_path / "gone" / "zhixin.db"
    result = run(args, db_url=f"sqlite+aiosqlite:///{path}", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("zhixin:")]
    assert len(lines) == 1, result.stderr
    assert "ZHIXIN_DATABASE_URL" in lines[0] and str(path.parent) in lines[0]
    assert not path.parent.exists()


def test_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    result = run(["db", "upgrade"], db_url="postgresql://zx:hunter2pw@127.0.0.1:9/x", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "hunter2pw" not in result.stderr
    assert "setting ZHIXIN_DATABASE_URL: cannot use" in result.stderr


def test_db_upgrade_staff_and_apikey(db_url: str, tmp_path: Path) -> None:
    result = run(["db", "upgrade"], db_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"revision {head_revision()}" in result.stdout

    bad = run(["staff", "add", "--department", "nosuch", "--name", "王"], db_url, cwd=tmp_path)
    assert bad.returncode == 1
    assert "nosuch" in bad.stderr and "zhijian" in bad.stderr

    ok = run(["staff", "add", "--department", "zhijian", "--name", "王芳"], db_url, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    token = ok.stdout.strip().splitlines()[-1]
    assert token.startswith("zxs_") and len(token) > 30

    key = run(["apikey", "add", "--name", "12315 app"], db_url, cwd=tmp_path)
    assert key.returncode == 0, key.stderr
    assert key.stdout.strip().splitlines()[-1].startswith("zxk_")


def test_import_of_a_missing_file_exits_1(tmp_path: Path) -> None:
    result = run(["import", "grades", str(tmp_path / "none.csv")], cwd=tmp_path)
    assert result.returncode == 1
    assert "none.csv" in result.stderr


def test_route_reads_json_lines_and_keeps_order(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'z.db'}"
    lines = [
        json.dumps({"id": 1, "text": "小区电梯困人了，物业不管"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": 3, "text": "超市卖过期牛奶"}, ensure_ascii=False),
        json.dumps({"id": 4}),
    ]
    result = run(["route"], url, stdin="\n".join(lines) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(out) == 4
    assert out[0]["id"] == 1 and out[0]["department"] == "zhijian"
    assert "error" in out[1]
    assert out[2]["id"] == 3 and out[2]["department"] == "shiyaojian"
    assert out[3]["id"] == 4 and "error" in out[3]
    for item in (out[0], out[2]):
        assert set(item) >= {
            "id",
            "department",
            "kind",
            "company",
            "enterprise",
            "confidence",
            "reasons",
        }
        assert 0 <= item["confidence"] <= 1


def test_lookup_prints_ranked_matches(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'z.db'}"
    csv = tmp_path / "e.csv"
    csv.write_text("统一社会信用代码,企业名称\n914403001922038216,苏州澄瑞电子科技有限公司\n")
    assert run(["db", "upgrade"], url, cwd=tmp_path).returncode == 0
    imported = run(["import", "enterprises", str(csv)], url, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    result = run(["lookup", "澄瑞电子", "--json"], url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert items[0]["uscc"] == "914403001922038216"
    assert run(["lookup", "澄瑞", "--limit", "0"], url, cwd=tmp_path).returncode == 1
