"""OpenAPI description of the Open311 GeoReport v2 paths (JSON and XML)."""

from __future__ import annotations

from typing import Any

P = "/open311/v2"
_FMT = {
    "name": "fmt",
    "in": "path",
    "required": True,
    "description": "response format (the path's extension)",
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
_JURISDICTION = {"name": "jurisdiction_id", "in": "query", "schema": {"type": "string"}}
_STR = {"type": "string"}
_NSTR = {"type": "string", "nullable": True}
_W3C = {"type": "string", "format": "date-time"}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Open311Errors": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": _STR},
        },
    },
    "Open311Service": {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": _STR,
            "service_name": _STR,
            "description": _STR,
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": _STR,
            "group": _STR,
        },
    },
    "Open311Request": {
        "type": "object",
        "required": ["service_request_id", "status"],
        "properties": {
            "service_request_id": _STR,
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": _NSTR,
            "service_name": _NSTR,
            "service_code": _NSTR,
            "description": _NSTR,
            "agency_responsible": _NSTR,
            "service_notice": _NSTR,
            "requested_datetime": _NSTR,
            "updated_datetime": _NSTR,
            "expected_datetime": _NSTR,
            "address": _NSTR,
            "address_id": _NSTR,
            "zipcode": _NSTR,
            "lat": {"type": "number", "nullable": True},
            "long": {"type": "number", "nullable": True},
            "media_url": _NSTR,
        },
    },
}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}, "text/xml": {"schema": _STR}},
    }


def _err(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Open311Errors"}},
            "text/xml": {"schema": _STR},
        },
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


_REQUESTS = {"type": "array", "items": _ref("Open311Request")}

# the fields of POST requests; media_url is fetched once, at filing (open311/media.py)
_POST_FIELDS: dict[str, Any] = {
    "type": "object",
    "required": ["api_key", "service_code", "description"],
    "properties": {
        "api_key": _STR,
        "jurisdiction_id": _STR,
        "service_code": _STR,
        "description": _STR,
        "lat": {"type": "number"},
        "long": {"type": "number"},
        "address_string": _STR,
        "email": _STR,
        "phone": _STR,
        "first_name": _STR,
        "last_name": _STR,
        "attribute[kind]": {"type": "string", "enum": ["complaint", "tip"]},
        "attribute[company]": _STR,
        "attribute[anonymous]": {
            "type": "string",
            "enum": ["true", "false"],
        },
        "media_url": _STR,
    },
}
_POST_MULTIPART: dict[str, Any] = {
    **_POST_FIELDS,
    "properties": {
        **_POST_FIELDS["properties"],
        "media": {"type": "string", "format": "binary"},
    },
}


OPENAPI_PATHS: dict[str, Any] = {
    f"{P}/discovery.{{fmt}}": {
        "get": {
            "summary": "GeoReport v2 discovery",
            "operationId": "open311Discovery",
            "parameters": [_FMT],
            "responses": {
                "200": _ok("endpoints and formats", {"type": "object"}),
                "404": _err("unknown format"),
            },
        }
    },
    f"{P}/services.{{fmt}}": {
        "get": {
            "summary": "Service list: one per department, plus auto (routed by the service)",
            "operationId": "open311Services",
            "parameters": [_FMT, _JURISDICTION],
            "responses": {
                "200": _ok("services", {"type": "array", "items": _ref("Open311Service")}),
                "404": _err("unknown format"),
            },
        }
    },
    f"{P}/services/{{code}}.{{fmt}}": {
        "get": {
            "summary": "Service definition (attributes kind, company, anonymous)",
            "operationId": "open311ServiceDefinition",
            "parameters": [
                {
                    "name": "code",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_]+$"},
                },
                _FMT,
                _JURISDICTION,
            ],
            "responses": {
                "200": _ok("service definition", {"type": "object"}),
                "404": _err("unknown service code or format"),
            },
        }
    },
    f"{P}/requests.{{fmt}}": {
        "get": {
            "summary": "Service requests (complaints; tips are not listed), newest first",
            "operationId": "open311Requests",
            "parameters": [
                _FMT,
                _JURISDICTION,
                {"name": "service_request_id", "in": "query", "schema": _STR},
                {"name": "service_code", "in": "query", "schema": _STR},
                {"name": "start_date", "in": "query", "schema": _W3C},
                {"name": "end_date", "in": "query", "schema": _W3C},
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "pattern": "^((open|closed)(,(open|closed))*)?$"},
                },
            ],
            "responses": {
                "200": _ok("requests", _REQUESTS),
                "400": _err("invalid filter"),
                "404": _err("unknown format"),
            },
        },
        "post": {
            "summary": "Post a service request (a complaint or tip); needs an api_key",
            "operationId": "open311PostRequest",
            "parameters": [
                _FMT,
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {
                        "type": "string",
                        "minLength": 8,
                        "maxLength": 72,
                        "pattern": "^[!-~]+$",
                    },
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {"schema": _POST_FIELDS},
                    "multipart/form-data": {"schema": _POST_MULTIPART},
                },
            },
            "responses": {
                "201": _ok(
                    "the new request(s): service_request_id, token, service_notice",
                    {"type": "array", "items": {"type": "object"}},
                ),
                "400": _err("missing or invalid field"),
                "403": _err("missing or invalid api_key"),
                "404": _err("unknown service code or format"),
                "409": _err("idempotency key reused for another submission"),
                "413": _err("body too large"),
                "415": _err("media is not a photo or a PDF"),
                "429": _err("too many requests from this client; see Retry-After"),
            },
        },
    },
    f"{P}/requests/{{id}}.{{fmt}}": {
        "get": {
            "summary": "One service request (always an array)",
            "operationId": "open311Request",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9]+$"},
                },
                _FMT,
                _JURISDICTION,
            ],
            "responses": {
                "200": _ok("the request", _REQUESTS),
                "404": _err("unknown request or format"),
            },
        }
    },
    f"{P}/tokens/{{token}}.{{fmt}}": {
        "get": {
            "summary": "The service_request_id of a token",
            "operationId": "open311Token",
            "parameters": [
                {
                    "name": "token",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]+$"},
                },
                _FMT,
                _JURISDICTION,
            ],
            "responses": {
                "200": _ok(
                    "service_request_id and token", {"type": "array", "items": {"type": "object"}}
                ),
                "404": _err("unknown token or format"),
            },
        }
    },
}
