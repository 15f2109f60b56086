"""Alpaca's ``/v2/orders``: place (market, limit, stop, stop-limit, bracket), list, get (by id
or client order id), replace and cancel, each through the portfolio service.

A repeated ``client_order_id`` is refused as Alpaca refuses it (422 ``40010001``), so a retried
submission never places a second order. Replacing changes the order in place (paperdesk's
``modify_order``): the answer is the same order with its new quantity or prices, where Alpaca
would answer a new order that replaces it (see docs/alpaca.md).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from paperdesk.api.alpaca.auth import AlpacaAccount, Reader, ServicesDep, Trader
from paperdesk.api.alpaca.errors import FORBIDDEN, AlpacaError, bad_request, not_found
from paperdesk.api.alpaca.mapping import (
    CLOSED_STATUSES,
    ClosedMarket,
    order_document,
    order_uuid,
)
from paperdesk.api.alpaca.requests import (
    OrderClass,
    OrderIn,
    ReplaceIn,
    exact_json,
    order_type,
    parsed,
    refuse_unsupported,
    time_in_force,
)
from paperdesk.domain import Order
from paperdesk.service import Services
from paperdesk.service.alpaca_support import ClosedAt, closed_markets
from paperdesk.service.order_requests import OrderRequest

router = APIRouter(prefix="/v2")
Body = Annotated[Any, Depends(exact_json)]
MAX_LIMIT = 500


class StatusFilter(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"


class Direction(StrEnum):
    ASC = "asc"
    DESC = "desc"


def closed_now(container: Services, portfolio_id: int) -> ClosedMarket:
    """Whether a symbol's market is closed at the portfolio's clock (never before a replay's
    first tick): what shows a queued order as ``accepted``. The portfolio's settings and clock
    are read at the first question, so an answer with no working order reads nothing more."""

    @functools.cache
    def judge() -> tuple[ClosedAt, datetime | None]:
        return closed_markets(container, portfolio_id)

    def closed(symbol: str) -> bool:
        closed_at, now = judge()
        return now is not None and closed_at(symbol, now)

    return closed


def active(container: Services, caller: AlpacaAccount) -> None:
    """Trading needs an active portfolio (an archived one is a blocked account)."""
    summary = container.portfolios.show(caller.portfolio_id).summary
    if summary.status == "archived":
        raise AlpacaError(
            403, FORBIDDEN, f"account PD{caller.portfolio_id} is archived: trading is blocked"
        )


@router.post("/orders")
def submit_order(container: ServicesDep, caller: Trader, document: Body) -> dict[str, Any]:
    """Place an order; a bracket answers its entry with the two exits as ``legs``."""
    order = parsed(OrderIn, document)
    refuse_unsupported(order)
    assert order.qty is not None
    active(container, caller)
    request = OrderRequest(
        symbol=order.symbol,
        side=order.side,
        quantity=order.qty,
        order_type=order_type(order.type),
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        time_in_force=time_in_force(order.time_in_force),
        stop_loss=order.stop_loss.stop_price if order.stop_loss is not None else None,
        take_profit=order.take_profit.limit_price if order.take_profit is not None else None,
        client_order_id=order.client_order_id,
        reason="alpaca order",
    )
    placed = container.portfolios.place_order(caller.portfolio_id, request)
    entry, legs = placed[0], placed[1:]
    is_bracket = order.order_class is OrderClass.BRACKET
    closed = closed_now(container, caller.portfolio_id)
    return order_document(caller.portfolio_id, entry, legs if is_bracket else None, closed)


@router.get("/orders")
def list_orders(
    container: ServicesDep,
    caller: Reader,
    status: StatusFilter = StatusFilter.OPEN,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    after: datetime | None = None,
    until: datetime | None = None,
    direction: Direction = Direction.DESC,
    nested: bool = False,
    symbols: Annotated[str | None, Query(max_length=2000)] = None,
    side: Annotated[str | None, Query(pattern="^(buy|sell)$")] = None,
    before_order_id: Annotated[str | None, Query(max_length=64)] = None,
    after_order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """Orders as Alpaca lists them: open by default, newest first, at most 50. Orders are in
    submission order (their ledger sequence: orders submitted at the same moment keep the
    order they were placed in); ``before_order_id`` / ``after_order_id`` keep those submitted
    before / after the order named (exclusive), Alpaca's cursor for paging through orders
    that share a ``submitted_at``, which ``until`` / ``after`` (exclusive times) cannot."""
    # a time without a zone, or a bare date, is UTC, as Alpaca reads them (alpaca-py itself
    # sends a naive datetime as UTC; curl and other SDKs send it as written)
    after, until = (
        moment.replace(tzinfo=UTC) if moment is not None and moment.utcoffset() is None else moment
        for moment in (after, until)
    )
    orders = container.portfolios.orders(caller.portfolio_id)
    first, stop = _cursor_span(caller.portfolio_id, orders, before_order_id, after_order_id)
    cursor = "before_order_id" if before_order_id is not None else "after_order_id"
    if (before_order_id or after_order_id) is not None and (after or until) is not None:
        raise bad_request(f"{cursor}: not with after or until (page by one or the other)")
    wanted = {s.strip().upper() for s in symbols.split(",") if s.strip()} if symbols else None

    def kept(order: Order) -> bool:
        if status is StatusFilter.OPEN and not order.status.is_open:
            return False
        if status is StatusFilter.CLOSED and order.status not in CLOSED_STATUSES:
            return False
        if nested and order.parent_id is not None:
            return False
        return (
            (wanted is None or order.symbol in wanted)
            and (side is None or order.side.value == side)
            and (after is None or order.ts_submitted > after)
            and (until is None or order.ts_submitted < until)
        )

    chosen = [o for o in orders[first:stop] if kept(o)]
    if direction is Direction.DESC:
        chosen.reverse()
    by_id = {o.order_id: o for o in orders}
    closed = closed_now(container, caller.portfolio_id)
    return [
        order_document(
            caller.portfolio_id,
            o,
            [by_id[c] for c in o.children] if nested and o.children else None,
            closed,
        )
        for o in chosen[:limit]
    ]


def _cursor_span(
    portfolio_id: int, orders: list[Order], before: str | None, after: str | None
) -> tuple[int, int]:
    """The slice of ``orders`` (submission order) that ``before_order_id`` or
    ``after_order_id`` keeps: the orders before or after the one named, exclusive; an order
    id that is not the account's is refused by name, as are both cursors at once."""
    if before is not None and after is not None:
        raise bad_request("before_order_id and after_order_id: give one or the other")
    named = before if before is not None else after
    if named is None:
        return 0, len(orders)
    position = _position(portfolio_id, orders, named)
    if position is None:
        cursor = "before_order_id" if before is not None else "after_order_id"
        raise bad_request(f"{cursor}: no order {named!r} in this account")
    return (0, position) if before is not None else (position + 1, len(orders))


@router.get("/orders:by_client_order_id")
def get_order_by_client_id(
    container: ServicesDep,
    caller: Reader,
    client_order_id: Annotated[str, Query(min_length=1, max_length=128)],
) -> dict[str, Any]:
    orders = container.portfolios.orders(caller.portfolio_id)
    for order in orders:
        if order.client_order_id == client_order_id:
            return _with_legs(container, caller.portfolio_id, order, orders)
    raise not_found("order", client_order_id)


@router.get("/orders/{order_id}")
def get_order(
    order_id: str, container: ServicesDep, caller: Reader, nested: bool = True
) -> dict[str, Any]:
    orders = container.portfolios.orders(caller.portfolio_id)
    order = find_order(caller.portfolio_id, orders, order_id)
    if not nested:
        return order_document(
            caller.portfolio_id, order, closed=closed_now(container, caller.portfolio_id)
        )
    return _with_legs(container, caller.portfolio_id, order, orders)


@router.patch("/orders/{order_id}")
def replace_order(
    order_id: str, container: ServicesDep, caller: Trader, document: Body
) -> dict[str, Any]:
    """Change a working order's quantity, limit or stop price (in place; see the module)."""
    change = parsed(ReplaceIn, document)
    active(container, caller)
    portfolio_id = caller.portfolio_id
    order = find_order(portfolio_id, container.portfolios.orders(portfolio_id), order_id)
    if change.trail is not None:
        raise bad_request("trail: trailing stops are not supported")
    if change.time_in_force is not None and change.time_in_force != order.time_in_force.value:
        raise bad_request(
            f"time_in_force: a replacement keeps the order's {order.time_in_force.value!r}"
        )
    if change.client_order_id is not None and change.client_order_id != order.client_order_id:
        raise bad_request(
            f"client_order_id: a replacement keeps the order's {order.client_order_id!r}"
        )
    if change.qty is None and change.limit_price is None and change.stop_price is None:
        raise bad_request("qty, limit_price or stop_price: nothing to replace")
    changed = container.portfolios.modify_order(
        portfolio_id,
        order.order_id,
        quantity=change.qty,
        limit_price=change.limit_price,
        stop_price=change.stop_price,
    )
    return _with_legs(container, portfolio_id, changed, container.portfolios.orders(portfolio_id))


@router.delete("/orders/{order_id}", status_code=204)
def cancel_order(order_id: str, container: ServicesDep, caller: Trader) -> Response:
    """Cancel a working order (a bracket's entry takes its exits with it); 204 as Alpaca."""
    active(container, caller)
    portfolio_id = caller.portfolio_id
    order = find_order(portfolio_id, container.portfolios.orders(portfolio_id), order_id)
    container.portfolios.cancel_order(portfolio_id, order.order_id)
    return Response(status_code=204)


@router.delete("/orders", status_code=207)
def cancel_all_orders(container: ServicesDep, caller: Trader) -> list[dict[str, Any]]:
    """Cancel every working order (each in its own transaction; a bracket's exits go with
    their entry), answering one status per order as Alpaca does."""
    active(container, caller)
    portfolio_id = caller.portfolio_id
    answers = []
    for order in container.portfolios.orders(portfolio_id):
        if not order.status.is_open or order.parent_id is not None:
            continue
        canceled = container.portfolios.cancel_order(portfolio_id, order.order_id)
        answers.append(
            {
                "id": order_uuid(portfolio_id, order.order_id),
                "status": 200,
                "body": order_document(portfolio_id, canceled),
            }
        )
    return answers


def find_order(portfolio_id: int, orders: list[Order], order_id: str) -> Order:
    """The order ``order_id`` names: its Alpaca UUID, or its paperdesk id (``O1``)."""
    position = _position(portfolio_id, orders, order_id)
    if position is None:
        raise not_found("order", order_id)
    return orders[position]


def _position(portfolio_id: int, orders: list[Order], order_id: str) -> int | None:
    wanted = order_id.strip().lower()
    for position, order in enumerate(orders):
        if order_uuid(portfolio_id, order.order_id) == wanted or order.order_id.lower() == wanted:
            return position
    return None


def _legs(order: Order, by_id: dict[str, Order]) -> list[Order] | None:
    """A bracket entry's exits (None for an order without legs)."""
    return [by_id[c] for c in order.children if c in by_id] if order.children else None


def _with_legs(
    container: Services, portfolio_id: int, order: Order, orders: list[Order]
) -> dict[str, Any]:
    legs = _legs(order, {o.order_id: o for o in orders})
    return order_document(portfolio_id, order, legs, closed_now(container, portfolio_id))
