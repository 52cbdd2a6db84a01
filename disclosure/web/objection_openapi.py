"""The OpenAPI description of the grade objection routes (``disclosure.web.objections``)."""

from __future__ import annotations

from typing import Any

from disclosure.objection_flow import ACTIONS, STATUSES
from infra.openapi import error_response

_STAFF = [{"staffToken": []}]
_UNAUTHORIZED = error_response("missing, unknown or revoked staff token")
_NUMBER = {"name": "objection_no", "in": "path", "required": True, "schema": {"type": "string"}}
_USCC = {"name": "uscc", "in": "path", "required": True, "schema": {"type": "string"}}
_NULLABLE_TEXT = {"type": "string", "nullable": True}
_TIME = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


_EVENT = {
    "type": "object",
    "required": ["at", "at_china", "action"],
    "properties": {
        "at": _TIME,
        "at_china": {**_TIME, "description": "the same moment in China time (UTC+8)"},
        "action": {"type": "string"},
        "from_status": _NULLABLE_TEXT,
        "to_status": _NULLABLE_TEXT,
        "actor": {"type": "string"},
        "note": _NULLABLE_TEXT,
        "public": {"type": "boolean"},
    },
}
SCHEMAS: dict[str, Any] = {
    "ObjectionEvent": _EVENT,
    "Objection": {
        "type": "object",
        "required": ["objection_no", "uscc", "status", "department", "created_at"],
        "properties": {
            "objection_no": {"type": "string", "example": "YY20260315-K7MQ"},
            "uscc": {"type": "string"},
            "enterprise": {"type": "string"},
            "grade": _NULLABLE_TEXT,
            "year": {"type": "integer", "nullable": True},
            "reason": {"type": "string"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "department": {"type": "string"},
            "created_at": _TIME,
            "created_at_china": _TIME,
            "identity_verified": {"type": "boolean"},
            "identity_verified_at": {**_TIME, "nullable": True},
            "identity_verified_by": _NULLABLE_TEXT,
            "allowed_actions": {
                "type": "array",
                "items": {"type": "string", "enum": list(ACTIONS)},
            },
            "contact": _NULLABLE_TEXT,
            "events": {"type": "array", "items": _ref("ObjectionEvent")},
        },
    },
    "ObjectionFiled": {
        "type": "object",
        "required": ["objection_no", "access_code", "status", "department", "grade", "created_at"],
        "properties": {
            "objection_no": {"type": "string"},
            "access_code": {"type": "string", "description": "shown once: to follow it"},
            "status": {"type": "string"},
            "department": {"type": "string"},
            "grade": {
                "type": "object",
                "properties": {"grade": {"type": "string"}, "year": {"type": "integer"}},
            },
            "created_at": _TIME,
            "identity_verified": {"type": "boolean"},
        },
    },
    "ObjectionTracking": {
        "type": "object",
        "required": ["objection_no", "status", "filed_at", "events"],
        "properties": {
            "objection_no": {"type": "string"},
            "uscc": {"type": "string"},
            "enterprise": {"type": "string"},
            "grade": _NULLABLE_TEXT,
            "year": {"type": "integer", "nullable": True},
            "status": {"type": "string", "enum": list(STATUSES)},
            "identity_verified": {"type": "boolean"},
            "filed_at": {**_TIME, "description": "China time (UTC+8)"},
            "events": {"type": "array", "items": _ref("ObjectionEvent")},
        },
    },
}

_STEP_RESPONSES = {
    "200": _json("the objection as it is now, with its log", _ref("Objection")),
    "400": error_response("unknown status or field, or a missing note"),
    "401": _UNAUTHORIZED,
    "404": error_response("not on this desk"),
    "409": error_response("not allowed in the objection's state (or identity not verified)"),
    "413": error_response("body too large"),
    "415": error_response("not JSON"),
}
_NOTE = {"type": "string", "maxLength": 2000}
_STEP_SUMMARY = {
    "verify": "Record that staff verified the objector speaks for the enterprise",
    "review": "Begin the review (needs the identity verified)",
    "uphold": "Uphold the objection (needs a note)",
    "dismiss": "Dismiss the objection (needs a note)",
}

PATHS: dict[str, Any] = {
    "/api/v1/enterprises/{uscc}/objections": {
        "post": {
            "summary": "File an objection (异议) to the enterprise's grade",
            "operationId": "fileObjection",
            "parameters": [_USCC],
            "requestBody": _body(
                {
                    "uscc": {
                        "type": "string",
                        "description": "the enterprise's credit code, typed by the objector: "
                        "must be the graded enterprise's",
                    },
                    "reason": {"type": "string", "minLength": 10, "maxLength": 4000},
                    "contact": {"type": "string", "maxLength": 200},
                    "year": {
                        "type": "integer",
                        "description": "the grade's year; the latest by default",
                    },
                },
                ["uscc", "reason", "contact"],
            ),
            "responses": {
                "201": _json("recorded; number and access code follow it", _ref("ObjectionFiled")),
                "400": error_response("invalid field, another code, or no grade to object to"),
                "404": error_response("not registered"),
                "413": error_response("body too large"),
                "415": error_response("not JSON"),
                "429": error_response("too many objections from this client"),
            },
        }
    },
    "/api/v1/objections/{objection_no}": {
        "get": {
            "summary": "The objector's view of an objection (X-Access-Code header)",
            "operationId": "trackObjection",
            "parameters": [
                _NUMBER,
                {
                    "name": "X-Access-Code",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": _json("status and public log", _ref("ObjectionTracking")),
                "404": error_response("no objection with this number and access code"),
                "429": error_response("too many wrong access codes"),
            },
        }
    },
    "/api/v1/desk/objections": {
        "get": {
            "summary": "Grade objections on the staff member's department desk, newest first",
            "operationId": "deskObjections",
            "security": _STAFF,
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "enum": list(STATUSES)},
                    "description": "only this status",
                    "allowEmptyValue": True,
                }
            ],
            "responses": {
                "200": _json(
                    "the department's objections",
                    {
                        "type": "object",
                        "properties": {
                            "department": {"type": "string"},
                            "items": {"type": "array", "items": _ref("Objection")},
                        },
                    },
                ),
                "400": error_response("unknown status"),
                "401": _UNAUTHORIZED,
            },
        }
    },
    "/api/v1/desk/objections/{objection_no}": {
        "get": {
            "summary": "One objection on the staff member's desk, with its log",
            "operationId": "deskObjection",
            "security": _STAFF,
            "parameters": [_NUMBER],
            "responses": {
                "200": _json("the objection", _ref("Objection")),
                "401": _UNAUTHORIZED,
                "404": error_response("not on this desk"),
            },
        }
    },
    "/api/v1/desk/objections/{objection_no}/status": {
        "post": {
            "summary": "Move an objection along: reviewing, upheld or dismissed (logged)",
            "operationId": "deskObjectionStatus",
            "security": _STAFF,
            "parameters": [_NUMBER],
            "requestBody": _body(
                {"status": {"type": "string", "enum": list(STATUSES)}, "note": _NOTE}, ["status"]
            ),
            "responses": _STEP_RESPONSES,
        }
    },
    **{
        f"/api/v1/desk/objections/{{objection_no}}/{action}": {
            "post": {
                "summary": _STEP_SUMMARY[action],
                "operationId": f"deskObjection{action.title()}",
                "security": _STAFF,
                "parameters": [_NUMBER],
                "requestBody": _body({"note": _NOTE}, []),
                "responses": _STEP_RESPONSES,
            }
        }
        for action in ACTIONS
    },
}
