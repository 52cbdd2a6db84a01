"""The OpenAPI 3 document, assembled from the fragments the web packages declare.

Every web package (``zhixin.mounts.WEB_PACKAGES``) that adds ``/api/v1`` or
``/open311`` routes also declares them in its ``OPENAPI_PATHS``; a test checks that
the routes and the document agree. No package imports this module: it collects.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aiohttp import web

import zhixin
from infra.openapi import ERROR_SCHEMA
from zhixin.mounts import WEB_PACKAGES


@cache
def _document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for package in WEB_PACKAGES:
        paths.update(package.OPENAPI_PATHS)
        schemas.update(package.OPENAPI_SCHEMAS)
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
