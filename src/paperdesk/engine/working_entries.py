"""The entry orders still working, valued as the risk rules count them, for the router's view."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from paperdesk.domain import Instrument, Order, OrderType, WorkingEntry


def expected_price(
    order_type: OrderType, last: Decimal, limit: Decimal | None, stop: Decimal | None
) -> Decimal:
    """The price the risk rules check an order at, as a broker checks buying power: the last
    price for a market order, the limit for a limit (the worst it can fill at), the higher of
    the last price and the stop for a stop."""
    if limit is not None:
        return limit
    if stop is not None:
        return max(last, stop)
    return last


def working_entries(
    orders: Iterable[Order],
    prices: Mapping[str, Decimal],
    instruments: Mapping[str, Instrument] | None = None,
) -> tuple[WorkingEntry, ...]:
    """Each working entry's symbol, side, quantity still to fill and the price it is valued
    at (``expected_price`` at the symbol's last price; without one, its limit or stop, else
    none), with its instrument from ``instruments`` (the cash check's fee estimate)."""
    known = instruments or {}
    entries = []
    for order in orders:
        limit, stop = order.limit_price, order.stop_price
        last = prices.get(order.symbol)
        if last is not None:
            price: Decimal | None = expected_price(order.order_type, last, limit, stop)
        else:
            price = limit if limit is not None else stop
        remaining = order.quantity - order.filled_quantity
        entries.append(
            WorkingEntry(order.symbol, order.side, remaining, price, known.get(order.symbol))
        )
    return tuple(entries)
