"""The credit package's fragment of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from credit.web.archive import ITEM
from infra.openapi import error_response

_ID = {
    "name": "proposal_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": 999999999},
}
_USCC = {"name": "uscc", "in": "path", "required": True, "schema": {"type": "string"}}
_STAFF = [{"staffToken": []}]
_DECISION = {
    "200": {
        "description": "the decision; the grade is published",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GradeDecision"}}},
    },
    "400": error_response("a grade or reason that cannot be used"),
    "401": error_response("no valid staff token"),
    "404": error_response("no such proposal, or not the grading authority"),
    "409": error_response("the proposal has already been decided"),
    "413": error_response("body too large"),
    "415": error_response("not JSON"),
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "ArchiveEvent": ITEM,
    "Archive": {
        "type": "object",
        "required": ["uscc", "name", "items", "next"],
        "properties": {
            "uscc": {"type": "string"},
            "name": {"type": "string"},
            "total": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ArchiveEvent"}},
            "next": {"type": "string", "nullable": True},
        },
    },
    "GradeProposal": {
        "type": "object",
        "required": ["id", "uscc", "year", "proposed", "status", "reasons"],
        "properties": {
            "id": {"type": "integer"},
            "uscc": {"type": "string"},
            "enterprise": {"type": "string"},
            "year": {"type": "integer"},
            "proposed": {"type": "string"},
            "score": {"type": "number"},
            "published_grade": {"type": "string", "nullable": True},
            "status": {"type": "string", "enum": ["proposed", "accepted", "overridden"]},
            "decided_grade": {"type": "string", "nullable": True},
            "reward_eligible": {"type": "boolean"},
            "explanation": {"type": "object"},
            "reasons": {"type": "array", "items": {"type": "string"}},
        },
    },
    "GradeDecision": {
        "type": "object",
        "required": ["id", "status", "grade"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string"},
            "grade": {"type": "string"},
            "year": {"type": "integer"},
            "uscc": {"type": "string"},
        },
    },
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/enterprises/{uscc}/archive": {
        "get": {
            "summary": "The enterprise quality archive: dated events, newest first",
            "operationId": "getEnterpriseArchive",
            "parameters": [
                _USCC,
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                },
            ],
            "responses": {
                "200": {
                    "description": "one page of the archive and the cursor of the next",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Archive"}}
                    },
                },
                "400": error_response("a malformed code, cursor or limit"),
                "404": error_response("no enterprise with this code"),
            },
        }
    },
    "/api/v1/desk/enterprises/{uscc}/archive.csv": {
        "get": {
            "summary": "The whole archive as CSV for staff (case numbers included)",
            "operationId": "getEnterpriseArchiveCsv",
            "security": _STAFF,
            "parameters": [_USCC],
            "responses": {
                "200": {
                    "description": "CSV",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                "400": error_response("a malformed code"),
                "401": error_response("no valid staff token"),
                "404": error_response("no enterprise with this code"),
            },
        }
    },
    "/api/v1/desk/grade-proposals": {
        "get": {
            "summary": "The year's grade proposals with their explanations (grading authority)",
            "operationId": "listGradeProposals",
            "security": _STAFF,
            "parameters": [
                {"name": "year", "in": "query", "schema": {"type": "integer"}},
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["proposed", "accepted", "overridden"]},
                },
            ],
            "responses": {
                "200": {
                    "description": "the proposals",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "year": {"type": "integer"},
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/GradeProposal"},
                                    },
                                },
                            }
                        }
                    },
                },
                "400": error_response("a bad year or status"),
                "401": error_response("no valid staff token"),
            },
        }
    },
    "/api/v1/desk/grade-proposals/{proposal_id}/accept": {
        "post": {
            "summary": "Accept a proposal: its grade is published",
            "operationId": "acceptGradeProposal",
            "security": _STAFF,
            "parameters": [_ID],
            "requestBody": {
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "responses": _DECISION,
        }
    },
    "/api/v1/desk/grade-proposals/{proposal_id}/override": {
        "post": {
            "summary": "Publish another grade than proposed, with the reason",
            "operationId": "overrideGradeProposal",
            "security": _STAFF,
            "parameters": [_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["grade", "reason"],
                            "properties": {
                                "grade": {
                                    "type": "string",
                                    "enum": ["AAA", "AA", "A", "B", "C", "D"],
                                },
                                "reason": {"type": "string", "minLength": 10, "maxLength": 2000},
                            },
                        }
                    }
                },
            },
            "responses": _DECISION,
        }
    },
}
