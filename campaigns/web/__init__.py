"""HTTP adapter of the campaign reports and the annual assessment: the JSON API, the pages
and the downloads.

May import: aiohttp, infra, and the service modules of campaigns, complaints, disclosure.
"""

from aiohttp import web

from campaigns.web import assessment, routes

OPENAPI_PATHS = {**routes.OPENAPI_PATHS, **assessment.OPENAPI_PATHS}
OPENAPI_SCHEMAS = {**routes.OPENAPI_SCHEMAS, **assessment.OPENAPI_SCHEMAS}


def setup_routes(app: web.Application) -> None:
    """Campaign reports, then the annual assessment."""
    routes.setup_routes(app)
    assessment.setup(app)


__all__ = ["OPENAPI_PATHS", "OPENAPI_SCHEMAS", "setup_routes"]
