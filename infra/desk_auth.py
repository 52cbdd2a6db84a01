"""Staff sign-in for the desk APIs: the staff account behind ``Authorization: Bearer``.

Every domain's desk routes (cases, evidence, objections, grade proposals) use this one
check, so a revoked or expired token is refused the same way everywhere.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts import Staff, staff_for_token
from infra.i18n import gettext
from infra.web import ApiError

MAX_TOKEN = 200


def unauthorized() -> ApiError:
    """The 401 for a missing, unknown, revoked or expired staff token."""
    exc = ApiError(401, "unauthorized", gettext("a valid staff token is required"))
    exc.headers["WWW-Authenticate"] = 'Bearer realm="desk"'
    return exc


async def bearer_staff(request: web.Request, sessions: async_sessionmaker[AsyncSession]) -> Staff:
    """The staff member of the request's ``Authorization: Bearer`` token, or a 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN:
        raise unauthorized()
    async with sessions() as session:
        staff = await staff_for_token(session, token)
    if staff is None:
        raise unauthorized()
    return staff
