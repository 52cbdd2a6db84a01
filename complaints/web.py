"""HTTP wiring for complaints and tips: intake, tracking and the department desk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from complaints import api, api_doc, desk, desk_pages, pages
from complaints.labels import label
from complaints.overdue import overdue_watch

OPENAPI_PATHS: dict[str, Any] = {
    **api_doc.OPENAPI_PATHS,
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    **api_doc.OPENAPI_SCHEMAS,
}


def setup_routes(app: web.Application) -> None:
    """Case intake, tracking, the department desk and Open311."""
    env = aiohttp_jinja2.get_env(app)
    if env is not None:
        env.globals["case_label"] = label
        # desk pages get ISO strings from the JSON-shaped case; the date filters want objects
        env.globals["from_iso"] = datetime.fromisoformat
    api.setup(app)
    pages.setup(app)
    desk.setup(app)
    desk_pages.setup(app)
    # keeps the overdue gauge and the case.overdue notices current (see overdue.py)
    app.cleanup_ctx.append(overdue_watch)
