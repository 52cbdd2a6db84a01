"""Running the web app: ``web.run_app`` with aiohttp's own protocol errors answered the
way the application answers its errors.

A request that aiohttp's HTTP parser refuses (raw UTF-8 in the request line, a header
line without a colon, an oversized line) never reaches the application's middlewares:
aiohttp answers it with a text/plain body and logs the client's mistake at ERROR with a
traceback. Here it gets the ``{"error": {"code", "message"}}`` body and one INFO line.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from infra.web import SERVER_NAME, dumps

log = logging.getLogger(__name__)

MALFORMED = (
    "the request is malformed HTTP; characters outside ASCII in a URL must be "
    "percent-encoded (电子 is %E7%94%B5%E5%AD%90)"
)


class _JsonErrorHandler(RequestHandler):
    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if not 400 <= status < 500:
            response = super().handle_error(request, status, exc, message)
            response.headers["Server"] = SERVER_NAME
            return response
        # the parser's message quotes the raw request line: not for the log or the client
        log.info("refused malformed HTTP from %s: %s", request.remote, type(exc).__name__)
        if request.writer.output_size > 0:
            raise ConnectionError("a response was already sent; cannot send the error")
        response = web.Response(
            status=status,
            text=dumps({"error": {"code": "bad_request", "message": MALFORMED}}),
            content_type="application/json",
            headers={"X-Content-Type-Options": "nosniff", "Server": SERVER_NAME},
        )
        response.force_close()
        return response


class _Server(web.Server):
    def __call__(self) -> RequestHandler:
        return _JsonErrorHandler(self, loop=self._loop, **self._kwargs)


class _AppRunner(web.AppRunner):
    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # aiohttp has no parameter for the protocol class: the server it built makes ours
        server.__class__ = _Server
        return server


class AccessLogger(AbstractAccessLogger):
    """One INFO line a request: client, method, path (never the query string, which may
    carry a search or a filter a citizen typed), status, size and time."""

    def log(self, request: BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %dB %.0fms",
            request.remote,
            request.method,
            request.path,
            response.status,
            response.body_length,
            time * 1000,
        )


def listening_urls(runner: web.AppRunner) -> list[str]:
    """The URLs the runner's sockets answer on (the actual port when 0 was asked)."""
    urls = []
    for address in runner.addresses:
        host, port = address[0], address[1]
        host = f"[{host}]" if ":" in host else host
        urls.append(f"http://{host}:{port}/")
    return urls


def run_app(app: web.Application, host: str, port: int) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, then run its cleanup. Prints the URL it
    listens on, and logs each request in one line (logger ``zhixin.access``)."""

    async def serve() -> None:
        runner = _AppRunner(
            app,
            handle_signals=True,
            access_log=logging.getLogger("zhixin.access"),
            access_log_class=AccessLogger,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            for url in listening_urls(runner):
                print(f"zhixin: serving on {url} (Ctrl+C to stop)", flush=True)
            await asyncio.Event().wait()  # until a signal raises GracefulExit
        finally:
            await runner.cleanup()

    try:
        asyncio.run(serve())
    except (web.GracefulExit, KeyboardInterrupt):
        pass
