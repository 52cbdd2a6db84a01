"""HTTP adapter of published data: the JSON API, the Atom feed, the objection desk, pages.

``api`` holds the JSON handlers (described in ``openapi``), ``pages`` the HTML pages;
``common`` what they read from the application, including what other domains add
(complaint counts, the campaign banner), put there by the composition root.
``setup_routes`` mounts them; ``OPENAPI_PATHS`` and ``OPENAPI_SCHEMAS`` are this
package's fragment of the OpenAPI document.

May import: aiohttp and aiohttp_jinja2, infra, nlp, disclosure services.
"""

from disclosure.web.api import setup_routes
from disclosure.web.openapi import OPENAPI_PATHS, OPENAPI_SCHEMAS

__all__ = ["OPENAPI_PATHS", "OPENAPI_SCHEMAS", "setup_routes"]
