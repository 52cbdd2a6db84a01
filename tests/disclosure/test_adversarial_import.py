"""Hostile import files: zip bombs and huge cells in XLSX, CSV quotes that swallow rows,
control characters that would break the Atom feed. Each is refused (or cleaned, with a
warning) quickly, with a message that names the limit or the row and column."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from disclosure import tabular
from disclosure.importer import import_file
from disclosure.models import Enterprise, RecallNotice
from infra.db import make_engine, make_sessionmaker
from infra.migrate import ensure_schema
from nlp.uscc import make_code
from tests.support.disclosure_data import seed, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
A = make_code("91", "320506", "MA1AAA01")
B = make_code("91", "320211", "MA1BBB02")
HEAD = ["统一社会信用代码", "企业名称"]
NS = {"a": "http://www.w3.org/2005/Atom"}


def _replace_sheet(path: Path, chunks) -> Path:
    """Rewrite ``path`` (a workbook) with its first sheet's XML taken from ``chunks``."""
    with zipfile.ZipFile(path) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for name, data in members.items():
            if name != sheet:
                new.writestr(name, data)
        with new.open(sheet, "w") as out:
            for chunk in chunks:
                out.write(chunk)
    return path


def _sheet_xml(rows):
    yield (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    yield from rows
    yield b"</sheetData></worksheet>"


def _inline_row(*values: str) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f"<row>{cells}</row>".encode()


def _limit_memory() -> None:
    # before the bounds, a bomb grew past 650 MB: keep a regression from swapping the machine
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))


def _import_cli(tmp_path: Path, kind: str, path: Path, timeout: float = 60):
    env = dict(os.environ, ZHIXIN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "zhixin", "import", kind, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
    )
    return done, time.monotonic() - started


# --- XLSX bounds ------------------------------------------------------------------------


def test_xlsx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    row = _inline_row(A, "苏州甲电子科技有限公司" * 4)
    rows = (row * 2000 for _ in range(400))  # ~190 MB of sheet XML
    bomb = _replace_sheet(write_xlsx(tmp_path / "bomb.xlsx", [HEAD]), _sheet_xml(rows))
    assert bomb.stat().st_size < 2 * 1024 * 1024  # a small file ...
    done, took = _import_cli(tmp_path, "enterprises", bomb)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "unpacks to" in done.stderr and f"{tabular.MAX_UNPACKED_BYTES:,} bytes" in done.stderr
    assert "Traceback" not in done.stderr
    assert took < 20


def test_xlsx_huge_cell_is_refused_naming_row_column_and_limit(tmp_path: Path) -> None:
    rows = [_inline_row(*HEAD), _inline_row(A, "甲" * 3_000_000)]
    path = _replace_sheet(write_xlsx(tmp_path / "cell.xlsx", [HEAD]), _sheet_xml(rows))
    done, took = _import_cli(tmp_path, "enterprises", path)
    assert done.returncode == 1
    assert "row 2, column 企业名称" in done.stderr
    assert f"over the limit of {tabular.MAX_CELL_CHARS:,} characters" in done.stderr
    assert took < 20


def test_xlsx_declared_far_corner_does_not_pad_millions_of_rows(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    sheet.append([A, "苏州甲电子科技有限公司"])
    sheet.cell(row=1_048_576, column=1, value="x")
    book.save(tmp_path / "tall.xlsx")
    with pytest.raises(tabular.UnreadableFile, match="more than 500,000 rows"):
        tabular.read_table(tmp_path / "tall.xlsx")

    book = Workbook()
    book.active.append(HEAD)
    book.active.cell(row=2, column=16_384, value="far right")
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(tabular.UnreadableFile, match="more than 64 columns") as caught:
        tabular.read_table(tmp_path / "wide.xlsx")
    assert caught.value.row == 2


def test_oversized_file_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 1000)
    path = write_csv(tmp_path / "big.csv", [HEAD] + [[A, "苏州甲电子科技有限公司"]] * 100)
    with pytest.raises(tabular.UnreadableFile, match="over the limit of 1,000 bytes"):
        tabular.read_table(path)


# --- CSV quotes -------------------------------------------------------------------------


@pytest.fixture
async def sessions(db_url: str):
    engine = make_engine(db_url)
    await ensure_schema(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _enterprises(sessions) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(Enterprise))


@pytest.mark.parametrize(
    "body",
    [
        # the quote never closes: the rest of the file becomes one name
        f'{A},"苏州甲电子科技有限公司\n{B},无锡乙机械有限公司\n',
        # a later quote closes it: the next row's code ends up inside the name
        f'{A},"苏州甲电子科技有限公司\n{B},"无锡乙机械有限公司"\n',
        # closed just before a separator: strictly valid CSV, but a name has no line break
        f'{A},"苏州甲电子科技有限公司\n{B},",x\n',
    ],
    ids=["never-closed", "closed-later", "closed-before-separator"],
)
async def test_csv_unbalanced_quote_is_refused_with_row_and_column(
    sessions, tmp_path: Path, body: str
) -> None:
    path = tmp_path / "e.csv"
    path.write_text("统一社会信用代码,企业名称\n" + body, encoding="utf-8")
    report = await import_file(sessions, "enterprises", path)
    assert not report.stored
    assert any(p.row == 2 and p.column == "企业名称" for p in report.errors), report.problem_lines()
    assert any('quote (")' in p.message for p in report.errors)
    assert await _enterprises(sessions) == 0


def test_csv_multiline_text_columns_stay_allowed(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('召回编号,缺陷原因\nR-1,"第一行\n第二行"\nR-2,过充\n', encoding="utf-8")
    table = tabular.read_table(path)
    assert [cells for _, cells in table.rows] == [["R-1", "第一行\n第二行"], ["R-2", "过充"]]


# --- control characters and the feed ------------------------------------------------------

RECALL_HEAD = ["召回编号", "标题", "产品名称", "类别", "生产者", "缺陷原因", "召回措施"]
RECALL_HEAD += ["开始日期", "发布日期"]


async def test_control_characters_are_stripped_on_import_with_a_warning(
    services, client, tmp_path: Path
) -> None:
    row = ["R-\x01CTL", "关于召回\x07甲牌\x1b[31m充电器\x0c的公告", "充\x0b电器", "消费品"]
    row += ["苏州甲电子\x08科技有限公司", "过充\x02\x85", "更换\x7f", "2026-01-05", "2026-01-06"]
    path = write_csv(tmp_path / "r.csv", [RECALL_HEAD, row])
    report = await import_file(services.sessions, "recalls", path)
    assert not report.errors, report.problem_lines()
    warned = {p.column for p in report.warnings if "removed" in p.message}
    assert {"召回编号", "标题", "产品名称", "生产者", "缺陷原因", "召回措施"} <= warned
    assert any("U+0007" in p.message for p in report.warnings)
    async with services.sessions() as s:
        stored = (await s.scalars(select(RecallNotice))).one()
    assert stored.recall_no == "R-CTL"
    assert stored.title == "关于召回甲牌[31m充电器的公告"

    resp = await client.get("/feeds/recalls.atom")
    assert resp.status == 200
    root = ET.fromstring(await resp.read())  # raises on a character XML cannot carry
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert "关于召回甲牌[31m充电器的公告" in titles


async def test_feed_strips_control_characters_stored_before_the_import_check(
    services, client
) -> None:
    await seed(services, recalls=3)
    async with services.sessions() as s:
        await s.execute(
            update(RecallNotice)
            .where(RecallNotice.recall_no == "JS-T-0001")
            .values(title="旧\x07标题\x1f", reason="原因\x02", brand="牌\x0b")
        )
        await s.commit()
    resp = await client.get("/feeds/recalls.atom?lang=en")
    root = ET.fromstring(await resp.read())
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert "旧标题" in titles
