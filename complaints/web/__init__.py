"""HTTP adapter of complaints and tips: intake, tracking and the department desk.

The JSON API (``api``, described in ``openapi``), the citizens' pages (``pages``), the
desk API (``desk``) and the desk pages (``desk_pages``), all calling the complaints
services. ``setup_routes`` mounts them; ``OPENAPI_PATHS`` and ``OPENAPI_SCHEMAS`` are
this package's fragment of the OpenAPI document.

May import: aiohttp and aiohttp_jinja2, infra, nlp, complaints and disclosure services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp_jinja2
from aiohttp import web

from complaints.labels import label
from complaints.overdue import overdue_watch
from complaints.web import api, desk, desk_objections, desk_pages, evidence, pages
from complaints.web.common import services_of
from complaints.web.evidence_openapi import EVIDENCE_PATHS, EVIDENCE_SCHEMAS
from complaints.web.openapi import OPENAPI_PATHS as CASE_PATHS
from complaints.web.openapi import OPENAPI_SCHEMAS as CASE_SCHEMAS
from complaints.web.openapi_links import PATHS as LINK_PATHS

__all__ = ["OPENAPI_PATHS", "OPENAPI_SCHEMAS", "OVERDUE_WATCH", "setup_routes"]

OPENAPI_PATHS = {**CASE_PATHS, **EVIDENCE_PATHS, **LINK_PATHS}
OPENAPI_SCHEMAS = {**CASE_SCHEMAS, **EVIDENCE_SCHEMAS}

# False turns off the background overdue round (a test drives it by hand, unraced).
OVERDUE_WATCH: web.AppKey[bool] = web.AppKey("overdue_watch", bool)


def setup_routes(app: web.Application) -> None:
    """Case intake, tracking and the department desk."""
    env = aiohttp_jinja2.get_env(app)
    if env is not None:
        env.globals["case_label"] = label
        # desk pages get ISO strings from the JSON-shaped case; the date filters want objects
        env.globals["from_iso"] = datetime.fromisoformat
    api.setup(app)
    pages.setup(app)
    desk.setup(app)
    desk_pages.setup(app)
    evidence.setup(app)
    desk_objections.setup(app)
    # keeps the overdue gauge and the case.overdue notices current (see overdue.py)
    app.cleanup_ctx.append(_overdue_watch)


async def _overdue_watch(app: web.Application) -> AsyncIterator[None]:
    if not app.get(OVERDUE_WATCH, True):
        yield
        return
    services = services_of(app)
    async with overdue_watch(services.sessions, services.metrics):
        yield
