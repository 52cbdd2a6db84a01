"""The annual assessment as table lines, CSV, XLSX and HTML, all from the JSON report,
with the method (indicators, weights, definitions) printed beside the figures.

Formatting reuses the campaign report's helpers (:mod:`campaigns.export`)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from campaigns import page as campaign_page
from campaigns.export import XLSX_FORMATS, _xlsx_text, csv_text_cell, csv_value, display
from infra.formatting import format_date
from infra.i18n import gettext


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translated where it is shown."""
    return message


GROUPS = (("departments", N_("Departments")), ("cities", N_("Cities")))
# (key, label, unit); ``previous.`` reads last year's row
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rank", N_("Rank"), "count"),
    ("score", N_("Score"), "index"),
    ("cases", N_("Complaints and tips"), "count"),
    ("acceptance_on_time", N_("Accepted within the deadline"), "rate"),
    ("resolution_rate", N_("Resolution rate"), "rate"),
    ("median_working_days", N_("Median handling time"), "days"),
    ("overdue", N_("Missed a deadline"), "count"),
    ("satisfaction_index", N_("Satisfaction index"), "index"),
    ("satisfaction_target", N_("Satisfaction target"), "index"),
    ("money_recovered_yuan", N_("Money recovered for consumers"), "yuan"),
    ("recalls_completed", N_("Recalls completed"), "count"),
    ("previous.rank", N_("Rank last year"), "count"),
    ("previous.score", N_("Score last year"), "index"),
)


def value(row: dict[str, Any], key: str) -> Any:
    if key.startswith("previous."):
        prior = row.get("previous") or {}
        return prior.get(key.split(".", 1)[1])
    return row.get(key)


def title(report: dict[str, Any], lang: str) -> str:
    return gettext("Annual assessment {year}: departments and cities", lang).format(
        year=report["year"]
    )


def period(report: dict[str, Any], lang: str) -> str:
    return gettext(
        "Complaints and tips received {start} to {end}; figures as of {as_of}; "
        "beside them the year {previous}",
        lang,
    ).format(
        start=format_date(date.fromisoformat(report["period"]["start"]), lang),
        end=format_date(date.fromisoformat(report["period"]["end"]), lang),
        as_of=format_date(date.fromisoformat(report["as_of"]), lang),
        previous=report["previous_year"]["year"],
    )


def headers(lang: str) -> list[str]:
    return [gettext("Group", lang), gettext("Code", lang), gettext("Name", lang)] + [
        gettext(label, lang) for _key, label, _unit in COLUMNS
    ]


def method_lines(report: dict[str, Any], lang: str) -> list[list[str]]:
    """Indicator, weight, definition: the method as table rows."""
    rows = [[gettext("Indicator", lang), gettext("Weight", lang), gettext("Definition", lang)]]
    for ind in report["method"]["indicators"]:
        rows.append([ind["name"], f"{ind['weight']:g}", ind["definition"]])
    return rows


def csv_text(report: dict[str, Any], lang: str = "zh") -> str:
    """One row per department and city, then the method."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_text_cell(title(report, lang))])
    writer.writerow([csv_text_cell(h) for h in headers(lang)])
    for group, label in GROUPS:
        for row in report[group]:
            cells = [gettext(label, lang), row["code"], row["name"]]
            cells += [csv_value(value(row, key), unit) for key, _l, unit in COLUMNS]
            writer.writerow([csv_text_cell(str(c)) for c in cells])
    writer.writerow([])
    writer.writerow([gettext("Method", lang)])
    for line in method_lines(report, lang):
        writer.writerow([csv_text_cell(c) for c in line])
    return buf.getvalue()


def xlsx_bytes(report: dict[str, Any], lang: str = "zh") -> bytes:
    """A sheet of figures (formatted numbers) and a sheet with the method."""
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Assessment", lang)[:31]
    _xlsx_text(ws, 1, 1, title(report, lang)).font = Font(bold=True, size=14)
    _xlsx_text(ws, 2, 1, period(report, lang))
    for col, text in enumerate(headers(lang), start=1):
        _xlsx_text(ws, 4, col, text).font = Font(bold=True)
    row_no = 4
    for group, label in GROUPS:
        for row in report[group]:
            row_no += 1
            _xlsx_text(ws, row_no, 1, gettext(label, lang))
            _xlsx_text(ws, row_no, 2, row["code"])
            _xlsx_text(ws, row_no, 3, row["name"])
            for col, (key, _l, unit) in enumerate(COLUMNS, start=4):
                cell = ws.cell(row=row_no, column=col, value=value(row, key))
                cell.number_format = XLSX_FORMATS[unit]
    for col in range(1, len(COLUMNS) + 4):
        ws.column_dimensions[get_column_letter(col)].width = 14 if col > 3 else 20
    ws.freeze_panes = "D5"
    sheet = wb.create_sheet(gettext("Method", lang)[:31])
    for r, line in enumerate(method_lines(report, lang), start=1):
        for c, text in enumerate(line, start=1):
            cell = _xlsx_text(sheet, r, c, text)
            if r == 1:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["C"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table(report: dict[str, Any], group: str, lang: str) -> list[dict[str, Any]]:
    """The rows of one group as display text (for the page)."""
    out = []
    for row in report[group]:
        cells = [display(value(row, key), unit, lang) for key, _l, unit in COLUMNS]
        change = row.get("rank_change")
        out.append(
            {
                "code": row["code"],
                "name": row["name"],
                "cells": cells,
                "rank_change": "" if change in (None, 0) else f"{change:+d}",
                "below_target": row["satisfaction_index"] is not None
                and row["satisfaction_target"] is not None
                and row["satisfaction_index"] < row["satisfaction_target"],
            }
        )
    return out


def page_context(report: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "report": report,
        "title": title(report, lang),
        "period": period(report, lang),
        "columns": [gettext(label, lang) for _k, label, _u in COLUMNS],
        "groups": [
            {"id": group, "title": gettext(label, lang), "rows": table(report, group, lang)}
            for group, label in GROUPS
        ],
    }


def standalone_html(report: dict[str, Any], lang: str = "zh") -> str:
    """The assessment as one self-contained HTML file (its CSS embedded)."""
    return campaign_page.render_standalone(
        "assessment_body.html", lang, lambda: page_context(report, lang)
    )
