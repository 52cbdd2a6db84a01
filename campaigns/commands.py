"""The command line of the campaigns: ``zhixin report campaign`` and ``zhixin campaign``.

Each command opens its own engine (migrating an empty database), prints errors that
name the bad value on stderr and returns the exit status.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from campaigns import assessment_export
from campaigns import export as campaign_export
from campaigns import page as campaign_page
from campaigns.assessment_query import build_assessment
from campaigns.models import Campaign
from campaigns.query import build_report
from campaigns.windows import (
    CampaignError,
    add_campaign,
    check_spec,
    check_year,
    ensure_campaigns,
    get_campaign,
    load_campaigns,
)
from infra.db import make_engine, make_sessionmaker
from infra.migrate import ensure_schema
from infra.settings import Settings


async def _open(settings: Settings):
    engine = make_engine(settings.database_url)
    await ensure_schema(engine)
    return engine, make_sessionmaker(engine)


def _arguments_fit(year: int, fmt: str, out: Path | None) -> bool:
    """Check a report command's --year and --format/--out, saying on stderr what is wrong."""
    if fmt == "xlsx" and out is None:
        print("zhixin: --format xlsx needs --out FILE", file=sys.stderr)
        return False
    try:
        check_year(year)
    except CampaignError as exc:
        print(f"zhixin: --year {year}: {exc}", file=sys.stderr)
        return False
    return True


async def cli_report(
    settings: Settings, slug: str, year: int, fmt: str, out: Path | None, lang: str = "zh"
) -> int:
    """``zhixin report campaign``: write the report as html, csv or xlsx (stdout when no --out)."""
    if not _arguments_fit(year, fmt, out):
        return 1
    engine, sessions = await _open(settings)
    try:
        async with sessions() as session:
            await ensure_campaigns(session)
            campaign = await get_campaign(session, slug)
            if campaign is None:
                known = ", ".join(c.slug for c in await load_campaigns(session))
                print(f"zhixin: unknown campaign {slug!r}; known: {known}", file=sys.stderr)
                return 1
            report = await build_report(session, campaign, year, lang=lang)
    finally:
        await engine.dispose()
    try:
        write_report(report, fmt, out, lang)
    except OSError as exc:
        print(f"zhixin: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if out is not None:
        print(f"{report['campaign']['name']} {year}: {report['cases']['total']} cases → {out}")
    return 0


def write_report(report: dict[str, Any], fmt: str, out: Path | None, lang: str) -> None:
    """Write the report as ``fmt`` (html, csv, xlsx) to ``out``, or stdout for text."""
    if fmt == "xlsx":
        if out is None:
            raise CampaignError("--format xlsx needs --out FILE")
        out.write_bytes(campaign_export.xlsx_bytes(report, lang))
        return
    if fmt == "csv":
        text = campaign_export.csv_text(report, lang)
    elif fmt == "html":
        text = campaign_page.standalone_html(report, lang)
    else:
        raise CampaignError(f"unknown format {fmt!r}; use html, csv or xlsx")
    if out is None:
        sys.stdout.write(text)
    else:
        # with a BOM, spreadsheet programs read the Chinese in a CSV correctly
        out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")


async def cli_assessment(
    settings: Settings, year: int, fmt: str, out: Path | None, lang: str = "zh"
) -> int:
    """``zhixin report assessment``: html, csv, xlsx or json (stdout when no --out)."""
    if not _arguments_fit(year, fmt, out):
        return 1
    engine, sessions = await _open(settings)
    try:
        async with sessions() as session:
            report = await build_assessment(session, year, lang=lang)
    finally:
        await engine.dispose()
    if fmt == "xlsx":
        data: bytes | str = assessment_export.xlsx_bytes(report, lang)
    elif fmt == "csv":
        data = assessment_export.csv_text(report, lang)
    elif fmt == "json":
        data = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    else:
        data = assessment_export.standalone_html(report, lang)
    try:
        _write(data, fmt, out)
    except OSError as exc:
        print(f"zhixin: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if out is not None:
        ranked = sum(1 for r in report["departments"] + report["cities"] if r["rank"])
        print(f"assessment {year}: {ranked} departments and cities ranked → {out}")
    return 0


def _write(data: bytes | str, fmt: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(str(data))
    elif isinstance(data, bytes):
        out.write_bytes(data)
    else:
        # with a BOM, spreadsheet programs read the Chinese in a CSV correctly
        out.write_text(data, encoding="utf-8-sig" if fmt == "csv" else "utf-8")


async def cli_campaign_add(
    settings: Settings,
    slug: str,
    name_zh: str,
    name_en: str,
    start: str,
    end: str,
    replace: bool = False,
) -> int:
    """``zhixin campaign add``: an operator's own campaign window."""
    try:
        spec = check_spec(slug, name_zh, name_en, start, end)
    except CampaignError as exc:
        print(f"zhixin: {exc}", file=sys.stderr)
        return 1
    engine, sessions = await _open(settings)
    try:
        async with sessions() as session:
            try:
                row = await add_campaign(session, spec, replace=replace)
            except CampaignError as exc:
                print(f"zhixin: {exc}", file=sys.stderr)
                return 1
            await session.commit()
            print(_describe(row))
    finally:
        await engine.dispose()
    return 0


async def cli_campaign_list(settings: Settings) -> int:
    """``zhixin campaign list``: every campaign and its window."""
    engine, sessions = await _open(settings)
    try:
        async with sessions() as session:
            for row in await ensure_campaigns(session):
                print(_describe(row))
    finally:
        await engine.dispose()
    return 0


def _describe(row: Campaign) -> str:
    return (
        f"{row.slug}\t{row.start_month:02d}-{row.start_day:02d} to "
        f"{row.end_month:02d}-{row.end_day:02d}\t{row.name_zh}\t{row.name_en}"
    )
