"""HTTP adapter of quality credit: the enterprise quality archive (API, page, staff CSV)
and the grading authority's desk for grade proposals.

May import: aiohttp and aiohttp_jinja2, infra, and the service modules of credit,
campaigns, complaints and disclosure.
"""

from aiohttp import web

from credit.web import archive, desk
from credit.web.common import DESK_STAFF
from credit.web.openapi import OPENAPI_PATHS, OPENAPI_SCHEMAS


def setup_routes(app: web.Application) -> None:
    """The archive's API, page and CSV; the proposals desk's API and page."""
    archive.setup(app)
    desk.setup(app)


__all__ = ["DESK_STAFF", "OPENAPI_PATHS", "OPENAPI_SCHEMAS", "setup_routes"]
