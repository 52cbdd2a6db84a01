"""``zhixin import``: encodings and XLSX, headers in both languages, all rows or none, a
report naming row and column for every problem, dry runs, idempotent upserts, linking
recalls to producers, and a running server seeing the import at once."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disclosure.columns import BadValue, date_value, level, quantity, url
from disclosure.importer import cli_import, import_file
from disclosure.models import CreditGrade, DataChange, Enterprise, RecallNotice
from disclosure.tabular import UnreadableFile, read_csv_bytes, read_table
from infra.db import make_engine, make_sessionmaker
from infra.migrate import ensure_schema
from infra.settings import Settings
from nlp.uscc import make_code
from tests.support.disclosure_data import write_csv, write_xlsx

A = make_code("91", "320506", "MA1AAA01")
B = make_code("91", "320211", "MA1BBB02")
C = make_code("91", "320102", "MA1CCC03")
ENTERPRISE_ROWS = [
    ["统一社会信用代码", "企业名称", "所在地区", "行业", "简称", "登记状态"],
    [A, "苏州甲电子科技有限公司", "苏州市", "电子", "甲电子；甲科技", "存续"],
    [B, " 无锡乙机械有限公司 ", "无锡市", "机械", "", "存续"],
]


def _fullwidth(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


# --- reading files (no database) ------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_ROWS, encoding)
    table = read_table(path)
    assert table.headers[:2] == ["统一社会信用代码", "企业名称"]
    assert table.rows[0] == (2, ENTERPRISE_ROWS[1])
    assert table.rows[1][1][1] == "无锡乙机械有限公司"  # trimmed
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030"}
    assert table.encoding == expected.get(encoding, "utf-16")


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    rows = [
        ["uscc", "grade", "year", "valid_from"],
        [A, "AA", 2025, date(2025, 4, 1)],
        [None, None, None, None],
        [B, "B", 2024.0, "2024年4月1日"],
    ]
    table = read_table(write_xlsx(tmp_path / "g.xlsx", rows))
    assert table.encoding == "xlsx"
    assert table.rows == [
        (2, [A, "AA", "2025", "2025-04-01"]),
        (4, [B, "B", "2024", "2024年4月1日"]),
    ]


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="neither UTF-8 nor GB18030"):
        read_csv_bytes(b"uscc,name\n\x81\x20\xff\xfe\n")
    with pytest.raises(UnreadableFile, match="empty"):
        read_csv_bytes(b"\n\n")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(UnreadableFile, match="xlsx"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFile, match="XLSX"):
        read_table(tmp_path / "broken.xlsx")


def test_value_parsers() -> None:
    assert date_value("2026-03-15") == date(2026, 3, 15)
    assert date_value("2026年3月5日") == date(2026, 3, 5)
    assert date_value("２０２６－０３－１５") == date(2026, 3, 15)
    for bad in ("2026-02-30", "15/03/2026", "下周一"):
        with pytest.raises(BadValue):
            date_value(bad)
    assert level("一级") == "I" and level("Ⅲ") == "III" and level("2") == "II"
    assert quantity("1,200件") == 1200
    with pytest.raises(BadValue):
        quantity("很多")
    assert url("https://www.samr.gov.cn/x") == "https://www.samr.gov.cn/x"
    for bad in ("javascript:alert(1)", "www.example.org", "http://a b"):
        with pytest.raises(BadValue):
            url(bad)


# --- importing into the database (both backends) ---------------------------------------


@pytest.fixture
async def sessions(db_url: str):
    engine = make_engine(db_url)
    await ensure_schema(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _count(sessions, model) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_three_files_in_three_formats(sessions, tmp_path: Path) -> None:
    enterprises = write_csv(tmp_path / "enterprises.csv", ENTERPRISE_ROWS, "gb18030")
    report = await import_file(sessions, "enterprises", enterprises)
    assert not report.errors, report.problem_lines()
    assert (report.added, report.stored, report.encoding) == (2, True, "gb18030")

    grades = write_xlsx(
        tmp_path / "grades.xlsx",
        [
            ["uscc", "name", "grade", "year", "valid_from", "valid_until", "authority"],
            [_fullwidth(A), "", "ａａ级", 2025, date(2025, 4, 1), "2026年3月31日", "苏州市局"],
            [C, "南京丙食品有限公司", "B", "2025年", "", "", ""],
        ],
    )
    report = await import_file(sessions, "grades", grades)
    assert not report.errors, report.problem_lines()
    assert (report.added, report.registered) == (2, 1)

    head = ["召回编号", "标题", "产品名称", "类别", "召回级别", "生产者", "缺陷原因"]
    head += ["召回措施", "开始日期", "发布日期", "状态", "数量", "来源"]
    r1 = ["R-1", "关于召回甲牌充电器的公告", "充电器", "消费品", "", "苏州甲电子科技有限公司"]
    r1 += ["过充", "更换", "2026-01-05", "2026年1月6日", "进行中", "1,200", "https://e.org/1"]
    r2 = ["R-2", "关于召回乙牌米粉的公告", "米粉", "food", "一级", "某某（香港）贸易有限公司"]
    r2 += ["细菌", "退款", "2026-02-01", "2026-02-02", "completed", "", ""]
    recalls = write_csv(tmp_path / "recalls.csv", [head, r1, r2], "utf-8-sig")
    report = await import_file(sessions, "recalls", recalls)
    assert not report.errors, report.problem_lines()
    assert (report.added, report.linked) == (2, 1)

    async with sessions() as s:
        a = await s.get(Enterprise, A)
        assert a.aliases == ["甲电子", "甲科技"] and a.region == "苏州市"
        assert (await s.get(Enterprise, B)).name == "无锡乙机械有限公司"
        assert (await s.get(Enterprise, C)).name == "南京丙食品有限公司"
        grade = await s.scalar(select(CreditGrade).where(CreditGrade.uscc == A))
        assert (grade.grade, grade.year, grade.valid_until) == ("AA", 2025, date(2026, 3, 31))
        assert grade.source == "grades.xlsx"
        r1 = await s.scalar(select(RecallNotice).where(RecallNotice.recall_no == "R-1"))
        assert (r1.category, r1.producer_uscc, r1.quantity, r1.status) == (
            "consumer",
            A,
            1200,
            "ongoing",
        )
        r2 = await s.scalar(select(RecallNotice).where(RecallNotice.recall_no == "R-2"))
        assert (r2.level, r2.producer_uscc, r2.status) == ("I", None, "completed")
        topics = set(await s.scalars(select(DataChange.topic)))
        assert topics == {"enterprises", "grades", "recalls"}


async def test_a_bad_file_stores_nothing_and_names_every_problem(
    sessions, db_url: str, tmp_path: Path, capsys
) -> None:
    unregistered = make_code("91", "320583", "MA1UNR09")
    rows = [
        ["统一社会信用代码", "企业名称", "信用等级", "评定年度", "有效期起", "有效期止"],
        [A, "苏州甲电子科技有限公司", "AA", "2025", "2025-04-01", "2026-03-31"],  # 2: fine
        ["91320506MA1AAA0", "", "A", "2025", "", ""],  # 3: malformed code
        [B, "无锡乙机械有限公司", "E", "2025", "", ""],  # 4: unknown grade
        [C, "南京丙", "B", "2025", "2025-13-01", ""],  # 5: date does not parse
        [A, "", "", "2024", "", ""],  # 6: required grade empty
        [unregistered, "", "A", "2025", "", ""],  # 7: not registered, no name
        [A, "", "A", "2025", "", ""],  # 8: same enterprise and year as row 2
        [B, "无锡乙机械有限公司", "A", "2024", "2025-01-01", "2024-01-01"],  # 9: ends first
    ]
    path = write_csv(tmp_path / "grades.csv", rows)
    report = await import_file(sessions, "grades", path)
    found = {(p.row, p.column) for p in report.errors}
    assert found == {
        (3, "统一社会信用代码"),
        (4, "信用等级"),
        (5, "有效期起"),
        (6, "信用等级"),
        (7, "统一社会信用代码"),
        (8, "评定年度"),
        (9, "有效期止"),
    }
    messages = {p.row: p.message for p in report.errors}
    assert "must be 18 characters" in messages[3]
    assert "'E'" in messages[4] and "AAA" in messages[4]
    assert "2025-13-01" in messages[5]
    assert "empty" in messages[6]
    assert "not registered" in messages[7] and "企业名称/name" in messages[7]
    assert "row 2" in messages[8]
    assert not report.stored
    assert await _count(sessions, CreditGrade) == 0
    assert await _count(sessions, Enterprise) == 0
    assert await _count(sessions, DataChange) == 0

    status = await cli_import(Settings(database_url=db_url), "grades", path, dry_run=False)
    err = capsys.readouterr().err
    assert status == 1
    assert "grades.csv: row 4, column 信用等级: error: unknown grade 'E'" in err
    assert "nothing was stored" in err
    assert await _count(sessions, CreditGrade) == 0


async def test_header_problems_are_reported_on_row_one(sessions, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [["uscc", "公司名", "region", "Region"], [A, "甲", "苏州", "苏州"]],
    )
    report = await import_file(sessions, "enterprises", path)
    lines = report.problem_lines()
    assert all(p.row == 1 for p in report.errors)
    assert any("unknown column '公司名'" in line for line in lines)
    assert any("appears twice" in line for line in lines)
    assert any("missing required column 企业名称/name" in line for line in lines)
    assert await _count(sessions, Enterprise) == 0


async def test_dry_run_checks_and_counts_but_stores_nothing(sessions, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_ROWS)
    report = await import_file(sessions, "enterprises", path, dry_run=True)
    assert (report.errors, report.added, report.stored) == ([], 2, False)
    assert "dry run" in report.summary()
    assert await _count(sessions, Enterprise) == 0


async def test_reimport_is_idempotent_and_updates_what_changed(sessions, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_ROWS)
    first = await import_file(sessions, "enterprises", path)
    again = await import_file(sessions, "enterprises", path)
    assert (first.added, again.added, again.updated, again.unchanged) == (2, 0, 0, 2)
    changed = [row[:] for row in ENTERPRISE_ROWS]
    changed[2][1] = "无锡乙机械集团有限公司"
    changed[2][4] = "乙机械"
    report = await import_file(sessions, "enterprises", write_csv(path, changed))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    # a file without the optional columns leaves them as they are
    minimal = [["uscc", "name"], [A, "苏州甲电子科技有限公司"]]
    report = await import_file(sessions, "enterprises", write_csv(path, minimal))
    assert report.unchanged == 1
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Enterprise)) == 2
        b = await s.get(Enterprise, B)
        assert (b.name, b.aliases) == ("无锡乙机械集团有限公司", ["乙机械"])
        assert (await s.get(Enterprise, A)).aliases == ["甲电子", "甲科技"]

    grades = [["uscc", "grade", "year"], [A, "A", "2024"], [A, "AA", "2025"]]
    await import_file(sessions, "grades", write_csv(tmp_path / "g.csv", grades))
    grades[2][1] = "AAA"
    report = await import_file(sessions, "grades", write_csv(tmp_path / "g.csv", grades))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    async with sessions() as s:
        rows = (await s.execute(select(CreditGrade.year, CreditGrade.grade))).all()
        assert sorted(rows) == [(2024, "A"), (2025, "AAA")]


async def test_bad_check_character_is_a_warning_only(sessions, tmp_path: Path) -> None:
    wrong = A[:-1] + ("0" if A[-1] != "0" else "1")
    path = write_csv(tmp_path / "e.csv", [["uscc", "name"], [wrong, "早期试点企业"]])
    report = await import_file(sessions, "enterprises", path)
    assert report.errors == [] and report.stored
    assert [(p.row, p.column) for p in report.warnings] == [(2, "uscc")]
    assert "check character" in report.warnings[0].message


async def test_recalls_link_by_code_then_exact_or_normalised_name(sessions, tmp_path: Path) -> None:
    twin = make_code("91", "320100", "MA1TWN05")
    other_twin = make_code("91", "320200", "MA1TWN06")
    enterprises = [
        ["uscc", "name"],
        [A, "苏州甲电子科技有限公司"],
        [B, "乙（无锡）机械有限公司"],
        [twin, "同名贸易有限公司"],
        [other_twin, "同名贸易有限公司"],
    ]
    await import_file(sessions, "enterprises", write_csv(tmp_path / "e.csv", enterprises))
    head = ["recall_no", "title", "product", "category", "producer_uscc", "producer"]
    head += ["reason", "remedy", "start_date", "published"]
    tail = ["缺陷", "召回", "2026-01-01", "2026-01-02"]
    unknown = make_code("91", "320300", "MA1UNK07")
    rows = [
        head,
        ["R1", "t", "p", "food", A, "别的名字", *tail],  # by code
        ["R2", "t", "p", "food", "", "苏州甲电子科技有限公司", *tail],  # exact name
        ["R3", "t", "p", "food", "", "乙(无锡)机械有限公司 ", *tail],  # half-width brackets
        ["R4", "t", "p", "food", "", "同名贸易有限公司", *tail],  # ambiguous
        ["R5", "t", "p", "food", unknown, "无此企业", *tail],  # unknown code, no name
    ]
    report = await import_file(sessions, "recalls", write_csv(tmp_path / "r.csv", rows))
    assert report.errors == [] and report.linked == 3
    warned = {p.row: p.message for p in report.warnings}
    assert set(warned) == {5, 6}
    assert "matches 2 enterprises" in warned[5]
    assert "not registered" in warned[6]
    async with sessions() as s:
        rows = await s.execute(select(RecallNotice.recall_no, RecallNotice.producer_uscc))
        links = {number: code for number, code in rows}
    assert links == {"R1": A, "R2": A, "R3": B, "R4": None, "R5": None}


async def test_cli_import_is_seen_by_a_running_server(aiohttp_client, settings, tmp_path) -> None:
    from complaints.runtime import Services
    from zhixin.app import create_app

    services = await Services.start(settings)  # watches for changes, as `zhixin serve` does
    try:
        client = await aiohttp_client(create_app(settings, services))
        resp = await client.get("/api/v1/enterprises", params={"q": "甲电子科技"})
        assert (await resp.json())["items"] == []
        path = write_csv(tmp_path / "e.csv", ENTERPRISE_ROWS)
        grades = write_csv(tmp_path / "g.csv", [["uscc", "grade", "year"], [A, "AAA", "2025"]])
        assert await cli_import(settings, "enterprises", path, dry_run=False) == 0
        assert await cli_import(settings, "grades", grades, dry_run=False) == 0
        imported = time.monotonic()
        items: list[dict] = []
        while time.monotonic() - imported < 5:
            resp = await client.get("/api/v1/enterprises", params={"q": "甲电子科技"})
            items = (await resp.json())["items"]
            if items and items[0]["grade"]:
                break
            await asyncio.sleep(0.1)
        seen_after = time.monotonic() - imported
        assert items and items[0]["uscc"] == A and items[0]["grade"] == "AAA"
        assert seen_after < 2.5, f"the server saw the import only after {seen_after:.1f} s"
    finally:
        await services.close()


def test_cli_command_exit_codes(tmp_path: Path, monkeypatch, capsys) -> None:
    from zhixin.cli import main

    monkeypatch.setenv("ZHIXIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    good = write_csv(tmp_path / "e.csv", ENTERPRISE_ROWS)
    assert main(["import", "enterprises", str(good), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert main(["import", "enterprises", str(good)]) == 0
    assert "2 added" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", [["uscc", "name"], ["123", "x"]])
    assert main(["import", "enterprises", str(bad)]) == 1
    assert "bad.csv: row 2, column uscc: error: bad unified social credit code" in (
        capsys.readouterr().err
    )
    assert main(["import", "grades", str(tmp_path / "missing.csv")]) == 1


def test_headers_match_in_either_language_any_case_or_spacing() -> None:
    from disclosure.columns import columns_by_header, header_key

    known = columns_by_header("grades")
    for header, field in (
        ("统一社会信用代码", "uscc"),
        ("USCC", "uscc"),
        ("统一社会信用代码/uscc", "uscc"),
        ("＊信用等级", "grade"),
        ("Valid From", "valid_from"),
        ("valid-until", "valid_until"),
        (" 评定年度 ", "year"),
    ):
        assert known[header_key(header)].field == field, header
    assert header_key("公司名") not in known
