"""The campaign report as lines of figures, and those lines as CSV and XLSX.

The web page, the standalone HTML file, the CSV and the XLSX are all drawn
from :func:`report_lines` over the JSON report, so they show the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel import numbers
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from campaigns.regions import city_label
from complaints.labels import LABELS
from infra.formatting import format_date, format_number, format_percent, format_yuan
from infra.i18n import babel_locale, gettext
from nlp.names import jiangsu_regions


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translated where it is shown."""
    return message


SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", N_("Summary")),
    ("kind", N_("Cases by kind")),
    ("department", N_("Cases by department")),
    ("channel", N_("Cases by channel")),
    ("city", N_("Cases by city")),
    ("category", N_("Cases by category")),
    ("outcome", N_("Cases by outcome")),
    ("enterprise", N_("Enterprises with the most complaints and tips")),
)
BREAKDOWNS = {
    "kind": "by_kind",
    "department": "by_department",
    "channel": "by_channel",
    "city": "by_city",
    "category": "by_category",
    "outcome": "by_outcome",
}
# (key, label, unit, path into the report)
SUMMARY: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("total", N_("Cases received"), "count", ("cases", "total")),
    ("accepted", N_("Cases accepted"), "count", ("decisions", "accepted")),
    ("rejected", N_("Cases not accepted"), "count", ("decisions", "rejected")),
    ("awaiting", N_("Awaiting a decision"), "count", ("decisions", "awaiting")),
    ("acceptance_rate", N_("Acceptance rate"), "rate", ("acceptance_rate",)),
    ("resolved", N_("Cases resolved"), "count", ("resolved",)),
    ("resolution_rate", N_("Resolution rate"), "rate", ("resolution_rate",)),
    ("median_working_days", N_("Median handling time"), "days", ("median_working_days",)),
    ("overdue", N_("Missed a deadline"), "count", ("overdue",)),
    ("overdue_open", N_("Still open past a deadline"), "count", ("overdue_open",)),
    (
        "money_recovered_yuan",
        N_("Money recovered for consumers"),
        "yuan",
        ("money_recovered_yuan",),
    ),
    ("penalties_yuan", N_("Penalties imposed"), "yuan", ("penalties_yuan",)),
    ("rewards_yuan", N_("Rewards for tips"), "yuan", ("rewards_yuan",)),
    ("ratings", N_("Ratings given"), "count", ("satisfaction", "ratings")),
    ("satisfaction_index", N_("Satisfaction index"), "index", ("satisfaction_index",)),
    (
        "satisfaction_consumer",
        N_("Satisfaction, consumer services"),
        "index",
        ("satisfaction", "consumer_services"),
    ),
    (
        "satisfaction_producer",
        N_("Satisfaction, producer services"),
        "index",
        ("satisfaction", "producer_services"),
    ),
)
UNITS = {
    "count": N_("cases"),
    "rate": "%",
    "days": N_("working days"),
    "yuan": N_("yuan"),
    "index": N_("points of 100"),
}
CHANNEL_LABELS = {
    "web": N_("Website"),
    "api": N_("Open API"),
    "bot": N_("Telegram bot"),
    "open311": N_("Open311"),
}
CATEGORY_LABELS = {
    "advertising": N_("Advertising"),
    "agri_inputs": N_("Farm inputs"),
    "agri_products": N_("Farm produce"),
    "broadband": N_("Broadband"),
    "bus": N_("Buses"),
    "catering": N_("Catering"),
    "certification": N_("Certification"),
    "construction": N_("Construction"),
    "cosmetic": N_("Cosmetics"),
    "counterfeit_sale": N_("Counterfeit goods on sale"),
    "cross_border": N_("Cross-border e-commerce"),
    "driving_school": N_("Driving schools"),
    "drug": N_("Drugs"),
    "express": N_("Express delivery"),
    "food": N_("Food"),
    "hotel": N_("Hotels"),
    "household": N_("Household services"),
    "housing": N_("Housing"),
    "imported": N_("Imported goods"),
    "metrology": N_("Metrology"),
    "online": N_("Online shopping"),
    "other": N_("Other problems"),
    "pollution": N_("Pollution"),
    "prepaid": N_("Prepaid cards"),
    "price": N_("Prices"),
    "product_quality": N_("Product quality"),
    "renovation": N_("Renovation"),
    "retail": N_("Shops"),
    "scenic_area": N_("Scenic areas"),
    "spam": N_("Spam calls and messages"),
    "special_equipment": N_("Special equipment"),
    "takeaway": N_("Takeaway food"),
    "taxi": N_("Taxis"),
    "telecom": N_("Telecom services"),
    "travel_agency": N_("Travel agencies"),
    "vehicle_repair": N_("Vehicle repair"),
}
NOT_GIVEN = N_("Not given")
# what a figure shows when there is nothing to compute it from (no cases that year)
NO_DATA = N_("no data")
OTHER_PLACE = N_("Other")


@dataclass(frozen=True, slots=True)
class Line:
    """One figure of the report, this year and last."""

    section: str
    key: str
    label: str
    unit: str
    current: float | int | None
    previous: float | int | None


def _dig(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def item_label(section: str, key: str, report: dict[str, Any], lang: str) -> str:
    """The readable name of a breakdown item (a department, kind, channel...)."""
    if key == "unknown":
        return gettext(NOT_GIVEN, lang)
    if section == "city":
        # only the region list's cities are published (``campaigns.regions``)
        return city_label(key, lang) or gettext(OTHER_PLACE, lang)
    table = {
        "kind": LABELS["kind"],
        "channel": CHANNEL_LABELS,
        "outcome": LABELS["outcome"],
        "category": CATEGORY_LABELS,
    }.get(section)
    if table is not None:
        return gettext(table[key], lang) if key in table else key
    if section == "department":
        return report.get("department_names", {}).get(key, key)
    if section == "city" and lang == "en":
        return city_in_english(key)
    return key


@cache
def _english_cities() -> dict[str, str]:
    regions = jiangsu_regions()
    names: dict[str, str] = {}
    for place in (*regions.cities, *regions.districts):
        names.setdefault(place.name, place.en)
        names.setdefault(place.short, place.en)
    return names


def city_in_english(name: str) -> str:
    """A Jiangsu city's (or county's) English name; a name the register lacks as written."""
    return _english_cities().get(name.strip(), name)


def report_lines(report: dict[str, Any], lang: str) -> Iterator[Line]:
    """Every figure of the report in display order."""
    prior = report["previous_year"]
    for key, label, unit, path in SUMMARY:
        yield Line(
            "summary", key, gettext(label, lang), unit, _dig(report, path), _dig(prior, path)
        )
    for section, field in BREAKDOWNS.items():
        now = report["cases"][field]
        then = prior["cases"][field]
        keys = list(now) + [k for k in then if k not in now]
        for key in keys:
            yield Line(
                section,
                key,
                item_label(section, key, report, lang),
                "count",
                now.get(key, 0),
                then.get(key, 0),
            )
    for item in report["top_enterprises"]:
        key = item["uscc"] or item["name"]
        yield Line(
            "enterprise", key, item["name"], "count", item["cases"], item["previous_year_cases"]
        )


def section_title(section: str, lang: str) -> str:
    return gettext(dict(SECTIONS)[section], lang)


def unit_label(unit: str, lang: str) -> str:
    return gettext(UNITS[unit], lang)


def display(value: float | None, unit: str, lang: str) -> str:
    """A figure as people read it in ``lang`` (Babel); handling time with its unit."""
    if value is None:
        return gettext(NO_DATA, lang)
    if unit == "rate":
        return format_percent(value, lang)
    if unit == "yuan":
        return format_yuan(round(Decimal(str(value)) * 100), lang)
    if unit == "days":
        days = numbers.format_decimal(value, format="#,##0.0", locale=babel_locale(lang))
        return gettext("{value} working days", lang).format(value=days)
    if unit == "index":
        return numbers.format_decimal(value, format="#,##0.0", locale=babel_locale(lang))
    return format_number(value, lang)


def change(line: Line, lang: str) -> str:
    """This year against last, signed; rates in percentage points."""
    if line.current is None or line.previous is None:
        return ""
    delta = line.current - line.previous
    if line.unit == "rate":
        points = numbers.format_decimal(
            delta * 100, format="+#,##0.0;-#,##0.0", locale=babel_locale(lang)
        )
        return gettext("{value} pp", lang).format(value=points)
    if line.unit == "yuan":
        text = format_yuan(round(Decimal(str(abs(delta))) * 100), lang)
        return ("+" if delta >= 0 else "−") + text
    pattern = "+#,##0.0;-#,##0.0" if line.unit in ("index", "days") else "+#,##0;-#,##0"
    return numbers.format_decimal(delta, format=pattern, locale=babel_locale(lang))


def csv_value(value: float | None, unit: str) -> str:
    """A figure for a CSV cell: plain digits, rates in percent, yuan with two decimals."""
    if value is None:
        return ""
    if unit == "rate":
        return f"{value * 100:.2f}"
    if unit == "yuan":
        return f"{value:.2f}"
    if unit in ("index", "days"):
        return f"{value:.1f}"
    return str(int(value))


# a cell starting with one of these is a formula to a spreadsheet program; enterprise
# names in the report come from what citizens typed, so they must stay text
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text_cell(text: str) -> str:
    """Text for a CSV cell that no spreadsheet program will run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _xlsx_text(ws: Any, row: int, column: int, text: str) -> Any:
    """A cell that holds ``text`` as text, even when it looks like a formula."""
    cell = ws.cell(row=row, column=column, value=text)
    if text.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True  # and stays text when someone edits it in Excel
    return cell


def _headers(report: dict[str, Any], lang: str) -> list[str]:
    return [
        gettext("Section", lang),
        gettext("Code", lang),
        gettext("Item", lang),
        gettext("Unit", lang),
        str(report["year"]),
        str(report["previous_year"]["year"]),
    ]


def csv_text(report: dict[str, Any], lang: str = "zh") -> str:
    """The report as CSV: one figure a row, this year and last year side by side."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_text_cell(h) for h in _headers(report, lang)])
    for line in report_lines(report, lang):
        writer.writerow(
            [
                csv_text_cell(section_title(line.section, lang)),
                csv_text_cell(line.key),
                csv_text_cell(line.label),
                csv_text_cell(unit_label(line.unit, lang)),
                csv_value(line.current, line.unit),
                csv_value(line.previous, line.unit),
            ]
        )
    return buf.getvalue()


XLSX_FORMATS = {
    "count": "#,##0",
    "rate": "0.0%",
    "days": "#,##0.0",
    "yuan": '"¥"#,##0.00',
    "index": "0.0",
}


def report_title(report: dict[str, Any], lang: str) -> str:
    return gettext("{campaign} {year}: outcome report", lang).format(
        campaign=report["campaign"]["name"], year=report["year"]
    )


def period_text(report: dict[str, Any], lang: str) -> str:
    start, end = (date.fromisoformat(report["period"][k]) for k in ("start", "end"))
    return gettext("Cases received {start} to {end}; figures as of {as_of}", lang).format(
        start=format_date(start, lang),
        end=format_date(end, lang),
        as_of=format_date(date.fromisoformat(report["as_of"]), lang),
    )


def xlsx_bytes(report: dict[str, Any], lang: str = "zh") -> bytes:
    """The report as an Excel workbook with formatted numbers (yuan, percentages)."""
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Campaign report", lang)[:31]
    _xlsx_text(ws, 1, 1, report_title(report, lang)).font = Font(bold=True, size=14)
    _xlsx_text(ws, 2, 1, period_text(report, lang))
    header_row = 4
    for col, text in enumerate(_headers(report, lang), start=1):
        cell = _xlsx_text(ws, header_row, col, text)
        cell.font = Font(bold=True)
        if col >= 5:
            cell.alignment = Alignment(horizontal="right")
    row = header_row
    for line in report_lines(report, lang):
        row += 1
        _xlsx_text(ws, row, 1, section_title(line.section, lang))
        _xlsx_text(ws, row, 2, line.key)
        _xlsx_text(ws, row, 3, line.label)
        _xlsx_text(ws, row, 4, unit_label(line.unit, lang))
        for col, value in ((5, line.current), (6, line.previous)):
            cell = ws.cell(row=row, column=col, value=value)
            cell.number_format = XLSX_FORMATS[line.unit]
    for col, width in zip(range(1, 7), (22, 20, 34, 12, 16, 16), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:F{row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
