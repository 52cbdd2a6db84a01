"""HTTP routes of the campaign reports: the JSON API, the pages and the downloads."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from campaigns import export as campaign_export
from campaigns import page as campaign_page
from campaigns.models import Campaign
from campaigns.query import build_report, campaign_summary
from campaigns.windows import (
    FIRST_YEAR,
    CampaignError,
    campaign_on,
    check_year,
    china_today,
    ensure_campaigns,
    get_campaign,
    load_campaigns,
    recent_years,
)
from complaints.runtime import Services
from infra.i18n import gettext as _
from infra.openapi import error_response
from infra.web import SERVICES, ApiError, json_response, lang, render

log = logging.getLogger(__name__)
# the figures change slowly; the language comes from the query or Accept-Language
CACHE = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


def download(content: str | bytes, filename: str, fmt: str) -> web.Response:
    """A report as a file to save: CSV with a BOM (spreadsheet programs then read the
    Chinese correctly), or XLSX."""
    disposition = {"Content-Disposition": f'attachment; filename="{filename}.{fmt}"', **CACHE}
    if fmt == "csv":
        body = content.encode("utf-8-sig") if isinstance(content, str) else content
        return web.Response(
            body=body, content_type="text/csv", charset="utf-8", headers=disposition
        )
    return web.Response(body=content, content_type=XLSX_TYPE, headers=disposition)


async def _campaign(request: web.Request) -> Campaign:
    slug = request.match_info["slug"]
    async with services(request).sessions() as session:
        campaign = await get_campaign(session, slug)
    if campaign is None:
        message = _("There is no campaign called {slug}; the list is at /campaigns.")
        raise ApiError(404, "not_found", message.format(slug=slug))
    return campaign


def _year(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit():
        message = _("The year must be a number such as 2026, not {value}.")
        raise ApiError(400, "invalid_year", message.format(value=raw))
    year = int(raw)
    try:
        check_year(year)
    except CampaignError:
        message = _("The year must be between {first} and {last}.")
        last = china_today().year
        raise ApiError(400, "invalid_year", message.format(first=FIRST_YEAR, last=last)) from None
    return year


async def _report(request: web.Request, campaign: Campaign, year: int) -> dict[str, Any]:
    async with services(request).sessions() as session:
        return await build_report(session, campaign, year, lang=lang(request))


async def api_campaigns(request: web.Request) -> web.Response:
    today = china_today()
    async with services(request).sessions() as session:
        campaigns = await load_campaigns(session)
    running = campaign_on(campaigns, today)
    items = [
        {
            **campaign_summary(c, lang(request)),
            "active": running is not None and c.slug == running.slug,
            "years": list(recent_years(c, today)),
        }
        for c in campaigns
    ]
    return json_response({"items": items}, headers=CACHE)


async def api_report(request: web.Request) -> web.Response:
    campaign = await _campaign(request)
    year = _year(request.match_info["year"])
    return json_response(await _report(request, campaign, year), headers=CACHE)


async def page_index(request: web.Request) -> web.Response:
    today = china_today()
    async with services(request).sessions() as session:
        campaigns = await load_campaigns(session)
    items = []
    for c in campaigns:
        start, end = c.period_containing(today) or c.period(today.year)
        items.append(
            {
                "slug": c.slug,
                "name": c.name(lang(request)),
                "start": start,
                "end": end,
                "years": recent_years(c, today),
            }
        )
    return render(
        "campaign_index.html",
        request,
        {"campaigns": items, "campaign": campaign_on(campaigns, today), "campaign_today": today},
    )


async def page_latest(request: web.Request) -> web.Response:
    campaign = await _campaign(request)
    year = recent_years(campaign, china_today(), 1)[0]
    raise web.HTTPFound(f"/campaigns/{campaign.slug}/{year}?lang={lang(request)}")


async def page_report(request: web.Request) -> web.Response:
    """``/campaigns/{slug}/2026`` (the page), ``2026.csv`` and ``2026.xlsx`` (downloads)."""
    campaign = await _campaign(request)
    raw, dot, fmt = request.match_info["name"].partition(".")
    if dot and fmt not in ("csv", "xlsx"):
        raise ApiError(404, "not_found", _("Reports are available as .csv and .xlsx."))
    year = _year(raw)
    code = lang(request)
    report = await _report(request, campaign, year)
    filename = f"campaign-{campaign.slug}-{year}"
    if fmt == "csv":
        return download(campaign_export.csv_text(report, code), filename, "csv")
    if fmt == "xlsx":
        return download(campaign_export.xlsx_bytes(report, code), filename, "xlsx")
    today = china_today()
    following = year + 1
    context = campaign_page.page_context(report, code)
    context["next_year"] = following if campaign.period(following)[0] <= today else None
    context["downloads"] = {
        "csv": f"/campaigns/{campaign.slug}/{year}.csv?lang={code}",
        "xlsx": f"/campaigns/{campaign.slug}/{year}.xlsx?lang={code}",
        "json": f"/api/v1/campaigns/{campaign.slug}/{year}?lang={code}",
    }
    return render("campaign_report.html", request, context)


async def report_css(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(
        campaign_page.REPORT_CSS, headers={"Cache-Control": "public, max-age=3600"}
    )


async def _seed(app: web.Application) -> None:
    """Copy the data file's campaigns into the table when the service starts."""
    try:
        async with app[SERVICES].sessions() as session:
            await ensure_campaigns(session)
    except Exception:  # the pages read the data file too, so they work without the rows
        log.exception("could not store the default campaigns")


def setup_routes(app: web.Application) -> None:
    """Campaign report API, pages and downloads; the default campaigns are stored at start-up."""
    app.on_startup.append(_seed)
    app.router.add_get("/api/v1/campaigns", api_campaigns, name="api_campaigns")
    app.router.add_get("/api/v1/campaigns/{slug}/{year}", api_report, name="api_campaign_report")
    app.router.add_get("/campaigns", page_index, name="campaigns")
    # before /campaigns/{slug}; a slug never has a dot, so it cannot hide a campaign
    app.router.add_get("/campaigns/report.css", report_css, name="campaign_css")
    app.router.add_get("/campaigns/{slug}", page_latest, name="campaign_latest")
    app.router.add_get("/campaigns/{slug}/{name}", page_report, name="campaign_report")


_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
_RATE = {"type": "number", "nullable": True, "minimum": 0, "maximum": 1}
_FIGURES: dict[str, Any] = {
    "type": "object",
    "required": [
        "period",
        "cases",
        "resolution_rate",
        "median_working_days",
        "overdue",
        "money_recovered_yuan",
        "rewards_yuan",
        "satisfaction_index",
        "top_enterprises",
    ],
    "properties": {
        "period": {
            "type": "object",
            "required": ["start", "end"],
            "properties": {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date"},
            },
        },
        "cases": {
            "type": "object",
            "required": ["total", "by_department", "by_kind"],
            "properties": {
                "total": {"type": "integer"},
                "by_kind": _COUNTS,
                "by_department": _COUNTS,
                "by_city": _COUNTS,
                "by_category": _COUNTS,
                "by_channel": _COUNTS,
                "by_outcome": _COUNTS,
            },
        },
        "decisions": {
            "type": "object",
            "properties": {k: {"type": "integer"} for k in ("accepted", "rejected", "awaiting")},
        },
        "resolved": {"type": "integer"},
        "acceptance_rate": _RATE,
        "resolution_rate": _RATE,
        "median_working_days": {"type": "number", "nullable": True},
        "overdue": {"type": "integer", "description": "cases that missed a deadline"},
        "overdue_open": {"type": "integer", "description": "still open past a deadline"},
        "money_recovered_yuan": {"type": "number"},
        "penalties_yuan": {"type": "number"},
        "rewards_yuan": {"type": "number"},
        "satisfaction_index": {"type": "number", "nullable": True, "minimum": 0, "maximum": 100},
        "satisfaction": {"type": "object"},
        "top_enterprises": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["uscc", "name", "cases"],
                "properties": {
                    "uscc": {"type": "string", "nullable": True},
                    "name": {"type": "string"},
                    "cases": {"type": "integer"},
                    "complaints": {"type": "integer"},
                    "tips": {"type": "integer"},
                    "previous_year_cases": {"type": "integer"},
                },
            },
        },
    },
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "CampaignFigures": _FIGURES,
    "CampaignReport": {
        "allOf": [
            {"$ref": "#/components/schemas/CampaignFigures"},
            {
                "type": "object",
                "required": ["campaign", "year", "previous_year"],
                "properties": {
                    "campaign": {"type": "object"},
                    "year": {"type": "integer"},
                    "as_of": {"type": "string", "format": "date"},
                    "complete": {"type": "boolean"},
                    "department_names": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    },
                    "previous_year": {"$ref": "#/components/schemas/CampaignFigures"},
                },
            },
        ]
    },
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/campaigns": {
        "get": {
            "summary": "Campaigns (Quality Month, 3·15 and any an operator added)",
            "operationId": "listCampaigns",
            "responses": {
                "200": {
                    "description": "every campaign with its window and the years reported",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/api/v1/campaigns/{slug}/{year}": {
        "get": {
            "summary": "A campaign's outcome report, with the previous year's figures",
            "operationId": "getCampaignReport",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
            ],
            "responses": {
                "200": {
                    "description": "the report",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CampaignReport"}
                        }
                    },
                },
                "400": error_response("the year is not a number from 2000 to this year"),
                "404": error_response("no such campaign"),
            },
        }
    },
}
