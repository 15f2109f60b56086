"""Unknown query parameters are refused under ``/api/v1`` (``QueryCheckedRoute``).

A typo in a filter (``GET .../orders?statuss=open``) or a filter an endpoint does not have
(``GET .../fills?symbol=AAPL``) was ignored: the answer was the unfiltered list, with nothing to
tell it from a filtered one. Now it is 422 ``unknown_query_parameter`` naming each unknown
parameter and the ones the endpoint takes, before anything else is done (the key is not even
read, so nothing is counted against its rate limit, and nothing changes). The names an endpoint
takes are its route's declared query parameters (FastAPI's dependant, ``request_fields``), the
ones its OpenAPI document lists. ``/alpaca`` keeps its routes as they are: alpaca-py sends
Alpaca's own parameters, some of which paperdesk does not read.
"""

from __future__ import annotations

from functools import cached_property

from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams
from starlette.types import Receive, Scope, Send

from paperdesk.api.errors import ApiError
from paperdesk.api.middleware import route_template
from paperdesk.api.request_fields import query_names

CODE = "unknown_query_parameter"
SHOWN = 40  # characters of an unknown name quoted back


class QueryCheckedRoute(APIRoute):
    """An ``APIRoute`` refusing a request of its own method that names a query parameter the
    route does not declare (``unknown_query_error``)."""

    @cached_property
    def query_names(self) -> frozenset[str]:
        return query_names(self.dependant)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("query_string") and scope["method"] in (self.methods or ()):
            self.check_query(scope)
        await super().handle(scope, receive, send)

    def check_query(self, scope: Scope) -> None:
        """Raise ``unknown_query_error`` when the request names a parameter not declared."""
        sent = QueryParams(scope["query_string"])
        unknown = [name for name in dict.fromkeys(sent.keys()) if name not in self.query_names]
        if unknown:
            raise unknown_query_error(self, scope, unknown)


def unknown_query_error(route: APIRoute, scope: Scope, unknown: list[str]) -> ApiError:
    """422 naming each unknown parameter (and where it was sent) and the ones the route takes."""
    allowed = sorted(query_names(route.dependant))
    takes = ", ".join(allowed) if allowed else "no query parameter"
    named = ", ".join(repr(name[:SHOWN]) for name in unknown)
    plural = "s" if len(unknown) > 1 else ""
    where = f"{scope['method']} {route_template(scope)}"
    return ApiError(
        422,
        CODE,
        f"unknown query parameter{plural} {named}: {where} takes {takes}",
        errors=[
            {"field": f"query.{name[:SHOWN]}", "message": f"not a parameter of {where}"}
            for name in unknown
        ],
        allowed=allowed,
    )
