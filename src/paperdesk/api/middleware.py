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
from typing import Any

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
    """The matched route's template with the prefix it was included under.

    A route of a router included with a prefix may know only its own part
    (``/portfolios/{portfolio_id}``, as FastAPI 0.165 keeps it): the prefix is then the part of
    the request's path before the route's own pattern matches."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(template, str):
        return "unmatched"
    path = str(scope.get("path", ""))
    if pattern is None or pattern.match(path):
        return template
    for start in (index for index, char in enumerate(path) if char == "/" and index > 0):
        if pattern.match(path[start:]):
            return path[:start] + template
    return template


class RequestRecord:
    """One HTTP request's id, timing, metrics and access log line: what ``RequestContext`` does
    around every request, and the order lane (``api/order_lane.py``) around the requests it
    serves ahead of the middleware stack."""

    __slots__ = ("identifier", "responded", "scope", "started", "status", "token")

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.identifier = choose_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = self.identifier
        self.token = request_id.set(self.identifier)
        self.status = 500  # what a request that raised before answering amounts to
        self.responded = False  # the response's start was sent (or is being sent)
        self.started = time.perf_counter()

    def sending(self, send: Send) -> Send:
        """``send`` with the response's status noted and the request's id on its headers."""

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status = int(message["status"])
                self.responded = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = self.identifier
            await send(message)

        return send_with_id

    def end(self) -> None:
        """Counted under the route's template, timed, logged; the request's id unset."""
        scope = self.scope
        elapsed = time.perf_counter() - self.started
        method = str(scope.get("method", ""))
        route = route_template(scope)
        status = str(self.status)
        counted = _COUNTERS.get((method, route, status))
        if counted is None:  # a labelled child is never removed: the same one every time
            counted = _COUNTERS[method, route, status] = HTTP_REQUESTS.labels(
                method=method, route=route, status=status
            )
        counted.inc()
        timed = _TIMERS.get((method, route))
        if timed is None:
            timed = _TIMERS[method, route] = HTTP_LATENCY.labels(method=method, route=route)
        timed.observe(elapsed)
        access_log.info(
            "%s %s %s %.1fms", method, scope.get("path", ""), self.status, elapsed * 1000
        )
        request_id.reset(self.token)


# the metrics' labelled children by their labels (``labels()`` checks and locks at every call)
_COUNTERS: dict[tuple[str, str, str], Any] = {}
_TIMERS: dict[tuple[str, str], Any] = {}


class RequestContext:
    """Request id, metrics and one access log line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(scope)
        try:
            await self.app(scope, receive, record.sending(send))
        finally:
            record.end()
