"""Placing and cancelling an order without FastAPI's per-request machinery (the bare path).

A ``BareRoute`` is an ``APIRoute`` (the same path, endpoint, dependencies and models) whose
requests of its own method are served here: the body read and parsed as FastAPI parses it,
the path, header and body parameters validated by FastAPI's own functions on the route's own
fields, then the route's dependencies called in the order FastAPI solves them (the service
container, the bearer and ``X-API-Key`` headers, the key with its rate limit, its scope), then
the same endpoint function in a worker thread with the same arguments, and its response sent.
What it leaves out is the machinery around them (the dependency solver's generic walk, its
exit stacks and response object, FastAPI's route wrapper): about a third of the event loop's
CPU per order (docs/live-speed.md, "Orders over HTTP, eighth pass").

Anything else takes FastAPI's own path, with the body read so far replayed, before anything
happened: a method the route does not serve (405), a body that is not exactly one JSON document
sent as ``application/json`` (FastAPI's 422 or 400), a query string (401 without a valid
key, else 422 ``unknown_query_parameter``: the route takes no query parameter), a parameter
that does not validate (FastAPI answers it after the key's checks, as always), a request limit
on the body's size.
A refusal raised by a dependency or the endpoint (401, 403, 404, 409, 422, 429) propagates to
the application's exception handlers, which answer it as they answer FastAPI's own.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from paperdesk.api import dependencies
from paperdesk.api.dependencies import bearer, header_key, may_trade, services
from paperdesk.api.query_parameters import QueryCheckedRoute

MAX_BODY_SIZE_SCOPE_KEY = "starlette.max_body_size"  # starlette.middleware.body_limit's key
JSON = "application/json"
ENABLED = True  # False: every request takes FastAPI's path (for the tests comparing the two)


class NotBareError(Exception):
    """The request takes FastAPI's own path (nothing has happened yet)."""


class BareRoute(QueryCheckedRoute):
    """An ``APIRoute`` serving its own method's requests on the bare path (``bare(route)``);
    a request with a query string (the route takes no query parameter) takes FastAPI's path,
    where ``QueryCheckedRoute`` refuses it."""

    roles: dict[str, str]  # the endpoint's names for the container and the key

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not ENABLED
            or scope["method"] not in (self.methods or ())
            or MAX_BODY_SIZE_SCOPE_KEY in scope
        ):
            await super().handle(scope, receive, send)
            return
        received: list[Message] = []
        try:
            await self._serve(scope, recording(receive, received), send)
        except NotBareError:
            await super().handle(scope, replaying(received, receive), send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("query_string"):
            raise NotBareError
        dependant = self.dependant
        request = Request(scope, receive, send)
        values, errors = request_params_to_args(dependant.path_params, request.path_params)
        header_values, header_errors = request_params_to_args(
            dependant.header_params, request.headers
        )
        if errors or header_errors:
            raise NotBareError
        values.update(header_values)
        if dependant.body_params:
            document = await json_body(request)
            body_values, body_errors = await request_body_to_args(
                dependant.body_params, document, self._embed_body_fields
            )
            if body_errors:
                raise NotBareError
            values.update(body_values)
        response = await self.respond(request, values)
        await response(scope, receive, send)

    async def respond(self, request: Request, values: dict[str, Any]) -> Response:
        """The endpoint's response to a request whose parameters are ``values``: the route's
        dependencies called as FastAPI solves them (the container, then the key's chain), then
        the endpoint in a worker thread. A refusal propagates (to the exception handlers)."""
        container = await services(request)
        credentials = await bearer(request)
        header = await header_key(request)
        key = await dependencies.api_key(request, container, credentials, header)
        values[self.roles["container"]] = container
        values[self.roles["key"]] = await may_trade(key)
        if self.dependant.request_param_name:
            values[self.dependant.request_param_name] = request
        response: Response = await run_in_threadpool(self.endpoint, **values)
        return response


def bare(route: APIRoute) -> APIRoute:
    """``route`` (a copy: the same attributes) served on the bare path. Its parameters must be
    path, header and body parameters, the request, the service container and a trading key:
    anything else fails here, when the application is built."""
    dependant = route.dependant
    calls = {sub.call for sub in dependant.dependencies}
    if (
        calls != {services, may_trade}
        or dependant.query_params
        or dependant.cookie_params
        or dependant.background_tasks_param_name
        or dependant.response_param_name
        or dependant.http_connection_param_name
        or route.dependencies
    ):
        raise TypeError(f"{route.path}: parameters the bare path does not serve")
    clone = copy.copy(route)
    clone.__class__ = BareRoute
    assert isinstance(clone, BareRoute)
    clone.roles = _names(route)
    return clone


def _names(route: APIRoute) -> dict[str, str]:
    """The endpoint's names for the container and the key."""
    found = {
        ("container" if sub.call is services else "key"): sub.name
        for sub in route.dependant.dependencies
    }
    if None in found.values():
        raise TypeError(f"{route.path}: an unnamed dependency")
    return {role: str(name) for role, name in found.items()}


async def json_body(request: Request) -> Any:
    """The body's JSON document when FastAPI would parse it so (``application/json``, not
    empty, valid JSON); otherwise FastAPI's own path answers (422 or 400)."""
    if request.headers.get("content-type") != JSON:
        raise NotBareError
    body = await _body(request)
    if not body:
        raise NotBareError
    try:
        return json.loads(body)
    except ValueError:  # JSONDecodeError, a byte that is not UTF-8
        raise NotBareError from None


async def _body(request: Request) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] != "http.request":  # a disconnect: FastAPI's path sees it too
            raise NotBareError
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def recording(receive: Receive, received: list[Message]) -> Receive:
    async def recorded() -> Message:
        message = await receive()
        received.append(message)
        return message

    return recorded


def replaying(received: list[Message], receive: Receive) -> Receive:
    pending = list(received)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
