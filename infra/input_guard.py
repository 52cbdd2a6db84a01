"""Characters no request may carry: NUL in the path, the query string, form fields or
JSON strings.

No text a person types contains NUL, PostgreSQL refuses it in text columns and query
parameters, and C-based tools cut strings at it; so such a request is answered with a
400 at the door instead of a database error deep inside.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from infra.i18n import gettext
from infra.web import SETTINGS, ApiError, Handler

# How a protocol with its own error format answers a NUL: path prefix -> answer
# (Open311 answers in its JSON or XML; the composition root fills this in).
Refusal = Callable[[web.Request, str], web.StreamResponse]
REFUSALS: web.AppKey[dict[str, Refusal]] = web.AppKey("nul_refusals")

# a JSON-escaped NUL: ``\u0000`` after an even number of backslashes (an odd number
# would make the backslash itself the escaped character)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(request: web.Request) -> web.StreamResponse:
    message = gettext("The request contains a NUL character.")
    for prefix, refusal in request.app.get(REFUSALS, {}).items():
        if request.path.startswith(prefix):
            return refusal(request, message)
    raise ApiError(400, "invalid_character", message)


async def _body_has_nul(request: web.Request) -> bool:
    if request.method not in ("POST", "PUT", "PATCH") or not request.body_exists:
        return False
    size = request.content_length
    # bodies over the limit (or of unknown size) are left to the handler's 413
    if size is None or size > request.app[SETTINGS].max_body_bytes:
        return False
    if request.content_type in _FORMS:
        try:
            form = await request.post()  # kept by aiohttp for the handler
        except (ValueError, UnicodeDecodeError, HttpProcessingError):
            return False  # the handler answers that (a malformed multipart part too)
        return any(isinstance(v, str) and "\x00" in v for v in form.values()) or any(
            "\x00" in k for k in form.keys()
        )
    if request.content_type == "application/json":
        return _JSON_NUL.search(await request.read()) is not None
    return False


@web.middleware
async def refuse_nul(request: web.Request, handler: Handler) -> web.StreamResponse:
    """400 for a NUL anywhere in what the handlers read."""
    try:
        in_url = "\x00" in request.path or any(
            "\x00" in k or "\x00" in v for k, v in request.query.items()
        )
    except UnicodeDecodeError:
        in_url = False  # the error middleware answers invalid UTF-8
    if in_url or await _body_has_nul(request):
        return _refuse(request)
    return await handler(request)
