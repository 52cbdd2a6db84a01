"""OpenAPI description of the case API (citizens) and the desk API (staff)."""

from __future__ import annotations

from typing import Any

from complaints.models import STATUSES
from complaints.workflow import ACTIONS, OUTCOMES, REJECT_REASONS
from infra.openapi import error_response

_TEXT = {"type": "string"}
_NTEXT = {"type": "string", "nullable": True}
_DAY = {"type": "string", "format": "date", "nullable": True}
_WHEN = {"type": "string", "format": "date-time"}
_NWHEN = {"type": "string", "format": "date-time", "nullable": True}
_NNUM = {"type": "number", "nullable": True}
_TRACKING = {
    "name": "tracking_no",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 32},
}
_ACCESS = {
    "name": "X-Access-Code",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 8, "maxLength": 72, "pattern": "^[!-~]+$"},
}
_STAFF = [{"staffToken": []}]
# every JSON body may be too large or not JSON at all
_BODY_ERRORS = {
    "413": error_response("body too large"),
    "415": error_response("not JSON"),
}
_LIMITED = error_response(
    "too many attempts from this client (or, for access codes, on this case); "
    "the Retry-After header says when to try again"
)
_OUTCOMES = sorted({o for group in OUTCOMES.values() for o in group})


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


_FILED_ONE = {
    "type": "object",
    "required": ["tracking_no", "department", "kind", "due"],
    "properties": {
        "tracking_no": _TEXT,
        "department": _TEXT,
        "department_name": _TEXT,
        "kind": {"type": "string", "enum": ["complaint", "tip", "inquiry"]},
        "due": _DAY,
    },
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "CaseSubmission": {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 5000},
            "kind": {"type": "string", "enum": ["complaint", "tip"], "nullable": True},
            "company": {"type": "string", "maxLength": 200, "nullable": True},
            # the registered enterprise the citizen picked (its credit code)
            "company_uscc": {"type": "string", "maxLength": 40, "nullable": True},
            "contact": {"type": "string", "maxLength": 200, "nullable": True},
            "name": {"type": "string", "maxLength": 100, "nullable": True},
            "anonymous": {"type": "boolean", "nullable": True},
            "city": {"type": "string", "maxLength": 20, "nullable": True},
        },
    },
    "CaseFiled": {
        "type": "object",
        "required": ["tracking_no", "access_code", "department", "kind", "due"],
        "properties": {
            **_FILED_ONE["properties"],
            "access_code": _TEXT,
            "routing": {
                "type": "object",
                "properties": {"reasons": {"type": "array", "items": _TEXT}},
            },
            "related": {"type": "array", "items": _FILED_ONE},
        },
    },
    "CitizenCase": {
        "type": "object",
        "required": ["tracking_no", "kind", "status", "department", "events"],
        "properties": {
            "tracking_no": _TEXT,
            "kind": _TEXT,
            "status": {"type": "string", "enum": list(STATUSES)},
            "department": {
                "type": "object",
                "properties": {"code": _TEXT, "name": _TEXT},
            },
            "text": _TEXT,
            "company": _NTEXT,
            "filed_at": _WHEN,
            "deadlines": {"type": "object", "properties": {"accept": _DAY, "resolve": _DAY}},
            "overdue": {"type": "boolean"},
            "reject_reason": _NTEXT,
            "outcome": _NTEXT,
            "amount_yuan": _NNUM,
            "reward_yuan": _NNUM,
            "rating": {"type": "integer", "nullable": True},
            "rating_comment": _NTEXT,
            "can_rate": {"type": "boolean"},
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "at": _WHEN,
                        "action": _TEXT,
                        "status": _NTEXT,
                        "department": _NTEXT,
                        "note": _NTEXT,
                    },
                },
            },
        },
    },
    "DeskCaseSummary": {
        "type": "object",
        "required": ["tracking_no", "kind", "status", "department", "overdue"],
        "properties": {
            "tracking_no": _TEXT,
            "kind": _TEXT,
            "status": {"type": "string", "enum": list(STATUSES)},
            "department": _TEXT,
            "company": _NTEXT,
            "summary": _TEXT,
            "created_at": _WHEN,
            "accept_due": _DAY,
            "resolve_due": _DAY,
            "notify_due": _DAY,
            "overdue": {"type": "boolean"},
            "duplicate": {"type": "boolean"},
        },
    },
    "DeskCase": {
        "allOf": [
            {"$ref": "#/components/schemas/DeskCaseSummary"},
            {
                "type": "object",
                "properties": {
                    "text": _TEXT,
                    "reporter": {
                        "type": "object",
                        "nullable": True,
                        "properties": {"contact": _NTEXT, "name": _NTEXT},
                    },
                    "reporter_withheld": {"type": "boolean"},
                    "anonymous": {"type": "boolean"},
                    "routing_reasons": {"type": "array", "items": _TEXT},
                    "accepted_at": _NWHEN,
                    "resolved_at": _NWHEN,
                    "outcome": _NTEXT,
                    "reject_reason": _NTEXT,
                    "allowed_actions": {"type": "array", "items": _TEXT},
                    "events": {"type": "array", "items": {"type": "object"}},
                },
            },
        ]
    },
    "DeskActionDone": {
        "type": "object",
        "required": ["tracking_no", "action", "status", "department"],
        "properties": {
            "tracking_no": _TEXT,
            "action": _TEXT,
            "status": _TEXT,
            "department": _TEXT,
            "event_id": {"type": "integer"},
            "changes": {"type": "object"},
        },
    },
}

_NOTE = {"type": "string", "maxLength": 2000}
_ACTION_BODIES: dict[str, dict[str, Any]] = {
    "accept": {"note": _NOTE},
    "reject": {"reason": {"type": "string", "enum": list(REJECT_REASONS)}, "note": _NOTE},
    "transfer": {"department": _TEXT, "reason": {"type": "string", "minLength": 1}, "note": _NOTE},
    "progress": {
        "note": {"type": "string", "minLength": 1, "maxLength": 2000},
        "public": {"type": "boolean"},
    },
    "resolve": {
        "outcome": {"type": "string", "enum": _OUTCOMES},
        "amount_yuan": {"type": "number", "minimum": 0},
        "penalty_yuan": {"type": "number", "minimum": 0},
        "reward_level": {"type": "integer"},
        "note": _NOTE,
    },
    "close": {"note": _NOTE},
    "notify": {"note": _NOTE},
}
_ACTION_REQUIRED = {
    "reject": ["reason"],
    "transfer": ["department", "reason"],
    "progress": ["note"],
    "resolve": ["outcome"],
}


def _action_path(action: str) -> dict[str, Any]:
    required = _ACTION_REQUIRED.get(action, [])
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": _ACTION_BODIES[action],
    }
    if required:
        schema["required"] = required
    return {
        "post": {
            "summary": f"Desk action: {action} (logged as a case event)",
            "operationId": f"desk{action.capitalize()}",
            "security": _STAFF,
            "parameters": [_TRACKING],
            "requestBody": _body(schema, required=bool(required)),
            "responses": {
                "200": _json("DeskActionDone", "the action was applied"),
                "400": error_response("invalid values"),
                "401": error_response("missing, unknown or revoked staff token"),
                "404": error_response("no such case at the staff member's department"),
                "409": error_response("not allowed in the case's current state"),
                **_BODY_ERRORS,
            },
        }
    }


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/cases": {
        "post": {
            "summary": "File a complaint or tip",
            "operationId": "fileCase",
            "parameters": [_IDEMPOTENCY],
            "requestBody": _body({"$ref": "#/components/schemas/CaseSubmission"}),
            "responses": {
                "201": _json("CaseFiled", "filed (or the same case again, for a repeated key)"),
                "400": error_response(
                    "invalid field; `field` names it. A text the router reads as a "
                    "complaint needs a `contact` (only tips may be anonymous), so a body "
                    "that matches the schema can still be refused with field `contact`"
                ),
                "409": error_response("idempotency key reused for another submission"),
                "429": _LIMITED,
                **_BODY_ERRORS,
            },
        }
    },
    "/api/v1/cases/{tracking_no}": {
        "get": {
            "summary": "A case as the citizen sees it (needs the access code)",
            "operationId": "trackCase",
            "security": [{"accessCode": []}],
            "parameters": [_TRACKING, _ACCESS],
            "responses": {
                "200": _json("CitizenCase", "the case"),
                "400": error_response("no access code sent"),
                "404": error_response("no case with this number and access code"),
                "429": _LIMITED,
            },
        }
    },
    "/api/v1/cases/{tracking_no}/rating": {
        "post": {
            "summary": "Rate the handling of a finished case (once)",
            "operationId": "rateCase",
            "security": [{"accessCode": []}],
            "parameters": [_TRACKING, _ACCESS],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["rating"],
                    "additionalProperties": False,
                    "properties": {
                        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                        "comment": {"type": "string", "maxLength": 1000},
                    },
                }
            ),
            "responses": {
                "200": _json("CitizenCase", "rated"),
                "400": error_response("invalid rating"),
                "404": error_response("no case with this number and access code"),
                "409": error_response("not finished yet, or already rated"),
                "429": _LIMITED,
                **_BODY_ERRORS,
            },
        }
    },
    "/api/v1/desk/me": {
        "get": {
            "summary": "The staff member of the token",
            "operationId": "deskMe",
            "security": _STAFF,
            "responses": {
                "200": {"description": "staff member and department"},
                "401": error_response("missing, unknown or revoked staff token"),
            },
        }
    },
    "/api/v1/desk/cases": {
        "get": {
            "summary": "The department's cases, newest first",
            "operationId": "deskCases",
            "security": _STAFF,
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "allowEmptyValue": True,
                    "schema": {"type": "string", "enum": list(STATUSES)},
                },
                {
                    "name": "overdue",
                    "in": "query",
                    "allowEmptyValue": True,
                    "schema": {"type": "string", "enum": ["true", "false"]},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "allowEmptyValue": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                },
                {
                    "name": "before",
                    "in": "query",
                    "allowEmptyValue": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                },
            ],
            "responses": {
                "200": {
                    "description": "one page of cases; pass next_before as before for the next",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["items"],
                                "properties": {
                                    "department": _TEXT,
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/DeskCaseSummary"},
                                    },
                                    "next_before": {"type": "integer", "nullable": True},
                                },
                            }
                        }
                    },
                },
                "400": error_response("invalid filter"),
                "401": error_response("missing, unknown or revoked staff token"),
            },
        }
    },
    "/api/v1/desk/cases/{tracking_no}": {
        "get": {
            "summary": "One case of the department, with its log",
            "operationId": "deskCase",
            "security": _STAFF,
            "parameters": [_TRACKING],
            "responses": {
                "200": _json("DeskCase", "the case"),
                "401": error_response("missing, unknown or revoked staff token"),
                "404": error_response("no such case at the staff member's department"),
            },
        }
    },
    **{f"/api/v1/desk/cases/{{tracking_no}}/{a}": _action_path(a) for a in ACTIONS},
}
