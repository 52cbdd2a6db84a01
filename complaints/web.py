"""HTTP handlers for complaints and tips."""

from __future__ import annotations

from typing import Any

from aiohttp import web

OPENAPI_PATHS: dict[str, Any] = {}
OPENAPI_SCHEMAS: dict[str, Any] = {}


def setup_routes(app: web.Application) -> None:
    """Case intake, tracking, the department desk and Open311."""
