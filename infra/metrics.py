"""Prometheus metrics: request counts and latencies by route, plus domain gauges."""

from __future__ import annotations

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

from infra.web import Handler


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
            "Cases filed by channel, kind and department",
            ["channel", "kind", "department"],
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

    async def handler(self, _request: web.Request) -> web.Response:
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
