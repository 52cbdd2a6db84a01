"""What the credit web handlers read from the application: services, the desk's staff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from infra import desk_auth
from infra.accounts import Staff
from infra.web import SERVICES

# the desk pages' logged-in staff member (the desk's session cookie); the composition
# root puts the complaints desk's reader here, so one login serves every desk page
DeskStaff = Callable[[web.Request], Awaitable[Staff | None]]
DESK_STAFF: web.AppKey[DeskStaff] = web.AppKey("credit_desk_staff")
NO_STORE = {"Cache-Control": "no-store"}


def services(request: web.Request) -> Any:
    return request.app[SERVICES]


def department_names(request: web.Request, lang: str) -> dict[str, str]:
    return {code: spec.name(lang) for code, spec in services(request).departments.items()}


async def bearer_staff(request: web.Request) -> Staff:
    """The staff member of the ``Authorization: Bearer`` token, or a 401."""
    return await desk_auth.bearer_staff(request, services(request).sessions)


async def page_staff(request: web.Request) -> Staff | None:
    reader = request.app.get(DESK_STAFF)
    return await reader(request) if reader is not None else None
