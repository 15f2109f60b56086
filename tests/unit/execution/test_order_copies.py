"""The order book's copies of an order at a change (by field position) are ``_replace``'s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.domain import Order, OrderRole, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.execution.book import _with_fill, _with_quantity, _with_status

D = Decimal
TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
LATER = TS + timedelta(minutes=5)
# every field set, each to a value of its own
ORDER = Order(
    "O2",
    "C2",
    "SPY",
    Side.SELL,
    OrderType.STOP_LIMIT,
    D("3"),
    TS,
    D("101.25"),
    D("101.5"),
    TimeInForce.DAY,
    OrderRole.STOP_LOSS,
    "O1",
    OrderStatus.PARTIALLY_FILLED,
    D("1"),
    D("101.3"),
    True,
    TS + timedelta(hours=6),
    TS + timedelta(minutes=1),
    D("0.5"),
    "macd-cross",
    "stop",
    ("O3",),
)


def _same(copy: Order, expected: Order) -> None:
    assert type(copy) is Order
    assert copy == expected
    assert all(mine is theirs for mine, theirs in zip(copy, expected, strict=True))


def test_the_copies_change_only_their_fields() -> None:
    _same(
        _with_status(ORDER, OrderStatus.CANCELED, LATER),
        ORDER._replace(status=OrderStatus.CANCELED, ts_updated=LATER),
    )
    three, average, four = D("3"), D("101.4"), D("4")
    filled = _with_fill(ORDER, OrderStatus.FILLED, three, average, LATER)
    expected = ORDER._replace(
        status=OrderStatus.FILLED, filled_quantity=three, average_price=average
    )
    _same(filled, expected._replace(ts_updated=LATER))
    _same(_with_quantity(ORDER, four), ORDER._replace(quantity=four))
    _same(
        _with_quantity(ORDER, four, LATER, OrderStatus.ACCEPTED),
        ORDER._replace(quantity=four, ts_updated=LATER, status=OrderStatus.ACCEPTED),
    )
