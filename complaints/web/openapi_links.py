"""The OpenAPI description of the desk's enterprise link (``POST .../enterprise``)."""

from __future__ import annotations

from typing import Any

from infra.openapi import error_response

_BODY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["uscc"],
    "properties": {
        "uscc": {
            "type": "string",
            "nullable": True,
            "description": "the registered enterprise's code; null removes the link",
        },
        "note": {"type": "string", "maxLength": 2000},
    },
}
_DONE = {
    "type": "object",
    "required": ["tracking_no", "action", "enterprise_uscc", "event_id", "changes"],
    "properties": {
        "tracking_no": {"type": "string"},
        "action": {"type": "string", "enum": ["link_enterprise", "unlink_enterprise"]},
        "enterprise_uscc": {"type": "string", "nullable": True},
        "event_id": {"type": "integer"},
        "changes": {"type": "object"},
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/desk/cases/{tracking_no}/enterprise": {
        "post": {
            "summary": "Link the case to a registered enterprise, or unlink it (logged)",
            "operationId": "deskEnterpriseLink",
            "security": [{"staffToken": []}],
            "parameters": [
                {
                    "name": "tracking_no",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _BODY}},
            },
            "responses": {
                "200": {
                    "description": "the link was changed",
                    "content": {"application/json": {"schema": _DONE}},
                },
                "400": error_response("not a code, or no enterprise has it"),
                "401": error_response("missing, unknown or revoked staff token"),
                "404": error_response("no such case at the staff member's department"),
                "409": error_response("the case is already linked that way"),
                "413": error_response("body too large"),
                "415": error_response("not JSON"),
            },
        }
    }
}
