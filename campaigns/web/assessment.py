"""HTTP routes of the annual assessment: ``/api/v1/assessment/{year}`` and the page
``/assessment/{year}`` (``2026.csv`` and ``2026.xlsx`` download it)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from campaigns import assessment_export
from campaigns.assessment_query import build_assessment
from campaigns.web.routes import CACHE, _year, download, services
from campaigns.windows import china_today
from infra.i18n import gettext as _
from infra.openapi import error_response
from infra.web import ApiError, json_response, lang, render


async def _report(request: web.Request, year: int) -> dict[str, Any]:
    async with services(request).sessions() as session:
        return await build_assessment(session, year, lang=lang(request))


async def api_assessment(request: web.Request) -> web.Response:
    year = _year(request.match_info["year"])
    return json_response(await _report(request, year), headers=CACHE)


async def page_latest(request: web.Request) -> web.Response:
    raise web.HTTPFound(f"/assessment/{china_today().year}?lang={lang(request)}")


async def page_assessment(request: web.Request) -> web.Response:
    raw, dot, fmt = request.match_info["name"].partition(".")
    if dot and fmt not in ("csv", "xlsx"):
        raise ApiError(404, "not_found", _("The assessment is available as .csv and .xlsx."))
    year = _year(raw)
    code = lang(request)
    report = await _report(request, year)
    filename = f"assessment-{year}"
    if fmt == "csv":
        return download(assessment_export.csv_text(report, code), filename, "csv")
    if fmt == "xlsx":
        return download(assessment_export.xlsx_bytes(report, code), filename, "xlsx")
    context = assessment_export.page_context(report, code)
    context["next_year"] = year + 1 if year < china_today().year else None
    context["downloads"] = {
        "csv": f"/assessment/{year}.csv?lang={code}",
        "xlsx": f"/assessment/{year}.xlsx?lang={code}",
        "json": f"/api/v1/assessment/{year}?lang={code}",
    }
    return render("assessment.html", request, context)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/assessment/{year}", api_assessment, name="api_assessment")
    app.router.add_get("/assessment", page_latest, name="assessment_latest")
    app.router.add_get("/assessment/{name}", page_assessment, name="assessment")


_RATE = {"type": "number", "nullable": True, "minimum": 0, "maximum": 1}
_ROW: dict[str, Any] = {
    "type": "object",
    "required": ["code", "name", "cases", "score", "rank"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "cases": {"type": "integer"},
        "acceptance_on_time": _RATE,
        "resolution_rate": _RATE,
        "median_working_days": {"type": "number", "nullable": True},
        "overdue": {"type": "integer"},
        "satisfaction_index": {"type": "number", "nullable": True},
        "satisfaction_target": {"type": "number", "nullable": True},
        "money_recovered_yuan": {"type": "number"},
        "recalls_completed": {"type": "integer"},
        "score": {"type": "number", "nullable": True, "minimum": 0, "maximum": 100},
        "rank": {"type": "integer", "nullable": True, "minimum": 1},
        "previous": {"type": "object", "nullable": True},
        "score_change": {"type": "number", "nullable": True},
        "rank_change": {"type": "integer", "nullable": True},
    },
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "AssessmentRow": _ROW,
    "Assessment": {
        "type": "object",
        "required": ["year", "departments", "cities", "method"],
        "properties": {
            "year": {"type": "integer"},
            "as_of": {"type": "string", "format": "date"},
            "complete": {"type": "boolean"},
            "period": {"type": "object"},
            "method": {
                "type": "object",
                "required": ["indicators"],
                "properties": {"indicators": {"type": "array", "items": {"type": "object"}}},
            },
            "departments": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/AssessmentRow"},
            },
            "cities": {"type": "array", "items": {"$ref": "#/components/schemas/AssessmentRow"}},
            "cases_without_city": {"type": "integer"},
            "previous_year": {"type": "object"},
        },
    },
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/assessment/{year}": {
        "get": {
            "summary": "The annual assessment of departments and the 13 cities, with its method",
            "operationId": "getAssessment",
            "parameters": [
                {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {
                "200": {
                    "description": "each department and city with its indicators, score and rank",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}}
                    },
                },
                "400": error_response("the year is not a number from 2000 to this year"),
            },
        }
    },
}
