"""The typed view of the process's services for the complaints web handlers."""

from __future__ import annotations

from aiohttp import web

from complaints.runtime import Services
from infra.web import SERVICES


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


def services_of(app: web.Application) -> Services:
    return app[SERVICES]
