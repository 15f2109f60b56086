"""The order lane: a placement or a cancel served ahead of the middleware stack and the router.

Every request walks the application's six middleware layers (FastAPI's server-error, telemetry
and body-limit layers, ``RequestContext``, the exception handlers, FastAPI's exit stack), then
the router's included routers to find its route: about a quarter of the event loop's CPU per
order (docs/live-speed.md, "Orders over HTTP, sixteenth pass"). ``OrderLane`` is the outermost
layer. A request on the bare routes' own paths and methods (``api/bare_routes.py``, the first
include of ``create_app``, which no earlier route matches:
``tests/unit/api/test_api_route_order.py``) is served here when nothing about it is unusual:

- no query string (the routes take no query parameter: the stack answers 401 without a
  valid key, else 422 ``unknown_query_parameter``), no ``Idempotency-Key`` header (such a
  request takes the stack, where the bare route serves it),
  no ``root_path``, no body-size limit, FastAPI's own telemetry not recording it;
- its path parameters and its body (one JSON document sent as ``application/json``) validate
  with the route's own fields' validators, exactly as FastAPI validates them; anything else
  takes the stack, with the body's messages replayed, before anything happened.

It is then served as the stack serves it, in one layer: the request's id, metrics and access log
(``RequestRecord``, the code ``RequestContext`` runs), the route's dependencies and endpoint
(``BareRoute.respond``), and a refusal answered by the application's own exception handlers as
Starlette's exception middleware calls them (looked up by status code for an ``HTTPException``,
then by the exception's classes), an unexpected error by the application's 500 handler as
Starlette's server-error middleware calls it (after the request's metrics and log line, on the
raw ``send``, then raised again for the server to log). ``bare_routes.ENABLED = False`` sends
every request through the stack (the tests comparing the two paths).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from paperdesk.api import bare_routes
from paperdesk.api.bare_routes import (
    MAX_BODY_SIZE_SCOPE_KEY,
    BareRoute,
    NotBareError,
    json_body,
    recording,
    replaying,
)
from paperdesk.api.middleware import RequestRecord

ENABLED = True  # False: the stack serves every request (the bare route in it), for A/B runs
TELEMETRY_SCOPE_KEY = "fastapi.telemetry"  # set by FastAPI when its own telemetry records
Handler = Callable[[Request, Exception], Any]


class Lane:
    """One bare route's path, the validators of its parameters and body, and the headers that
    send its requests to the stack."""

    def __init__(self, prefix: str, route: BareRoute) -> None:
        dependant = route.dependant
        self.route = route
        self.regex: re.Pattern[str] = compile_path(prefix + route.path)[0]
        self.path = {field.alias: field for field in dependant.path_params}
        if set(self.path) != set(self.regex.groupindex):
            raise TypeError(f"{route.path}: path parameters the lane does not read")
        # a header parameter (the Idempotency-Key) sends the request to the stack when sent;
        # when it is not, its value is FastAPI's for a missing header: None
        self.headers = {
            field.alias.lower().replace("_", "-").encode() for field in dependant.header_params
        }
        if any(
            field.field_info.is_required() or field.default is not None
            for field in dependant.header_params
        ):
            raise TypeError(f"{route.path}: a header parameter the lane does not leave out")
        self.absent = {field.name: None for field in dependant.header_params}
        self.body: Any = None
        if dependant.body_params:
            (field,) = dependant.body_params  # one body, validated whole (not embedded)
            info = field.field_info
            if getattr(info, "embed", None) or not (
                isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
            ):
                raise TypeError(f"{route.path}: a body the lane does not read")
            self.body = field

    def takes(self, scope: Scope) -> dict[str, str] | None:
        """The path's parameters when this lane serves ``scope``'s request, else None."""
        if scope.get("query_string"):  # the route takes none: the stack refuses it (401, 422)
            return None
        match = self.regex.match(scope["path"])
        if match is None:
            return None
        headers = self.headers
        if any(name.lower().replace(b"_", b"-") in headers for name, _ in scope["headers"]):
            return None
        return match.groupdict()

    async def values(self, request: Request, path: dict[str, str]) -> dict[str, Any]:
        """The endpoint's parameters, validated as FastAPI validates them; ``NotBareError``
        when one does not validate (FastAPI's path then answers)."""
        values = dict(self.absent)
        for alias, field in self.path.items():
            values[field.name] = _valid(field, path[alias], ("path", alias))
        field = self.body
        if field is not None:
            document = await json_body(request)
            if document is None:  # FastAPI's "missing": its path answers
                raise NotBareError
            values[field.name] = _valid(field, document, ("body",))
        return values


class OrderLane:
    """The outermost layer of the application's stack (``PaperdeskApp``)."""

    def __init__(self, app: ASGIApp, application: FastAPI, lanes: tuple[Lane, ...]) -> None:
        self.app = app
        self.lanes = {next(iter(lane.route.methods or ())): lane for lane in lanes}
        self.router = application.router
        self.status_handlers: dict[int, Handler] = {}
        self.handlers: dict[type[BaseException], Handler] = {}
        self.server_error: Handler | None = None
        for key, handler in application.exception_handlers.items():  # as FastAPI splits them
            if key in (500, Exception):
                self.server_error = handler
            elif isinstance(key, int):
                self.status_handlers[key] = handler
            else:
                self.handlers[key] = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.lanes.get(scope.get("method", "")) if scope["type"] == "http" else None
        path = None
        if (
            lane is not None
            and ENABLED
            and bare_routes.ENABLED
            and not scope.get("root_path")
            and MAX_BODY_SIZE_SCOPE_KEY not in scope
            and TELEMETRY_SCOPE_KEY not in scope
        ):
            path = lane.takes(scope)
        if lane is None or path is None:
            await self.app(scope, receive, send)
            return
        received: list[Any] = []
        request = Request(scope, recording(receive, received), send)
        try:
            values = await lane.values(request, path)
        except NotBareError:
            await self.app(scope, replaying(received, receive), send)
            return
        route = lane.route
        scope.update(router=self.router, endpoint=route.endpoint, path_params=path, route=route)
        await self._serve(scope, receive, send, Request(scope, receive, send), route, values)

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request: Request,
        route: BareRoute,
        values: dict[str, Any],
    ) -> None:
        record = RequestRecord(scope)
        sending = record.sending(send)
        ended = False  # RequestContext ends its record whatever ends the request
        try:
            try:
                response = await route.respond(request, values)
                await response(scope, receive, sending)
            except Exception as error:  # Starlette's exception middleware
                handler = self._handler(error)
                if handler is None:
                    raise
                if record.responded:
                    raise RuntimeError(
                        "Caught handled exception, but response already started."
                    ) from error
                answer = await _called(handler, request, error)
                if answer is not None:
                    await answer(scope, receive, sending)
        except Exception as error:  # Starlette's server-error middleware, outside the record
            record.end()
            ended = True
            answer = await _called(self.server_error or _plain_500, Request(scope), error)
            if not record.responded:
                await answer(scope, receive, send)
            raise
        finally:
            if not ended:
                record.end()

    def _handler(self, error: Exception) -> Handler | None:
        handler = None
        if isinstance(error, HTTPException):
            handler = self.status_handlers.get(error.status_code)
        if handler is None:
            for kind in type(error).__mro__:
                if kind in self.handlers:
                    return self.handlers[kind]
        return handler


def lanes(prefix: str, routes: list[Any]) -> list[Lane]:
    """A lane for each bare route of ``routes`` (included under ``prefix``)."""
    return [Lane(prefix, route) for route in routes if isinstance(route, BareRoute)]


def _valid(field: Any, value: Any, location: tuple[str, ...]) -> Any:
    """``value`` validated by FastAPI's own field (its validator, as FastAPI calls it);
    ``NotBareError`` when it does not validate."""
    valid, errors = field.validate(value, {}, loc=location)
    if errors:
        raise NotBareError
    return valid


async def _called(handler: Handler, request: Request, error: Exception) -> Any:
    if inspect.iscoroutinefunction(handler):
        return await handler(request, error)
    return await run_in_threadpool(handler, request, error)


def _plain_500(request: Request, error: Exception) -> Response:
    """Starlette's answer when the application has no 500 handler."""
    return PlainTextResponse("Internal Server Error", status_code=500)
