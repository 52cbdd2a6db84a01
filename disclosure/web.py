"""HTTP handlers for published data: enterprise search and pages."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from disclosure import service
from zhixin.openapi import error_response
from zhixin.web import ApiError, json_response, services

MAX_LIMIT = 50


def int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise ApiError(400, "invalid_parameter", f"{name} must be between {low} and {high}")
    return value


async def api_search(request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()
    if not query:
        raise ApiError(400, "missing_parameter", "q is required")
    if len(query) > 200:
        raise ApiError(400, "invalid_parameter", "q is longer than 200 characters")
    limit = int_param(request, "limit", 10, 1, MAX_LIMIT)
    items = service.search_enterprises(services(request).published, query, limit)
    return json_response(
        {"query": query, "items": [i.to_dict() for i in items]},
        headers={"Cache-Control": "public, max-age=60"},
    )


async def api_enterprise(request: web.Request) -> web.Response:
    svc = services(request)
    try:
        async with svc.sessions() as session:
            data = await service.enterprise_detail(
                session, svc.published, request.match_info["uscc"]
            )
    except service.BadCode as exc:
        raise ApiError(400, "invalid_code", f"not a unified social credit code: {exc}") from None
    except service.NotFound:
        raise ApiError(404, "not_found", "no enterprise is registered with this code") from None
    return json_response(data, headers={"Cache-Control": "public, max-age=60"})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/enterprises", api_search, name="api_enterprises")
    app.router.add_get("/api/v1/enterprises/{uscc}", api_enterprise, name="api_enterprise")


_GRADE = {
    "type": "object",
    "nullable": True,
    "properties": {
        "grade": {"type": "string", "enum": ["AAA", "AA", "A", "B", "C", "D"]},
        "year": {"type": "integer"},
        "valid_from": {"type": "string", "format": "date", "nullable": True},
        "valid_until": {"type": "string", "format": "date", "nullable": True},
        "authority": {"type": "string", "nullable": True},
        "meaning": {"type": "string"},
    },
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Grade": _GRADE,
    "EnterpriseHit": {
        "type": "object",
        "required": ["uscc", "name", "grade", "score"],
        "properties": {
            "uscc": {"type": "string"},
            "name": {"type": "string"},
            "grade": {"type": "string", "nullable": True},
            "score": {"type": "number", "minimum": 0, "maximum": 100},
            "match": {"type": "string"},
        },
    },
    "Enterprise": {
        "type": "object",
        "required": ["uscc", "name", "grade", "grade_history", "recalls", "complaints"],
        "properties": {
            "uscc": {"type": "string"},
            "name": {"type": "string"},
            "grade": {"$ref": "#/components/schemas/Grade"},
            "grade_history": {"type": "array", "items": {"type": "object"}},
            "recalls": {"type": "array", "items": {"type": "object"}},
            "complaints": {
                "type": "object",
                "properties": {
                    "total": {"type": "integer"},
                    "by_outcome": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
        },
    },
}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/enterprises": {
        "get": {
            "summary": "Fuzzy enterprise search (name, partial name, misspelling, pinyin, code)",
            "operationId": "searchEnterprises",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": 10,
                    },
                },
            ],
            "responses": {
                "200": {
                    "description": "ranked matches",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["items"],
                                "properties": {
                                    "query": {"type": "string"},
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/EnterpriseHit"},
                                    },
                                },
                            }
                        }
                    },
                },
                "400": error_response("missing or invalid parameter"),
            },
        }
    },
    "/api/v1/enterprises/{uscc}": {
        "get": {
            "summary": "One enterprise: current grade, history, recalls, complaint counts",
            "operationId": "getEnterprise",
            "parameters": [
                {"name": "uscc", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "the enterprise",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Enterprise"}}
                    },
                },
                "400": error_response("malformed unified social credit code"),
                "404": error_response("not registered"),
            },
        }
    },
}
