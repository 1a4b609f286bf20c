"""Request ids, one JSON access line per request, and Prometheus counters.

Lines and labels carry the route template (``/api/v1/recordings/{recording_id}``), never the
raw path or query string, which may hold search terms.
"""

from __future__ import annotations

import logging
import time
import uuid

from fastapi.routing import iter_route_contexts
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("api.access")

REQUESTS = Counter("vault_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("vault_http_request_seconds", "HTTP request latency", ["method", "route"])


_templates: dict[int, str] = {}


def _route_template(scope: Scope) -> str:
    """The matched route's full template (``/api/v1/recordings/{recording_id}``).

    The router leaves the matched route in the scope; a route of an included router knows only
    its own part of the path, so the full templates are looked up once from the app's tree.
    """
    route = scope.get("route")
    if route is None:
        return "unmatched"
    if id(route) not in _templates:
        for context in iter_route_contexts(getattr(scope.get("app"), "routes", [])):
            if context.path_format:
                _templates.setdefault(id(context.original_route), context.path_format)
    return _templates.get(id(route), "unmatched")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope.get("method", "")
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
