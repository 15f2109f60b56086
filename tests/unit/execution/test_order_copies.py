"""The order book's records changed in place (``LiveOrder``) give the ``Order``s ``_replace``
gives, each built once per state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.domain import Order, OrderRole, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.execution.live_order import live_order

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


def _changed(change: str, *arguments: object) -> Order:
    record = live_order(ORDER)
    assert record.snapshot() is ORDER  # the order it was made from, not a copy
    getattr(record, change)(*arguments)
    snapshot = record.snapshot()
    assert record.snapshot() is snapshot  # cached until the next change
    return snapshot


def test_the_changes_change_only_their_fields() -> None:
    _same(
        _changed("close", OrderStatus.CANCELED, LATER),
        ORDER._replace(status=OrderStatus.CANCELED, ts_updated=LATER),
    )
    three, average, four = D("3"), D("101.4"), D("4")
    filled = _changed("fill", OrderStatus.FILLED, three, average, LATER)
    expected = ORDER._replace(
        status=OrderStatus.FILLED, filled_quantity=three, average_price=average
    )
    _same(filled, expected._replace(ts_updated=LATER))
    _same(_changed("resize", four), ORDER._replace(quantity=four))
    _same(
        _changed("resize", four, LATER, OrderStatus.ACCEPTED),
        ORDER._replace(quantity=four, ts_updated=LATER, status=OrderStatus.ACCEPTED),
    )
    _same(_changed("trigger", LATER), ORDER._replace(triggered=True, ts_updated=LATER))


def test_a_record_reads_as_its_order() -> None:
    record = live_order(ORDER)
    assert tuple(getattr(record, name) for name in Order._fields) == ORDER
    assert record.is_open is ORDER.is_open
