"""Placing and cancelling an order are matched first (``orders.placing_and_cancelling``,
included ahead of every other router and out of the schema): no route before the orders router
matches either request, so only the time to find them changes; the OpenAPI document is the
one of the routers in their order; and a placement and a cancel are served by the first
include (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_fixtures import Harness, api
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match

from paperdesk.api.app import create_app
from paperdesk.api.routers import orders
from paperdesk.service import Services
from paperdesk.store import Database

__all__ = ["api"]

LIMIT = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}
PORTFOLIOS = ("1", "42", "9223372036854775807", "0", "abc", "import", "export")
ORDERS = ("O1", "O-7", "import", "export", "all", "orders", "x y")


def _requests() -> list[tuple[str, str]]:
    placements = [("POST", f"/api/v1/portfolios/{p}/orders") for p in PORTFOLIOS]
    cancels = [("DELETE", f"/api/v1/portfolios/{p}/orders/{o}") for p in PORTFOLIOS for o in ORDERS]
    return placements + cancels


def _first_match(app: FastAPI, routes: list[BaseRoute], method: str, path: str) -> BaseRoute:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
        "app": app,
    }
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    raise AssertionError(f"nothing matches {method} {path}")


def _router_of(route: BaseRoute) -> Any:
    return getattr(route, "original_router", None)


def _first_include(app: FastAPI) -> BaseRoute:
    (first,) = [
        route
        for route in app.router.routes
        if getattr(_router_of(route), "routes", None) is not None
        and {getattr(r, "endpoint", None) for r in _router_of(route).routes}
        == {orders.place_order, orders.cancel_order}
    ]
    return first


def test_no_earlier_route_matches_a_placement_or_a_cancel(database: Database) -> None:
    app = create_app(Services(database=database))
    first = _first_include(app)
    routes = list(app.router.routes)
    without = [route for route in routes if route is not first]
    for method, path in _requests():
        assert _first_match(app, routes, method, path) is first, (method, path)
        # in the routers' own order the orders router is the first to match: the same routes
        assert _router_of(_first_match(app, without, method, path)) is orders.router, path
    # other requests to the same paths still go where they went
    shown = _first_match(app, routes, "GET", "/api/v1/portfolios/1/orders/O1")
    assert _router_of(shown) is orders.router


def test_the_openapi_document_is_that_of_the_routers_in_their_order(database: Database) -> None:
    app = create_app(Services(database=database))
    plain = create_app(Services(database=database))
    plain.router.routes.remove(_first_include(plain))
    assert json.dumps(app.openapi()) == json.dumps(plain.openapi())
    paths = app.openapi()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/portfolios/{portfolio_id}/orders"])


def test_a_placement_and_a_cancel_are_served_by_the_first_include(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = api.client.app
    assert isinstance(app, FastAPI)
    first = _first_include(app)
    served: list[str] = []
    handle = first.handle

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        served.append(scope["method"])
        await handle(scope, receive, send)

    monkeypatch.setattr(first, "handle", counted)
    portfolio = api.create_portfolio()
    placed = api.post(f"/portfolios/{portfolio}/orders", LIMIT)
    assert placed.status_code == 201, placed.text
    canceled = api.delete(f"/portfolios/{portfolio}/orders/O1")
    assert (canceled.status_code, canceled.json()["status"]) == (200, "canceled")
    assert api.get(f"/portfolios/{portfolio}/orders/O1").status_code == 200
    assert served == ["POST", "DELETE"]
