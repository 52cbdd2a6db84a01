"""HTTP adapter of the campaign reports: the JSON API, the pages and the downloads.

May import: aiohttp, infra, and the service modules of campaigns, complaints, disclosure.
"""

from campaigns.web.routes import OPENAPI_PATHS, OPENAPI_SCHEMAS, setup_routes

__all__ = ["OPENAPI_PATHS", "OPENAPI_SCHEMAS", "setup_routes"]
