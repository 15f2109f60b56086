"""Every HTTP request gets an id, is measured and logged once (plain ASGI, no buffering).

The id is the client's ``X-Request-ID`` when it is a sane token (1 to 128 letters, digits and
``-_.:``), else a new one; it goes back on the response's ``X-Request-ID``, on every log record
written while the request is served (``paperdesk.service.logs.request_id``) and in error bodies.
Metrics use the route's template (``/api/v1/portfolios/{portfolio_id}``), never the raw path, so
ids do not multiply the series; a path no route knows is counted as ``unmatched``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperdesk.api.metrics import HTTP_LATENCY, HTTP_REQUESTS
from paperdesk.service.logs import request_id

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("paperdesk.api.access")


def choose_request_id(offered: str | None) -> str:
    """The client's id when it is safe to log and echo, else a fresh one."""
    if offered is not None and _SANE_ID.match(offered):
        return offered
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestContext:
    """Request id, metrics and one access log line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        identifier = choose_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = identifier
        token = request_id.set(identifier)
        status = 500  # what a request that raised before answering amounts to
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = identifier
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = str(scope.get("method", ""))
            route = route_template(scope)
            HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            HTTP_LATENCY.labels(method=method, route=route).observe(elapsed)
            access_log.info(
                "%s %s %s %.1fms", method, scope.get("path", ""), status, elapsed * 1000
            )
            request_id.reset(token)
