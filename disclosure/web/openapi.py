"""The OpenAPI description of the disclosure routes (assembled by ``zhixin.openapi``)."""

from __future__ import annotations

from typing import Any

from disclosure.grades import GRADES
from disclosure.models import RECALL_CATEGORIES, RECALL_STATUSES
from disclosure.web import objection_openapi
from infra.openapi import error_response

MAX_LIMIT = 50


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    # an empty value (``?since=``, as an HTML form sends it) counts as not given
    return {
        "name": name,
        "in": "query",
        "schema": schema,
        "description": description,
        "allowEmptyValue": True,
    }


_CACHED = {
    "ETag": {"description": "hash of the body", "schema": {"type": "string"}},
    "Cache-Control": {"description": "public, max-age=…", "schema": {"type": "string"}},
}
_NOT_MODIFIED = {"description": "the client's copy (If-None-Match) is current", "headers": _CACHED}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "schema": {"type": "string"},
    "description": "an ETag from an earlier answer; 304 when it still matches",
}
_LANG = _query(
    "lang",
    {"type": "string"},
    "language of labels: zh or en (also zh-CN, en-GB...); anything else falls back to "
    "Accept-Language, then Chinese",
)
_STAFF = [{"staffToken": []}]


def _cached(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**_json(description, schema), "headers": _CACHED}


_GRADE = {
    "type": "object",
    "nullable": True,
    "properties": {
        "grade": {"type": "string", "enum": list(GRADES)},
        "year": {"type": "integer"},
        "valid_from": {"type": "string", "format": "date", "nullable": True},
        "valid_until": {"type": "string", "format": "date", "nullable": True},
        "authority": {"type": "string", "nullable": True},
        "title": {"type": "string", "description": "a few words, in the request's language"},
        "meaning": {"type": "string", "description": "in the request's language"},
        "colour": {"type": "string", "description": "badge colour, #rrggbb"},
        "source": {"type": "string", "nullable": True},
        "current": {"type": "boolean"},
    },
}
_RECALL_ITEM_PROPS: dict[str, Any] = {
    "id": {"type": "integer"},
    "recall_no": {"type": "string"},
    "title": {"type": "string"},
    "product": {"type": "string"},
    "brand": {"type": "string", "nullable": True},
    "category": {"type": "string", "enum": list(RECALL_CATEGORIES)},
    "level": {"type": "string", "nullable": True},
    "producer": {"type": "string"},
    "producer_uscc": {"type": "string", "nullable": True},
    "published": {"type": "string", "format": "date"},
    "status": {"type": "string", "enum": list(RECALL_STATUSES)},
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "Grade": _GRADE,
    "EnterpriseHit": {
        "type": "object",
        "required": ["uscc", "name", "grade", "score"],
        "properties": {
            "uscc": {"type": "string"},
            "name": {"type": "string"},
            "grade": {"type": "string", "nullable": True, "enum": [*GRADES, None]},
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
            "aliases": {"type": "array", "items": {"type": "string"}},
            "region": {"type": "string", "nullable": True},
            "industry": {"type": "string", "nullable": True},
            "status": {"type": "string", "nullable": True},
            "code_check": {"type": "string", "enum": ["valid", "bad_check"]},
            "grade": _ref("Grade"),
            "grade_history": {"type": "array", "items": _ref("Grade")},
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
    "RecallItem": {
        "type": "object",
        "required": list(_RECALL_ITEM_PROPS),
        "properties": _RECALL_ITEM_PROPS,
    },
    "Recall": {
        "type": "object",
        "required": ["id", "recall_no", "title", "product", "category", "producer", "published"],
        "properties": {
            **_RECALL_ITEM_PROPS,
            "model": {"type": "string", "nullable": True},
            "reason": {"type": "string"},
            "hazard": {"type": "string", "nullable": True},
            "remedy": {"type": "string"},
            "quantity": {"type": "integer", "nullable": True},
            "region": {"type": "string", "nullable": True},
            "start_date": {"type": "string", "format": "date"},
            "url": {"type": "string", "nullable": True},
            "updated_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "RecallPage": {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": _ref("RecallItem")},
            "next_cursor": {
                "type": "string",
                "nullable": True,
                "description": "pass as cursor= for the next (older) page; null on the last",
            },
        },
    },
}

_USCC = {"name": "uscc", "in": "path", "required": True, "schema": {"type": "string"}}
_RECALL_FILTERS = [
    _query("q", {"type": "string", "maxLength": 200}, "words in title, product, brand, producer"),
    _query("category", {"type": "string", "enum": list(RECALL_CATEGORIES)}, "recall category"),
    _query("since", {"type": "string", "format": "date"}, "published on or after"),
    _query("until", {"type": "string", "format": "date"}, "published on or before"),
]
_UNAUTHORIZED = error_response("missing, unknown or revoked staff token")

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/enterprises": {
        "get": {
            "summary": "Fuzzy enterprise search (name, partial name, misspelling, pinyin, code)",
            "operationId": "searchEnterprises",
            "parameters": [
                _query(
                    "q",
                    {"type": "string", "maxLength": 200},
                    "the query; required unless grade is given (then a list by name)",
                ),
                _query(
                    "grade",
                    {"type": "string"},
                    f"current grade: {', '.join(GRADES)} (case, width and a trailing 级 "
                    "are ignored); anything else is a 400",
                ),
                _query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10},
                    "most items",
                ),
                _LANG,
                _IF_NONE_MATCH,
            ],
            "responses": {
                "200": _cached(
                    "ranked matches",
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "query": {"type": "string"},
                            "grade": {"type": "string", "nullable": True},
                            "items": {"type": "array", "items": _ref("EnterpriseHit")},
                        },
                    },
                ),
                "304": _NOT_MODIFIED,
                "400": error_response("missing or invalid parameter"),
            },
        }
    },
    "/api/v1/enterprises/{uscc}": {
        "get": {
            "summary": "One enterprise: current grade, history, recalls, complaint counts",
            "operationId": "getEnterprise",
            "parameters": [_USCC, _LANG, _IF_NONE_MATCH],
            "responses": {
                "200": _cached("the enterprise", _ref("Enterprise")),
                "304": _NOT_MODIFIED,
                "400": error_response("malformed unified social credit code"),
                "404": error_response("not registered"),
            },
        }
    },
    "/api/v1/recalls": {
        "get": {
            "summary": "Recall notices, newest first, with cursor paging",
            "operationId": "listRecalls",
            "parameters": [
                *_RECALL_FILTERS,
                _query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    "page size",
                ),
                _query("cursor", {"type": "string"}, "next_cursor of the previous page"),
                _IF_NONE_MATCH,
            ],
            "responses": {
                "200": _cached("one page", _ref("RecallPage")),
                "304": _NOT_MODIFIED,
                "400": error_response("bad date, category, cursor or limit"),
            },
        }
    },
    "/api/v1/recalls/{id}": {
        "get": {
            "summary": "One recall notice",
            "operationId": "getRecall",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                _IF_NONE_MATCH,
            ],
            "responses": {
                "200": _cached("the notice", _ref("Recall")),
                "304": _NOT_MODIFIED,
                "400": error_response("not a recall id"),
                "404": error_response("no such notice"),
            },
        }
    },
}

# the objection routes (disclosure.web.objections) describe themselves beside this module
OPENAPI_PATHS.update(objection_openapi.PATHS)
OPENAPI_SCHEMAS.update(objection_openapi.SCHEMAS)
