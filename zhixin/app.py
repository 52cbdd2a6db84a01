"""The aiohttp application factory."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.exc import DBAPIError, OperationalError

from complaints.runtime import Services
from infra import i18n
from infra.characters import has_surrogate, readable
from infra.clients import forwarded_scheme
from infra.csrf import csrf_cookie_middleware, csrf_token
from infra.health import DatabaseProbe, is_database_unavailable
from infra.input_guard import refuse_nul
from infra.settings import Settings
from infra.web import (
    SERVER_NAME,
    SERVICES,
    SETTINGS,
    ApiError,
    Handler,
    dumps,
    json_response,
    status_message,
)
from nlp.lookup import warm_up
from zhixin.apidocs import api_docs
from zhixin.mounts import mount_routes, wire_domains
from zhixin.openapi import build_openapi

log = logging.getLogger(__name__)

PACKAGES = ("zhixin", "disclosure", "complaints", "campaigns", "credit", "bot")
_ROOT = Path(__file__).resolve().parent.parent
_DB_DOWN = (OperationalError, ConnectionRefusedError, TimeoutError)


def _is_api(request: web.Request) -> bool:
    return request.path.startswith(("/api/", "/open311/", "/openapi", "/healthz", "/feeds/"))


@web.middleware
async def language_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    lang = i18n.negotiate(request.query.get("lang"), request.headers.get("Accept-Language"))
    request["lang"] = lang
    token = i18n.current_lang.set(lang)
    try:
        return await handler(request)
    finally:
        i18n.current_lang.reset(token)


def _wants_json(request: web.Request) -> bool:
    """A client that asks for JSON and not for a page (scripts posting to the forms)."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _error(request: web.Request, status: int, code: str, message: str) -> web.StreamResponse:
    if _is_api(request) or _wants_json(request) or not request.app.get(JINJA_READY, False):
        return json_response({"error": {"code": code, "message": message}}, status=status)
    response = aiohttp_jinja2.render_template(
        "error.html",
        request,
        {"status": status, "message": message, "lang": request.get("lang", "zh")},
        status=status,
    )
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """4xx as ``{"error": {...}}`` (or an HTML page), 503 when the database is down, and
    never a stack trace."""
    try:
        return await handler(request)
    except ApiError as exc:
        if _is_api(request) or _wants_json(request):
            raise
        response = _error(request, exc.status, exc.code, exc.message)
        for name in ("Retry-After", "WWW-Authenticate"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status, "bad_request"
        )
        # a handler's own text is translated where it is raised; aiohttp's default is not
        default = exc.text is None or exc.text.startswith(str(exc.status))
        message = status_message(exc.status) if default else exc.text
        response = _error(request, exc.status, code, message)
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response
    except UnicodeDecodeError:
        # form fields, query strings and path parts are decoded on first use
        message = i18n.gettext("The request is not valid UTF-8.")
        return _error(request, 400, "invalid_encoding", message)
    except _DB_DOWN as exc:
        log.warning("database unavailable: %s", type(exc).__name__)
        response = _error(
            request, 503, "unavailable", i18n.gettext("The service is busy; try again shortly.")
        )
        response.headers["Retry-After"] = "5"
        return response
    except DBAPIError as exc:
        if is_database_unavailable(exc):  # connection lost, or a read-only database
            log.warning("database unavailable: %s", type(exc).__name__)
            response = _error(
                request, 503, "unavailable", i18n.gettext("The service is busy; try again shortly.")
            )
            response.headers["Retry-After"] = "5"
            return response
        log.exception("database error on %s %s", request.method, request.path)
        return _error(request, 500, "internal", i18n.gettext("Internal error."))
    except Exception as exc:
        if is_database_unavailable(exc):  # a connection reset or refused by the driver itself
            log.warning("database unavailable: %s", type(exc).__name__)
            response = _error(
                request, 503, "unavailable", i18n.gettext("The service is busy; try again shortly.")
            )
            response.headers["Retry-After"] = "5"
            return response
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(request, 500, "internal", i18n.gettext("Internal error."))


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        # JSON errors and redirects travel as exceptions; they get the headers too
        _secure(request, exc.headers, exc.content_type)
        raise
    _secure(request, response.headers, response.content_type)
    return response


def _secure(request: web.Request, headers: Any, content_type: str) -> None:
    # aiohttp would announce itself and its version
    headers["Server"] = SERVER_NAME
    if request.secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if content_type == "text/html":
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Frame-Options", "DENY")


JINJA_READY: web.AppKey[bool] = web.AppKey("jinja_ready")
DB_PROBE: web.AppKey[DatabaseProbe] = web.AppKey("db_probe")


def _encodable(value: Any) -> Any:
    """What a page shows, without lone surrogates (a stored one must not break it)."""
    if isinstance(value, str) and has_surrogate(value):
        return type(value)(readable(value))
    return value


def _setup_templates(app: web.Application) -> None:
    dirs = [
        str(_ROOT / pkg / "templates") for pkg in PACKAGES if (_ROOT / pkg / "templates").is_dir()
    ]
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(dirs),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        extensions=["jinja2.ext.i18n"],
        context_processors=[_page_context],
        finalize=_encodable,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    from infra import formatting

    formatting.install_filters(env)
    app[JINJA_READY] = True


async def _page_context(request: web.Request) -> dict[str, object]:
    lang = request.get("lang", "zh")
    other = "en" if lang == "zh" else "zh"
    query = dict(request.query)
    query["lang"] = other
    return {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "switch_lang_url": str(request.rel_url.with_query(query)),
        "other_lang": other,
        "request": request,
        "csrf_token": lambda: csrf_token(request),
    }


async def healthz(request: web.Request) -> web.Response:
    """200 while the database answers and takes writes, 503 "degraded" with the reason
    ("unavailable", "read-only") when it does not (infra.health)."""
    services = request.app[SERVICES]
    probe = request.app[DB_PROBE]
    ok = await probe.check()
    return json_response(
        {
            "status": "ok" if ok else "degraded",
            "database": probe.state,
            "enterprises": len(services.published.index),
        },
        status=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )


async def openapi(request: web.Request) -> web.Response:
    return web.Response(
        text=dumps(build_openapi(request.app)),
        content_type="application/json",
        headers={"Cache-Control": "public, max-age=300"},
    )


async def favicon(_request: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico whatever the page links; the pages link the SVG."""
    return web.FileResponse(
        _ROOT / "zhixin" / "static" / "favicon.ico",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def create_app(settings: Settings, services: Services | None = None) -> web.Application:
    """Build the web application; ``services`` are created on start-up unless given."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            forwarded_scheme,
            language_middleware,
            security_headers,
            csrf_cookie_middleware,
            error_middleware,
            refuse_nul,
        ],
    )
    app[SETTINGS] = settings
    wire_domains(app)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        owned = services is None
        app[SERVICES] = services or await Services.start(settings)
        app[DB_PROBE] = DatabaseProbe(app[SERVICES].engine)
        if owned:
            # compiled once per install, loaded here: the first search does not wait
            await asyncio.to_thread(warm_up)
            # the dictionaries and indexes loaded at start-up live as long as the process:
            # out of the collector's sight, a full collection takes microseconds instead
            # of the ~150 ms that showed as the p99 latency of every route
            gc.collect()
            gc.freeze()
        yield
        if owned:
            await app[SERVICES].close()

    app.cleanup_ctx.append(lifecycle)
    app.middlewares.insert(0, _metrics_middleware)
    _setup_templates(app)
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/metrics", _metrics_handler, name="metrics")
    app.router.add_get("/openapi.json", openapi, name="openapi")
    app.router.add_get("/api/docs", api_docs, name="api_docs")
    app.router.add_get("/favicon.ico", favicon, name="favicon")
    app.router.add_static("/static", str(_ROOT / "zhixin" / "static"), name="static")
    mount_routes(app)
    return app


@web.middleware
async def _metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await request.app[SERVICES].metrics.observe(request, handler)


async def _metrics_handler(request: web.Request) -> web.Response:
    return await request.app[SERVICES].metrics.handler(request)
