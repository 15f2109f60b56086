"""Orders, positions and fills of one portfolio."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from paperdesk.api.bare_routes import bare
from paperdesk.api.dependencies import (
    OrderId,
    PortfolioId,
    Reader,
    ServicesDep,
    Trader,
    active_portfolio,
    check_visible,
    checked_when_refused,
    known_order,
    visible_portfolio,
)
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import (
    ErrorOut,
    FillOut,
    FillPage,
    OrderCreate,
    OrderOut,
    OrderPage,
    PlacedOut,
    PositionOut,
)
from paperdesk.domain import Order
from paperdesk.service.order_requests import OrderRequest

router = APIRouter(
    prefix="/portfolios/{portfolio_id}", tags=["orders"], route_class=QueryCheckedRoute
)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422)
}
# A placement's conflicts, named in the OpenAPI document (the codes a client branches on).
PLACE_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    409: {
        "model": ErrorOut,
        "description": (
            "refused by the state of the portfolio or of the market: `portfolio_archived`, "
            "`duplicate_client_order_id`, or `market_closed` (an ioc or fok order on a "
            "portfolio of intraday bars while the symbol's market is closed at the "
            "portfolio's clock; the message names the symbol, its calendar, the time checked "
            "and the next open in UTC)"
        ),
    },
}


class StatusFilter(StrEnum):
    OPEN = "open"
    ALL = "all"


@router.post("/orders", status_code=201, response_model=PlacedOut, responses=PLACE_ERRORS)
def place_order(
    portfolio_id: PortfolioId,
    body: OrderCreate,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Place a market, limit, stop or stop-limit order (a bracket with stop_loss and
    take_profit); it fills on a later bar, as every order does. While the symbol's market is
    closed a day or gtc order is accepted and waits for the open (a day order's `ts_expire` is
    then the next session's close); an ioc or fok order on intraday bars is refused, 409
    `market_closed` (docs/api-trading.md, "Market hours")."""
    if idempotency_key is not None:  # a replay answers after the portfolio's checks
        active_portfolio(container, key, portfolio_id)
    order = OrderRequest(
        symbol=body.symbol,
        side=body.side,
        quantity=body.quantity,
        order_type=body.type,
        limit_price=body.limit_price,
        stop_price=body.stop_price,
        time_in_force=body.time_in_force,
        stop_loss=body.stop_loss,
        take_profit=body.take_profit,
        client_order_id=body.client_order_id,
        reason="api order",
    )

    def place() -> tuple[int, PlacedOut]:
        with checked_when_refused(container, key, portfolio_id):
            placed = container.portfolios.place_order(portfolio_id, order)
        return 201, PlacedOut(orders=[OrderOut.of(o) for o in placed])

    if idempotency_key is None:
        return run_once(container, key, None, "", place)
    fingerprint = request_hash("POST", request.url.path, body)
    return run_once(container, key, idempotency_key, fingerprint, place)


@router.get("/orders", response_model=OrderPage, responses=ERRORS)
def list_orders(
    portfolio_id: PortfolioId,
    container: ServicesDep,
    key: Reader,
    status: StatusFilter = StatusFilter.ALL,
    symbol: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> OrderPage:
    """Orders in submission order, filtered by status (open or all) and symbol, paged."""
    check_visible(container, key, portfolio_id)
    orders = container.portfolios.orders(portfolio_id)
    wanted = symbol.strip().upper() if symbol is not None else None

    def kept(order: Order) -> bool:
        return (status is StatusFilter.ALL or order.status.is_open) and (
            wanted is None or order.symbol == wanted
        )

    items, next_cursor = page(orders, cursor, limit, kept)
    return OrderPage(items=[OrderOut.of(o) for o in items], next_cursor=next_cursor)


@router.get("/orders/{order_id}", response_model=OrderOut, responses=ERRORS)
def show_order(
    portfolio_id: PortfolioId, order_id: OrderId, container: ServicesDep, key: Reader
) -> OrderOut:
    check_visible(container, key, portfolio_id)
    return OrderOut.of(known_order(container, portfolio_id, order_id))


@router.delete("/orders/{order_id}", response_model=OrderOut, responses=ERRORS)
def cancel_order(
    portfolio_id: PortfolioId,
    order_id: OrderId,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cancel a working order (a bracket's parent takes its children with it)."""
    if idempotency_key is not None:  # a replay answers after the portfolio's and order's checks
        active_portfolio(container, key, portfolio_id)
        known_order(container, portfolio_id, order_id)

    def cancel() -> tuple[int, OrderOut]:
        with checked_when_refused(container, key, portfolio_id, order_id):
            canceled = container.portfolios.cancel_order(portfolio_id, order_id)
        return 200, OrderOut.of(canceled)

    if idempotency_key is None:
        return run_once(container, key, None, "", cancel)
    fingerprint = request_hash("DELETE", request.url.path, None)
    return run_once(container, key, idempotency_key, fingerprint, cancel)


def placing_and_cancelling() -> APIRouter:
    """A router holding this router's routes on the placement's and the cancel's paths (the
    same route objects, in the same order: the same endpoints, dependencies, models and
    answers, a 405's ``Allow`` too), for ``create_app`` to include ahead of every other router
    and out of the schema: FastAPI walks the included routers in turn for every request, which
    cost about 250 us of server CPU to reach this one (docs/live-speed.md, "Orders over HTTP,
    seventh pass"). No route before this router matches a request on those paths
    (``tests/unit/api/test_api_route_order.py``), so only the time to find them changes; the
    OpenAPI document is built from the routers in their order, without it. The placement and
    the cancel themselves are copies served on the bare path (``api/bare_routes.py``: the same
    endpoints, dependencies and answers without FastAPI's dependency solver; docs/live-speed.md,
    "Orders over HTTP, eighth pass")."""
    paths = {
        getattr(route, "path", None)
        for route in router.routes
        if getattr(route, "endpoint", None) in (place_order, cancel_order)
    }
    first = APIRouter(route_class=QueryCheckedRoute)
    first.routes.extend(
        bare(route)
        if isinstance(route, APIRoute) and route.endpoint in (place_order, cancel_order)
        else route
        for route in router.routes
        if getattr(route, "path", None) in paths
    )
    return first


@router.get("/positions", response_model=list[PositionOut], responses=ERRORS)
def list_positions(
    portfolio_id: PortfolioId, container: ServicesDep, key: Reader
) -> list[PositionOut]:
    detail = visible_portfolio(container, key, portfolio_id)
    return [PositionOut.of(p) for p in detail.positions]


@router.get("/fills", response_model=FillPage, responses=ERRORS)
def list_fills(
    portfolio_id: PortfolioId,
    container: ServicesDep,
    key: Reader,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> FillPage:
    """Fills in the order they happened, paged."""
    check_visible(container, key, portfolio_id)
    items, next_cursor = page(container.portfolios.fills(portfolio_id), cursor, limit)
    return FillPage(items=[FillOut.of(f) for f in items], next_cursor=next_cursor)
