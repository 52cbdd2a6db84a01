"""Open311 GeoReport v2: a protocol adapter over the complaints services.

Discovery, services, requests and tokens, in JSON and XML (``open311.formats``), with
the OpenAPI description of its paths (``open311.openapi``). It files and reads cases
only through ``complaints`` service functions, as the web pages and the bot do.

May import: aiohttp, infra, nlp, and the service modules of disclosure and complaints.
"""

from open311.handlers import setup_routes
from open311.openapi import OPENAPI_PATHS, OPENAPI_SCHEMAS

__all__ = ["OPENAPI_PATHS", "OPENAPI_SCHEMAS", "setup_routes"]
