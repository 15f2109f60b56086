"""Unknown query parameters are refused under ``/api/v1`` (``QueryCheckedRoute``).

A typo in a filter (``GET .../orders?statuss=open``) or a filter an endpoint does not have
(``GET .../fills?symbol=AAPL``) was ignored: the answer was the unfiltered list, with nothing to
tell it from a filtered one. Now it is 422 ``unknown_query_parameter`` naming each unknown
parameter and the ones the endpoint takes, before anything else is done but the key's
authentication: a route that needs a key answers a request without a known, unrevoked one 401
(``missing_api_key``, ``invalid_api_key``, ``revoked_api_key``) whatever its parameters, as
without them. Nothing is counted against the key's rate limit, and nothing changes. The names
an endpoint takes are its route's declared query parameters (FastAPI's dependant,
``request_fields``), the ones its OpenAPI document lists. ``/alpaca`` keeps its routes as they
are: alpaca-py sends Alpaca's own parameters, some of which paperdesk does not read.
"""

from __future__ import annotations

import re
from functools import cached_property

from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from paperdesk.api.dependencies import api_key, check_authenticated
from paperdesk.api.errors import ApiError
from paperdesk.api.middleware import route_template
from paperdesk.api.request_fields import query_names

CODE = "unknown_query_parameter"
# a parameter name quoted back in a refusal: what a person types (no control character, no
# leading dash that reads as a command-line option), at most 40 characters
PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\[\]-]{0,39}$")


class QueryCheckedRoute(APIRoute):
    """An ``APIRoute`` refusing a request of its own method that names a query parameter the
    route does not declare (``unknown_query_error``)."""

    @cached_property
    def query_names(self) -> frozenset[str]:
        return query_names(self.dependant)

    @cached_property
    def needs_key(self) -> bool:
        """Whether the route reads the caller's key (every one under ``/api/v1`` but health)."""
        pending = [self.dependant]
        while pending:
            current = pending.pop()
            if current.call is api_key:
                return True
            pending.extend(current.dependencies)
        return False

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("query_string") and scope["method"] in (self.methods or ()):
            await self.check_query(scope, receive)
        await super().handle(scope, receive, send)

    async def check_query(self, scope: Scope, receive: Receive) -> None:
        """Raise ``unknown_query_error`` when the request names a parameter not declared,
        once a route that needs a key has authenticated it (401 first)."""
        sent = QueryParams(scope["query_string"])
        unknown = [name for name in dict.fromkeys(sent.keys()) if name not in self.query_names]
        if unknown:
            if self.needs_key:
                await check_authenticated(Request(scope, receive))
            raise unknown_query_error(self, scope, unknown)


def unknown_query_error(route: APIRoute, scope: Scope, unknown: list[str]) -> ApiError:
    """422 naming each unknown parameter and the ones the route takes. A name is quoted back
    only when it is a plain name (``PLAIN``); any other (control characters, a leading dash)
    is counted, never echoed."""
    allowed = sorted(query_names(route.dependant))
    takes = ", ".join(allowed) if allowed else "no query parameter"
    where = f"{scope['method']} {route_template(scope)}"
    shown = [name for name in unknown if PLAIN.match(name)]
    problems = [
        {"field": f"query.{name}", "message": f"not a parameter of {where}"} for name in shown
    ]
    named = [repr(name) for name in shown]
    others = len(unknown) - len(shown)
    if others:
        unplain = f"{others} name{'s' if others > 1 else ''} of other characters"
        named.append(unplain)
        plain = "a plain name: a letter or _, then letters, digits and _.-[]"
        problems.append({"field": "query", "message": f"{unplain}: not {plain}"})
    plural = "s" if len(unknown) > 1 else ""
    return ApiError(
        422,
        CODE,
        f"unknown query parameter{plural} {', '.join(named)}: {where} takes {takes}",
        errors=problems,
        allowed=allowed,
    )
