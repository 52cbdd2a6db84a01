"""OpenAPI description of the evidence routes (citizen and desk)."""

from __future__ import annotations

from typing import Any

from infra.openapi import error_response

_TRACKING = {
    "name": "tracking_no",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 32},
}
_ID = {"name": "evidence_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ACCESS = {
    "name": "X-Access-Code",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
}
_CITIZEN = [{"accessCode": []}]
_STAFF = [{"staffToken": []}]
_BINARY = {"type": "string", "format": "binary"}
_FILE = {
    "description": "the file: a re-encoded photo (JPEG or PNG, no metadata) or a PDF "
    "(always with Content-Disposition: attachment)",
    "content": {t: {"schema": _BINARY} for t in ("image/jpeg", "image/png", "application/pdf")},
}
_THUMB = {"description": "a JPEG thumbnail", "content": {"image/jpeg": {"schema": _BINARY}}}
_LIST = {
    "description": "the case's kept files, oldest first",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Evidence"},
                    }
                },
            }
        }
    },
}
_NOT_FOUND = error_response("no such case (or access code), or no such file on it")
_STAFF_401 = error_response("missing, unknown or revoked staff token")
_LIMITED = error_response("too many wrong access codes; see Retry-After")


def _get(summary: str, op: str, params: list, ok: dict, staff: bool) -> dict[str, Any]:
    responses = {"200": ok, "404": _NOT_FOUND}
    if staff:
        responses["401"] = _STAFF_401
    else:
        responses["400"] = error_response("no access code sent")
        responses["429"] = _LIMITED
    return {
        "get": {
            "summary": summary,
            "operationId": op,
            "security": _STAFF if staff else _CITIZEN,
            "parameters": params,
            "responses": responses,
        }
    }


EVIDENCE_PATHS: dict[str, Any] = {
    "/api/v1/cases/{tracking_no}/evidence": {
        "post": {
            "summary": "Add a photo or document to a case (multipart, field file)",
            "description": "JPEG, PNG, WebP or GIF photos (re-encoded; EXIF and GPS removed) "
            "or PDF documents, decided by the content, at most 10 MB each, 10 files and "
            "50 MB per case. The department hears of it.",
            "operationId": "addEvidence",
            "security": _CITIZEN,
            "parameters": [_TRACKING, _ACCESS],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": _BINARY,
                                "note": {"type": "string", "maxLength": 1000},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "stored",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["id", "content_type", "bytes", "sha256"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "content_type": {"type": "string"},
                                    "bytes": {"type": "integer"},
                                    "sha256": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "400": error_response("no access code, or no single file in the field file"),
                "404": _NOT_FOUND,
                "409": error_response("the case has its 10 files already"),
                "413": error_response("the file or the case's files are too large"),
                "415": error_response("not multipart, or not a photo or PDF by its content"),
                "429": _LIMITED,
            },
        },
        **_get("The citizen's evidence list", "listEvidence", [_TRACKING, _ACCESS], _LIST, False),
    },
    "/api/v1/cases/{tracking_no}/evidence/{evidence_id}": _get(
        "One evidence file (the citizen)", "getEvidence", [_TRACKING, _ID, _ACCESS], _FILE, False
    ),
    "/api/v1/desk/cases/{tracking_no}/evidence": _get(
        "A case's evidence list (the handling department)", "deskEvidence", [_TRACKING], _LIST, True
    ),
    "/api/v1/desk/cases/{tracking_no}/evidence/{evidence_id}": _get(
        "One evidence file (the handling department)",
        "deskEvidenceFile",
        [_TRACKING, _ID],
        _FILE,
        True,
    ),
    "/api/v1/desk/cases/{tracking_no}/evidence/{evidence_id}/thumbnail": _get(
        "A photo's thumbnail (the handling department)",
        "deskEvidenceThumbnail",
        [_TRACKING, _ID],
        _THUMB,
        True,
    ),
}

EVIDENCE_SCHEMAS: dict[str, Any] = {
    "Evidence": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["image", "document"]},
            "content_type": {"type": "string"},
            "bytes": {"type": "integer"},
            "sha256": {"type": "string"},
            "width": {"type": "integer", "nullable": True},
            "height": {"type": "integer", "nullable": True},
            "thumbnail": {"type": "boolean"},
            "channel": {"type": "string"},
            "note": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "added_by": {"type": "string"},
        },
    }
}
