"""The web packages the application mounts, in order, and how they fit together.

Each exposes ``setup_routes(app)`` and its OpenAPI fragment (``OPENAPI_PATHS``,
``OPENAPI_SCHEMAS``): the app factory mounts them, ``zhixin.openapi`` assembles the
document from them, and ``wire_domains`` puts under the keys of one package what
another domain provides.
"""

from __future__ import annotations

from types import ModuleType

from aiohttp import web

import campaigns.web
import complaints.web
import credit.web
import disclosure.web
import open311
from campaigns.windows import home_banner
from complaints.service import counts_by_outcome
from complaints.web.desk_pages import session_staff
from disclosure.web.common import COMPLAINT_COUNTS, HOME_EXTRAS
from infra.input_guard import REFUSALS
from open311 import formats as open311_formats

WEB_PACKAGES: tuple[ModuleType, ...] = (
    disclosure.web,
    complaints.web,
    open311,
    campaigns.web,
    credit.web,
)


def wire_domains(app: web.Application) -> None:
    """What one domain's pages show of another's, and Open311's own error format."""
    app[COMPLAINT_COUNTS] = counts_by_outcome
    app[HOME_EXTRAS] = [home_banner]
    app[credit.web.DESK_STAFF] = session_staff
    app[REFUSALS] = {"/open311/": open311_formats.refuse}


def mount_routes(app: web.Application) -> None:
    for package in WEB_PACKAGES:
        package.setup_routes(app)
