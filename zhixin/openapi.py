"""The OpenAPI 3 document, assembled from the paths each web module declares.

Every module that adds ``/api/v1`` or ``/open311`` routes also declares them
in its ``OPENAPI_PATHS``; a test checks that the routes and the document agree.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aiohttp import web

import zhixin
from infra.openapi import ERROR_SCHEMA


def _modules() -> list[Any]:
    import open311
    from campaigns import web as campaigns_web
    from complaints import web as complaints_web
    from disclosure import web as disclosure_web

    return [disclosure_web, complaints_web, open311, campaigns_web]


@cache
def _document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for module in _modules():
        paths.update(getattr(module, "OPENAPI_PATHS", {}))
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    doc = {
        "openapi": "3.0.3",
        "info": {
            "title": "Zhixin (质信) public API",
            "version": zhixin.__version__,
            "description": "Quality-credit grades, recall notices and quality complaints "
            "of Jiangsu province.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "staffToken": {"type": "http", "scheme": "bearer"},
                "accessCode": {"type": "apiKey", "in": "header", "name": "X-Access-Code"},
            },
        },
    }
    return doc


def build_openapi(_app: web.Application | None = None) -> dict[str, Any]:
    """The document (built once per process: the declared paths do not change)."""
    return _document()
