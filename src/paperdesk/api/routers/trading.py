"""Trading actions beyond placing and canceling: modify a working order, close a position
(whole or part), execute a signal in one click (by stored signal, or by symbol and direction)
and preview what a click would send. Every write takes an ``Idempotency-Key``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import (
    OrderId,
    PortfolioId,
    Reader,
    ServicesDep,
    Trader,
    active_portfolio,
    known_order,
)
from paperdesk.api.errors import ApiError, api_words, not_found
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import (
    ErrorOut,
    OrderOut,
    PlacedOut,
    QuantityQuery,
    StopQuery,
    TargetQuery,
)
from paperdesk.api.trading_schemas import (
    ExecuteDirection,
    ExecutedOut,
    ExecutionPlanOut,
    OrderChange,
    PositionClose,
    SignalExecute,
    TradeExecute,
)
from paperdesk.domain import UnknownNameError
from paperdesk.domain.errors import PaperdeskError
from paperdesk.domain.records import SignalView
from paperdesk.service import Services
from paperdesk.service.signal_execution import SignalOrder

T = TypeVar("T")
router = APIRouter(
    prefix="/portfolios/{portfolio_id}", tags=["trading"], route_class=QueryCheckedRoute
)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Symbol = Annotated[str, Path(min_length=1, max_length=32)]
SignalId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422)
}


@router.patch("/orders/{order_id}", response_model=OrderOut, responses=ERRORS)
def modify_order(
    portfolio_id: PortfolioId,
    order_id: OrderId,
    body: OrderChange,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Change a working order's quantity, limit price or stop price; the result passes the
    checks a new order would. A filled or canceled order is 409 ``order_not_changeable``."""
    active_portfolio(container, key, portfolio_id)
    known_order(container, portfolio_id, order_id)

    def modify() -> tuple[int, OrderOut]:
        order = container.portfolios.modify_order(
            portfolio_id,
            order_id,
            quantity=body.quantity,
            limit_price=body.limit_price,
            stop_price=body.stop_price,
        )
        return 200, OrderOut.of(order)

    fingerprint = request_hash("PATCH", request.url.path, body)
    return run_once(container, key, idempotency_key, fingerprint, modify)


STANDING_CLOSE: dict[int | str, dict[str, object]] = {
    200: {"model": PlacedOut, "description": "a retried close: the close order standing"},
}


@router.post(
    "/positions/{symbol}/close",
    status_code=201,
    response_model=PlacedOut,
    responses={**STANDING_CLOSE, **ERRORS},
)
def close_position(
    portfolio_id: PortfolioId,
    symbol: Symbol,
    request: Request,
    container: ServicesDep,
    key: Trader,
    body: Annotated[PositionClose | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cancel the symbol's working orders and send a market exit of the whole position, or of
    ``quantity`` (201). A retried close whose order still stands (the same whole or part
    close, of the same quantity) answers that order with 200 and changes nothing. No position
    is 409 ``no_position``; more than the position is 422 ``quantity_exceeds_position``."""
    active_portfolio(container, key, portfolio_id)
    change = body or PositionClose(quantity=None)

    def close() -> tuple[int, PlacedOut]:
        closed = _conflicts(
            lambda: container.portfolios.close_position(
                portfolio_id, symbol, quantity=change.quantity
            )
        )
        return 201 if closed.placed else 200, PlacedOut(
            orders=[OrderOut.of(o) for o in closed.orders]
        )

    fingerprint = request_hash("POST", request.url.path, change)
    return run_once(container, key, idempotency_key, fingerprint, close)


@router.post(
    "/signals/{signal_id}/execute", status_code=201, response_model=ExecutedOut, responses=ERRORS
)
def execute_signal(
    portfolio_id: PortfolioId,
    signal_id: SignalId,
    request: Request,
    container: ServicesDep,
    key: Trader,
    body: Annotated[SignalExecute | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Execute a stored signal (its direction, stop and target) sized by the portfolio's
    rules; the router's refusal is 422 with its rule's code, and nothing changes."""
    active_portfolio(container, key, portfolio_id)
    wanted = body or SignalExecute()
    order = SignalOrder.of_signal(_signal(container, portfolio_id, signal_id), wanted.quantity)
    fingerprint = request_hash("POST", request.url.path, wanted)
    return _execute(container, key, portfolio_id, order, idempotency_key, fingerprint)


@router.get(
    "/signals/{signal_id}/execute/preview", response_model=ExecutionPlanOut, responses=ERRORS
)
def preview_signal(
    portfolio_id: PortfolioId,
    signal_id: SignalId,
    container: ServicesDep,
    key: Reader,
    quantity: Annotated[QuantityQuery | None, Query()] = None,
) -> ExecutionPlanOut:
    """What executing the stored signal would send (writes nothing)."""
    active_portfolio(container, key, portfolio_id)
    order = SignalOrder.of_signal(_signal(container, portfolio_id, signal_id), quantity)
    return ExecutionPlanOut.of(container.portfolios.preview_signal(portfolio_id, order))


@router.post("/execute", status_code=201, response_model=ExecutedOut, responses=ERRORS)
def execute_trade(
    portfolio_id: PortfolioId,
    body: TradeExecute,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Execute a symbol and a direction (long/buy, short/sell, flat) in one click, sized by the
    portfolio's rules (forex in lots, with the stop and target in pips)."""
    active_portfolio(container, key, portfolio_id)
    order = SignalOrder(
        body.symbol, body.direction.direction, body.quantity, body.stop, body.target
    )
    fingerprint = request_hash("POST", request.url.path, body)
    return _execute(container, key, portfolio_id, order, idempotency_key, fingerprint)


@router.get("/execute/preview", response_model=ExecutionPlanOut, responses=ERRORS)
def preview_trade(
    portfolio_id: PortfolioId,
    container: ServicesDep,
    key: Reader,
    symbol: Annotated[str, Query(min_length=1, max_length=32)],
    direction: ExecuteDirection,
    quantity: Annotated[QuantityQuery | None, Query()] = None,
    stop: Annotated[StopQuery | None, Query()] = None,
    target: Annotated[TargetQuery | None, Query()] = None,
) -> ExecutionPlanOut:
    """What ``POST /execute`` would send (writes nothing): a dashboard pre-fills its quantity."""
    active_portfolio(container, key, portfolio_id)
    order = SignalOrder(symbol, direction.direction, quantity, stop, target)
    return ExecutionPlanOut.of(container.portfolios.preview_signal(portfolio_id, order))


def _execute(
    container: Services,
    key: Reader,
    portfolio_id: int,
    order: SignalOrder,
    idempotency_key: str | None,
    fingerprint: str,
) -> JSONResponse:
    def execute() -> tuple[int, ExecutedOut]:
        plan, orders = container.portfolios.execute_signal(portfolio_id, order)
        planned = ExecutionPlanOut.of(plan)
        return 201, ExecutedOut(**dict(planned), orders=[OrderOut.of(o) for o in orders])

    return run_once(container, key, idempotency_key, fingerprint, execute)


def _conflicts(action: Callable[[], T]) -> T:
    """``no_position`` is a conflict with the stored state (409), not bad input."""
    try:
        return action()
    except PaperdeskError as error:
        if getattr(error, "code", None) == "no_position":
            raise ApiError(409, "no_position", api_words(error)) from None
        raise


def _signal(container: Services, portfolio_id: int, signal_id: int) -> SignalView:
    try:
        return container.portfolios.signal(portfolio_id, signal_id)
    except UnknownNameError:
        raise not_found("signal", signal_id) from None
