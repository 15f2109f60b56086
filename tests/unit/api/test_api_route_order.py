"""The routes on the placement's and the cancel's paths are matched first
(``orders.placing_and_cancelling``, included ahead of every other router and out of the
schema): no route before the orders router matches a request on those paths, so only the time
to find them changes; every method on them answers as before (a 405's ``Allow`` too); the
OpenAPI document is the one of the routers in their order; and the requests are served by the
first include (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_fixtures import Harness, api
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from paperdesk.api import bare_routes
from paperdesk.api.app import create_app
from paperdesk.api.routers import orders
from paperdesk.service import Services
from paperdesk.store import Database

__all__ = ["api"]

LIMIT = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}
PORTFOLIOS = ("1", "42", "9223372036854775807", "0", "abc", "import", "export")
ORDERS = ("O1", "O-7", "import", "export", "all", "orders", "x y")


METHODS = ("POST", "DELETE", "GET", "PUT", "PATCH", "OPTIONS", "HEAD")


def _requests() -> list[tuple[str, str]]:
    paths = [f"/api/v1/portfolios/{p}/orders" for p in PORTFOLIOS]
    paths += [f"/api/v1/portfolios/{p}/orders/{o}" for p in PORTFOLIOS for o in ORDERS]
    return [(method, path) for method in METHODS for path in paths]


def _first_match(app: FastAPI, routes: list[BaseRoute], method: str, path: str) -> BaseRoute | None:
    """The first route that matches fully (None: none does, a 405 or a 404)."""
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
    return None


def _router_of(route: BaseRoute) -> Any:
    return getattr(route, "original_router", None)


def _first_include(app: FastAPI) -> BaseRoute:
    (first,) = [
        route
        for route in app.router.routes
        if getattr(_router_of(route), "routes", None) is not None
        and _router_of(route) is not orders.router
        and {getattr(r, "endpoint", None) for r in _router_of(route).routes}
        >= {orders.place_order, orders.cancel_order}
    ]
    return first


def test_no_earlier_route_matches_a_request_on_the_order_paths(database: Database) -> None:
    app = create_app(Services(database=database))
    first = _first_include(app)
    routes = list(app.router.routes)
    without = [route for route in routes if route is not first]
    full = 0
    for method, path in _requests():
        matched = _first_match(app, routes, method, path)
        if matched is first:  # in the routers' own order: the orders router, the same routes
            full += 1
            assert _router_of(_first_match(app, without, method, path)) is orders.router, path
        else:  # another method on these paths (PATCH: modify; or none) goes where it went
            assert matched is _first_match(app, without, method, path), (method, path)
    assert full >= 2 * len(PORTFOLIOS) * (1 + len(ORDERS))  # placements and cancels at least


def test_every_method_on_the_order_paths_answers_as_before(api: Harness) -> None:
    """Served by the application and by the same application without the first include:
    the same status, ``Allow`` header and error code (a 405 names the same methods)."""
    app = api.client.app
    assert isinstance(app, FastAPI)
    plain = create_app(api.services)
    plain.router.routes.remove(_first_include(plain))
    portfolio = api.create_portfolio()
    assert api.post(f"/portfolios/{portfolio}/orders", LIMIT).status_code == 201
    headers = api.headers(api.trader)
    with TestClient(plain) as before:
        for method in METHODS:
            for path in ("/orders", "/orders/O1", "/orders/O9"):
                url = f"/api/v1/portfolios/{portfolio}{path}"
                if (method, path) in (("POST", "/orders"), ("DELETE", "/orders/O1")):
                    continue  # they write (test_api_orders.py)
                now, then = (
                    api.client.request(method, url, headers=headers),
                    before.request(method, url, headers=headers),
                )
                assert now.status_code == then.status_code, (method, url)
                assert now.headers.get("allow") == then.headers.get("allow"), (method, url)
                if now.headers.get("content-type") == "application/json" and now.content:
                    assert now.json().get("code") == then.json().get("code"), (method, url)


def test_the_openapi_document_is_that_of_the_routers_in_their_order(database: Database) -> None:
    app = create_app(Services(database=database))
    plain = create_app(Services(database=database))
    plain.router.routes.remove(_first_include(plain))
    assert json.dumps(app.openapi()) == json.dumps(plain.openapi())
    paths = app.openapi()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/portfolios/{portfolio_id}/orders"])


def test_the_order_paths_are_served_by_the_first_include(
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
    # the stack's route (the order lane serves these requests ahead of the stack when it may,
    # tests/unit/api/test_api_order_lane.py; with the bare path off, the stack serves them all)
    monkeypatch.setattr(bare_routes, "ENABLED", False)
    portfolio = api.create_portfolio()
    placed = api.post(f"/portfolios/{portfolio}/orders", LIMIT)
    assert placed.status_code == 201, placed.text
    canceled = api.delete(f"/portfolios/{portfolio}/orders/O1")
    assert (canceled.status_code, canceled.json()["status"]) == (200, "canceled")
    assert api.get(f"/portfolios/{portfolio}/orders/O1").status_code == 200
    assert served == ["POST", "DELETE", "GET"]  # the routes on those paths
