"""Prometheus metrics: request counts and latencies by route, plus domain gauges.

Nothing here counts tips by department (a target would learn of a tip as it is
filed), and ``/metrics`` answers only a scraper: with ``ZHIXIN_METRICS_TOKEN`` set,
the one that sends it as a bearer token; unset, a client on this host (a request
relayed by the reverse proxy for someone outside is not one). Everyone else gets the
404 of a path that does not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from infra.clients import resolve_client
from infra.web import SETTINGS, Handler


class Metrics:
    """One registry per application, so tests and several apps in a process do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "zhixin_http_requests_total",
            "HTTP requests by route, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "zhixin_http_request_seconds",
            "HTTP request latency by route",
            ["route", "method"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.cases_filed = Counter(
            "zhixin_cases_filed_total",
            "Cases filed by channel and kind (never by department: that would count tips)",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.cases_overdue = Gauge(
            "zhixin_cases_overdue",
            "Open cases past a deadline, by department",
            ["department"],
            registry=self.registry,
        )
        self.enterprises_indexed = Gauge(
            "zhixin_enterprises_indexed",
            "Enterprises in the in-memory search index",
            registry=self.registry,
        )

    async def observe(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Run ``handler`` and count it under its route template (not the raw path)."""
        resource = request.match_info.route.resource
        name = resource.canonical if resource is not None else "unmatched"
        start = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            self.requests.labels(name, request.method, str(status)).inc()
            self.latency.labels(name, request.method).observe(time.perf_counter() - start)

    async def handler(self, request: web.Request) -> web.Response:
        if not scraper(request):
            raise web.HTTPNotFound()
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def scraper(request: web.Request) -> bool:
    """True when the request may read the metrics (see the module's docstring)."""
    settings = request.app[SETTINGS]
    token = settings.metrics_token
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    client = resolve_client(
        request.remote, request.headers.get("X-Forwarded-For"), settings.trusted_proxies
    )
    try:
        return ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False
