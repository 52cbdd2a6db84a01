"""Reading import files: CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16) or XLSX, as text rows.

Every cell comes back as a trimmed string ("" when empty), numbered as a
spreadsheet numbers its rows (the header is row 1), so a report can point at
the exact cell a person has to fix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (BIFF) and other OLE containers

# Bounds on what one import file may cost, checked before (or while) it is read: a
# few hundred kilobytes of workbook can otherwise unpack into gigabytes. The largest
# real files (100,000 grades rows) stay well inside every one of them.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # all the members of an XLSX (zip) together
MAX_ROWS = 500_000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 10_000  # the longest column (reason, hazard, remedy) takes 5,000


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (encoding, format, size, no header);
    ``row`` and ``column`` point at the place when there is one."""

    def __init__(self, message: str, row: int = 0, column: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)
    encoding: str
    notes: list[str] = field(default_factory=list)


def read_table(path: Path) -> Table:
    """The header and data rows of a CSV or XLSX file; blank rows are skipped."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes; "
            "split it into smaller files"
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise UnreadableFile("legacy .xls workbooks are not supported; save the sheet as .xlsx")
    return read_csv_bytes(path.read_bytes())


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding detected: a BOM decides, else UTF-8, else GB18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _decode(raw[3:], "utf-8"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(raw, "utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, the encodings Excel uses on Chinese Windows.
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the file is neither UTF-8 nor GB18030 text (undecodable byte at offset {exc.start})"
        ) from None


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the file starts with a {encoding} byte-order mark but is not valid {encoding} "
            f"(offset {exc.start})"
        ) from None


def _delimiter(first_line: str) -> str:
    # Excel's "Unicode text" export is tab-separated; some locales save CSV with semicolons.
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_bytes(raw: bytes) -> Table:
    text, encoding = decode(raw)
    if "\x00" in text:
        raise UnreadableFile("the file contains NUL bytes: it is not a text CSV file")
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable CSV file: {exc}") from None
    _check_quotes(text, delimiter, records)
    return _table(iter(records), encoding)


def _check_quotes(text: str, delimiter: str, records: list[list[str]]) -> None:
    """Refuse a quote that is opened and never properly closed.

    The lenient reader takes everything up to the next quote (or the end of the file)
    into one cell, so following rows vanish into it and the import looks fine. A strict
    reader stops at the record where that happens; the cell is the one whose quote
    swallowed the line breaks (or, failing that, the last one read).
    """
    strict = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, _record in enumerate(strict, start=1):  # noqa: B007
            pass
    except csv.Error:
        number += 1  # the record being read when the strict reader gave up
    else:
        return
    record = records[number - 1] if number <= len(records) else []
    position = next((i for i, c in enumerate(record) if "\n" in c or "\r" in c), None)
    if position is None:
        position = max(len(record) - 1, 0)
    headers = records[0] if records else []
    column = headers[position].strip() if position < len(headers) else f"#{position + 1}"
    raise UnreadableFile(
        'a quote (") opens in this cell and is not closed before the next separator, so '
        "the following lines were read into it; close or remove the quote",
        row=number,
        column=column or f"#{position + 1}",
    )


def _table(records: Iterator[list[str]], encoding: str) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(records, start=1):
        if number > MAX_ROWS + 1:
            raise UnreadableFile(f"more than {MAX_ROWS:,} rows; split the file", row=number)
        if len(record) > MAX_COLUMNS:
            if any(c.strip() for c in record[MAX_COLUMNS:]):
                raise UnreadableFile(
                    f"more than {MAX_COLUMNS} columns (a value in column {len(record)})",
                    row=number,
                )
            record = record[:MAX_COLUMNS]
        for position, value in enumerate(record):
            if len(value) > MAX_CELL_CHARS:
                name = headers[position] if headers and position < len(headers) else None
                raise UnreadableFile(
                    f"a cell of {len(value):,} characters, over the limit of "
                    f"{MAX_CELL_CHARS:,} characters",
                    row=number,
                    column=name or f"#{position + 1}",
                )
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if headers is None:
            if number != 1:
                raise UnreadableFile("the first row must be the header; the file starts blank")
            headers = cells
            continue
        rows.append((number, cells))
    if headers is None:
        raise UnreadableFile("the file is empty: no header row")
    while headers and not headers[-1]:
        headers.pop()  # trailing empty header cells that spreadsheets leave behind
    return Table(headers, rows, encoding)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose members unpack to more than the limit, before any is read.

    The sizes come from the zip's central directory; a member that lies about its size
    cannot unpack to more, because ``zipfile`` stops reading at the declared size.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            f"the workbook unpacks to {unpacked:,} bytes, over the limit of "
            f"{MAX_UNPACKED_BYTES:,} bytes (a zip bomb, or a file to split)"
        )


def _read_xlsx(path: Path) -> Table:
    import zipfile

    from openpyxl import load_workbook

    _check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        # The dimension the sheet declares (up to XFD1048576) would pad every row to its
        # width; without it each row is as long as its last cell.
        sheet.reset_dimensions()
        records = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
        table = _table(records, "xlsx")
        if len(workbook.worksheets) > 1:
            table.notes.append(f"only the first sheet ({sheet.title}) was read")
        return table
    finally:
        workbook.close()
