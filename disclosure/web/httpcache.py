"""Conditional responses for public reads: a strong ETag over the body, 304 on a match."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from infra.web import dumps_bytes

PUBLIC_MAX_AGE = 60


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` uses weak comparison: ``W/"x"`` matches ``"x"``; ``*`` matches all."""
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def conditional(
    request: web.Request,
    body: bytes,
    content_type: str,
    max_age: int = PUBLIC_MAX_AGE,
    status: int = 200,
) -> web.Response:
    """The body with ETag and Cache-Control, or an empty 304 when the client has it."""
    etag = etag_for(body)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}",
        # Grade meanings and labels follow the negotiated language.
        "Vary": "Accept-Language",
    }
    if status == 200 and etag_matches(request.headers.get("If-None-Match"), etag):
        return web.Response(status=304, headers=headers)
    return web.Response(
        body=body, status=status, content_type=content_type, charset="utf-8", headers=headers
    )


def cached_json(request: web.Request, data: Any, max_age: int = PUBLIC_MAX_AGE) -> web.Response:
    return conditional(request, dumps_bytes(data), "application/json", max_age)
