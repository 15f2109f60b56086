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
sent as ``application/json`` (FastAPI's 422 or 400), a parameter that does not validate
(FastAPI answers it after the key's checks, as always), a request limit on the body's size.
A refusal raised by a dependency or the endpoint (401, 403, 404, 409, 422, 429) propagates to
the application's exception handlers, which answer it as they answer FastAPI's own.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from fastapi._compat import Undefined, field_annotation_is_sequence
from fastapi.dependencies import utils as fastapi_parameters
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from paperdesk.api import dependencies
from paperdesk.api.dependencies import bearer, header_key, may_trade, services

MAX_BODY_SIZE_SCOPE_KEY = "starlette.max_body_size"  # starlette.middleware.body_limit's key
JSON = "application/json"
ENABLED = True  # False: every request takes FastAPI's path (for the tests comparing the two)


class NotBareError(Exception):
    """The request takes FastAPI's own path (nothing has happened yet)."""


class _Parameter(NamedTuple):
    """A path or header parameter as ``request_params_to_args`` reads it, what it works out
    for the field on every request worked out once: its request keys in FastAPI's order of
    preference and where it is (the error's ``loc``)."""

    field: Any  # FastAPI's ModelField
    keys: tuple[str, ...]
    where: str


class BareRoute(APIRoute):
    """An ``APIRoute`` serving its own method's requests on the bare path (``bare(route)``)."""

    roles: dict[str, str]  # the endpoint's names for the container and the key
    # the path's and the headers' parameters planned (None: read by request_params_to_args)
    path_plan: tuple[_Parameter, ...] | None
    header_plan: tuple[_Parameter, ...] | None

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
            await self._serve(scope, _recording(receive, received), send)
        except NotBareError:
            await super().handle(scope, _replaying(received, receive), send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        dependant = self.dependant
        request = Request(scope, receive, send)
        values = _parameters(self.path_plan, dependant.path_params, request.path_params)
        values.update(_parameters(self.header_plan, dependant.header_params, request.headers))
        if dependant.body_params:
            document = await _json_body(request)
            body_values, body_errors = await request_body_to_args(
                dependant.body_params, document, self._embed_body_fields
            )
            if body_errors:
                raise NotBareError
            values.update(body_values)
        # the dependencies, as FastAPI solves them: the container, then the key's chain
        container = await services(request)
        credentials = await bearer(request)
        header = await header_key(request)
        key = await dependencies.api_key(request, container, credentials, header)
        values[self.roles["container"]] = container
        values[self.roles["key"]] = await may_trade(key)
        if dependant.request_param_name:
            values[dependant.request_param_name] = request
        response = await run_in_threadpool(self.endpoint, **values)
        await response(scope, receive, send)


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
    clone.path_plan = _planned(dependant.path_params)
    clone.header_plan = _planned(dependant.header_params)
    return clone


def _planned(fields: Sequence[Any]) -> tuple[_Parameter, ...] | None:
    """``fields`` as ``request_params_to_args`` reads a plain parameter (one value by the
    first of its request keys present, None read as missing, then the field's own
    validation), each field's keys worked out once; None when one of them is read another way
    (a parameter model, a sequence or a ``Json`` field) or this FastAPI has not the helpers
    (its own function then reads them all)."""
    try:
        aliases = fastapi_parameters._get_param_aliases
        model = fastapi_parameters._get_param_model
        json_field = fastapi_parameters._is_json_field
        fastapi_parameters._validate_value_with_model_field  # noqa: B018 (used per request)
    except AttributeError:
        return None
    plan = []
    for field in fields:
        if (
            model(field) is not None
            or json_field(field)
            or field_annotation_is_sequence(field.field_info.annotation)
        ):
            return None
        keys = tuple(key for _, key in aliases(field))
        plan.append(_Parameter(field, keys, field.field_info.in_.value))
    return tuple(plan)


def _parameters(
    plan: tuple[_Parameter, ...] | None, fields: Sequence[Any], received: Mapping[str, Any]
) -> dict[str, Any]:
    """The parameters' values as ``request_params_to_args(fields, received)`` gives them;
    a value that does not validate takes FastAPI's own path (``NotBareError``)."""
    if plan is None:
        values, errors = request_params_to_args(fields, received)
        if errors:
            raise NotBareError
        return values
    values = {}
    validate = fastapi_parameters._validate_value_with_model_field
    for field, keys, where in plan:
        key = next((key for key in keys if key in received), keys[0])
        value = received.get(key)
        checked, errors = validate(
            field=field,
            value=Undefined if value is None else value,
            values=values,
            loc=(where, key),
        )
        if errors:
            raise NotBareError
        values[field.name] = checked
    return values


def _names(route: APIRoute) -> dict[str, str]:
    """The endpoint's names for the container and the key."""
    found = {
        ("container" if sub.call is services else "key"): sub.name
        for sub in route.dependant.dependencies
    }
    if None in found.values():
        raise TypeError(f"{route.path}: an unnamed dependency")
    return {role: str(name) for role, name in found.items()}


async def _json_body(request: Request) -> Any:
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


def _recording(receive: Receive, received: list[Message]) -> Receive:
    async def recorded() -> Message:
        message = await receive()
        received.append(message)
        return message

    return recorded


def _replaying(received: list[Message], receive: Receive) -> Receive:
    pending = list(received)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
