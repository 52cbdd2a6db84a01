"""CSRF protection for HTML forms: a per-browser random cookie and a token derived from it.

The cookie is ``SameSite=Strict`` and the token is an HMAC of the cookie under the
service secret, so a page from another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

from infra.i18n import gettext
from infra.web import SETTINGS, ApiError, Handler

COOKIE = "zx_csrf"
FIELD = "csrf_token"
_BROWSER_ID: web.RequestKey[str] = web.RequestKey("csrf_browser_id", str)


def _sign(secret: str, browser_id: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{browser_id}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: web.Request) -> str:
    """The token to put in a form's hidden ``csrf_token`` field."""
    browser_id = request.cookies.get(COOKIE) or request.get(_BROWSER_ID)
    if not browser_id:
        browser_id = secrets.token_urlsafe(24)
        request[_BROWSER_ID] = browser_id
    return _sign(request.app[SETTINGS].require_secret(), browser_id)


def set_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Send the browser id cookie when this request created one."""
    browser_id = request.get(_BROWSER_ID)
    if browser_id and not request.cookies.get(COOKIE):
        response.set_cookie(
            COOKIE, browser_id, httponly=True, samesite="Strict", secure=request.secure, path="/"
        )


def check(request: web.Request, submitted: str | None) -> None:
    """403 unless ``submitted`` is the token for this browser's cookie."""
    browser_id = request.cookies.get(COOKIE)
    if not browser_id or not submitted:
        raise ApiError(403, "csrf", gettext("The form has expired; reload the page and try again."))
    expected = _sign(request.app[SETTINGS].require_secret(), browser_id)
    if not hmac.compare_digest(expected, submitted):
        raise ApiError(403, "csrf", gettext("The form has expired; reload the page and try again."))


@web.middleware
async def csrf_cookie_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    set_cookie(request, response)
    return response
