"""Shared pieces of the HTTP layer: typed app keys, JSON responses and errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp_jinja2
from aiohttp import web

from infra.i18n import gettext
from infra.limits import RateLimited

if TYPE_CHECKING:
    from infra.settings import Settings

# The process's ``complaints.runtime.Services``. The ground floor cannot name that type
# (it sits above); each web package reads the key through a typed ``services(request)``.
SERVICES: web.AppKey[Any] = web.AppKey("services")
SETTINGS: web.AppKey[Settings] = web.AppKey("settings")

_dumps = functools.partial(json.dumps, ensure_ascii=False, default=str)


def dumps(data: Any) -> str:
    """JSON with Chinese left readable (not ``\\uXXXX``)."""
    return _dumps(data)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(data, status=status, headers=headers, dumps=_dumps)


class ApiError(web.HTTPException):
    """A 4xx (or 503) that renders as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        self.status_code = status
        super().__init__(
            text=dumps({"error": {"code": code, "message": message, **details}}),
            content_type="application/json",
        )
        self.code = code
        self.message = message


def lang(request: web.Request) -> str:
    return request.get("lang", "zh")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def render(
    template: str, request: web.Request, context: dict[str, Any], status: int = 200
) -> web.Response:
    """Render a Jinja2 page (autoescaped) with the request's language in the context."""
    context.setdefault("lang", lang(request))
    return aiohttp_jinja2.render_template(template, request, context, status=status)


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400/413/415 with a clear message."""
    if request.content_type not in ("application/json", ""):
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "too_large", "the request body is too large") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "the body is not valid UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    return data


def too_many(exc: RateLimited) -> ApiError:
    """429 with ``Retry-After`` and the JSON error body."""
    error = ApiError(
        429,
        "rate_limited",
        gettext("Too many attempts; try again in {minutes} minutes.").format(minutes=exc.minutes),
        retry_after=int(exc.header),
    )
    error.headers["Retry-After"] = exc.header
    return error
