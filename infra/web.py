"""Shared pieces of the HTTP layer: typed app keys, JSON responses and errors."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp_jinja2
import orjson
from aiohttp import web

from infra.characters import SURROGATE, has_surrogate
from infra.i18n import gettext
from infra.limits import RateLimited

if TYPE_CHECKING:
    from infra.settings import Settings

# The process's ``complaints.runtime.Services``. The ground floor cannot name that type
# (it sits above); each web package reads the key through a typed ``services(request)``.
SERVICES: web.AppKey[Any] = web.AppKey("services")
SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
# the ``Server`` header: no framework name or version for a scanner to match
SERVER_NAME = "zhixin"

_raw_dumps = functools.partial(json.dumps, ensure_ascii=False, default=str)
# what orjson cannot represent as the standard library would is handed to ``default``
# (str): dates and times as str() gives them, dataclasses as their repr
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_ORJSON |= orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_SERIALIZE_NUMPY
# a lone surrogate (infra.characters) escaped in a JSON body: valid UTF-8 bytes
# cannot carry one raw
_JSON_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _dumps(data: Any, **kwargs: Any) -> str:
    if not kwargs:
        try:
            return orjson.dumps(data, default=str, option=_ORJSON).decode()
        except TypeError:  # a lone surrogate, or an integer past 64 bits
            pass
    text = _raw_dumps(data, **kwargs)
    if SURROGATE.search(text):
        # stored before the edge refused them: escaped, the answer is still valid JSON
        text = SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def dumps(data: Any) -> str:
    """JSON with Chinese left readable (not ``\\uXXXX``), and never unencodable."""
    return _dumps(data)


def dumps_bytes(data: Any) -> bytes:
    """``dumps`` as the UTF-8 bytes of a response body, without a round trip through str."""
    try:
        return orjson.dumps(data, default=str, option=_ORJSON)
    except TypeError:  # a lone surrogate, or an integer past 64 bits
        return _dumps(data).encode()


def surrogate_field(data: Any, path: str = "") -> str | None:
    """The name (``note``, ``items[2].text``) of the first key or string holding a lone
    surrogate, or None."""
    if isinstance(data, str):
        return path or "body" if has_surrogate(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            if has_surrogate(str(key)):
                return name
            found = surrogate_field(value, name)
            if found:
                return found
    if isinstance(data, list):
        for i, value in enumerate(data):
            found = surrogate_field(value, f"{path}[{i}]")
            if found:
                return found
    return None


def refuse_surrogate(name: str) -> ApiError:
    return ApiError(
        400,
        "invalid_character",
        gettext("{name} contains a lone UTF-16 surrogate, which is not a character").format(
            name=name
        ),
        field=name,
    )


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


def status_message(status: int) -> str:
    """What a framework error (an unknown path, a wrong method...) says, in the reader's
    language; aiohttp's own reason phrases are English only."""
    if status == 404:
        return gettext("There is no page at this address.")
    if status == 405:
        return gettext("This address does not accept this kind of request.")
    if status == 413:
        return gettext("The request body is too large.")
    return gettext("The request is not valid.")


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
        raise ApiError(415, "unsupported_media_type", gettext("Send the body as application/json."))
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "too_large", gettext("The request body is too large.")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", gettext("The body is not valid UTF-8.")) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = gettext("The body is not valid JSON (line {line}, column {column}).")
        raise ApiError(
            400, "invalid_json", message.format(line=exc.lineno, column=exc.colno)
        ) from None
    except RecursionError:
        raise ApiError(400, "invalid_json", gettext("The body is nested too deeply.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", gettext("The body must be a JSON object."))
    if _JSON_SURROGATE.search(raw):
        name = surrogate_field(data)
        if name is not None:
            raise refuse_surrogate(name)
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
