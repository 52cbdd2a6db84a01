"""What the disclosure web handlers read from the application.

The process's services are assembled above this domain (``complaints.runtime``), so the
handlers see them through :class:`PublishedServices`, the part they use. The complaint
counts on a company's page and the extras of the home page (the running campaign) come
from other domains: the composition root puts them under the keys below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from disclosure.cache import PublishedData
from disclosure.service import ComplaintCounts
from infra.ratelimit import RateLimiter
from infra.web import SERVICES

# what the home page adds to its context besides search and recalls (the campaign banner)
HomeExtra = Callable[[AsyncSession], Awaitable[dict[str, Any]]]
HOME_EXTRAS: web.AppKey[list[HomeExtra]] = web.AppKey("home_extras")
COMPLAINT_COUNTS: web.AppKey[ComplaintCounts] = web.AppKey("complaint_counts")


class PublishedServices(Protocol):
    sessions: async_sessionmaker[AsyncSession]
    published: PublishedData
    limiter: RateLimiter


def services(request: web.Request) -> PublishedServices:
    return request.app[SERVICES]


def complaint_counts(request: web.Request) -> ComplaintCounts | None:
    return request.app.get(COMPLAINT_COUNTS)


async def home_extras(request: web.Request, session: AsyncSession) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for extra in request.app.get(HOME_EXTRAS, []):
        extras.update(await extra(session))
    return extras
