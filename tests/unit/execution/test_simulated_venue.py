"""The simulated venue against a fake book: it only decides, reports every change to the book,
and pauses for its driver to size each entry and to book each fill."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import pytest

from interpreted import INTERPRETED_ONLY
from paperdesk.domain import (
    Event,
    Fill,
    Instrument,
    Order,
    OrderCanceled,
    OrderError,
    OrderFilled,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.execution import FixedBasisPoints, OrderBook, SizeEntry
from paperdesk.execution.fees import FeeModel

from ._support import SYMBOL, before, make_bar, make_venue

D = Decimal

pytestmark = INTERPRETED_ONLY  # a fake book / a spy: see tests/interpreted.py


class FakeBook:
    """Holds fixed orders, all eligible, queued as given, and records what the venue reports."""

    def __init__(self, *orders: Order) -> None:
        self.orders = {order.order_id: order for order in orders}
        self.reports: list[tuple[str, Any]] = []

    def matching_queue(self, symbol: str) -> list[str]:
        return [i for i, o in self.orders.items() if o.symbol == symbol and o.is_open]

    def get(self, order_id: str) -> Order:
        return self.orders[order_id]

    def require_open(self, order_id: str) -> Order:
        return self.orders[order_id]

    def record(self, order_id: str) -> Order:  # the venue reads a record's fields by name
        return self.orders[order_id]

    def eligible_from(self, order_id: str) -> datetime:
        return before(0)

    def active_sibling(self, leg: Order, ts_open: datetime) -> Order | None:
        return None

    def on_resized(self, order: Order, quantity: Decimal) -> Order:
        self.reports.append(("resized", quantity))
        self.orders[order.order_id] = order = order._replace(quantity=quantity)
        return order

    def on_fill(
        self, fill: Fill, children_from: datetime, events: list[Event], activated: Any = None
    ) -> OrderFilled:
        self.reports.append(("fill", fill))
        order = self.orders[fill.order_id]._replace(
            status=OrderStatus.FILLED, filled_quantity=fill.quantity, average_price=fill.price
        )
        self.orders[fill.order_id] = order
        event = OrderFilled(fill.ts, order, fill)
        events.append(event)
        return event

    fill_step = on_fill  # what the venue calls (a quiet book's step may be a ``BookedFill``)

    def on_canceled(self, order: Order, reason: str, ts: datetime, events: list[Event]) -> None:
        self.reports.append(("canceled", reason))
        self.orders[order.order_id] = order = order._replace(status=OrderStatus.CANCELED)
        events.append(OrderCanceled(ts, order, reason))


def market(
    order_id: str, side: Side, quantity: str, role: OrderRole, symbol: str = SYMBOL
) -> Order:
    return Order(
        order_id, order_id, symbol, side, OrderType.MARKET, D(quantity), before(0), role=role
    )


def as_book(book: FakeBook) -> OrderBook:
    return cast(OrderBook, book)


def test_a_fill_is_reported_before_the_next_entry_is_sized() -> None:
    book = FakeBook(  # the book's queue decides the order: here the exit first
        market("O2", Side.SELL, "10", OrderRole.EXIT), market("O1", Side.BUY, "5", OrderRole.ENTRY)
    )
    venue = make_venue(slippage_model=FixedBasisPoints(D("10")))
    events: list[Event] = []
    steps = iter(venue.match(make_bar(0, "100", "105", "95", "102"), as_book(book), events))

    exit_fill = next(steps)
    assert isinstance(exit_fill, OrderFilled)
    assert exit_fill.fill.order_id == "O2"
    assert exit_fill.fill.price == D("99.90")

    request = next(steps)
    assert isinstance(request, SizeEntry)
    assert (request.order.order_id, request.price) == ("O1", D("100.10"))
    assert [kind for kind, _ in book.reports] == ["fill"]  # nothing done to the entry yet
    request.quantity = D(3)

    entry_fill = next(steps)
    assert isinstance(entry_fill, OrderFilled)
    assert entry_fill.fill.quantity == D(3)
    assert book.reports[1] == ("resized", D(3))
    assert next(steps, None) is None
    assert events == [exit_fill, entry_fill]


def test_an_unanswered_size_request_fills_the_order_quantity() -> None:
    book = FakeBook(market("O1", Side.BUY, "5", OrderRole.ENTRY))
    events: list[Event] = []
    steps = list(make_venue().match(make_bar(0, "100", "105", "95", "102"), as_book(book), events))
    assert [type(step) for step in steps] == [SizeEntry, OrderFilled]
    assert [kind for kind, _ in book.reports] == ["fill"]
    assert cast(OrderFilled, events[0]).fill.quantity == D(5)


def test_an_answer_of_zero_cancels_the_entry_without_a_fill() -> None:
    book = FakeBook(market("O1", Side.BUY, "5", OrderRole.ENTRY))
    events: list[Event] = []
    for step in make_venue().match(make_bar(0, "100", "105", "95", "102"), as_book(book), events):
        assert isinstance(step, SizeEntry)
        step.quantity = D(0)
    assert book.reports == [("canceled", "nothing fits at fill")]


class RecordingFee:
    """Charges 1 a unit and remembers which instrument each fee was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        self.asked.append(instrument.symbol)
        return quantity


def test_fees_are_asked_with_each_fill_instrument() -> None:
    fees = RecordingFee()
    venue = make_venue(fee_model=cast(FeeModel, fees))
    book = FakeBook(
        market("O1", Side.SELL, "10", OrderRole.EXIT),
        market("O2", Side.SELL, "1000", OrderRole.EXIT, symbol="EURUSD"),
    )
    list(venue.match(make_bar(0, "1.1", "1.2", "1.0", "1.1", symbol="EURUSD"), as_book(book), []))
    list(venue.match(make_bar(0, "100", "105", "95", "102"), as_book(book), []))
    assert fees.asked == ["EURUSD", SYMBOL]


def test_fill_at_close_refuses_an_order_of_another_symbol_at_once() -> None:
    book = FakeBook(market("O1", Side.BUY, "5", OrderRole.ENTRY))
    bar = make_bar(0, "1.1", "1.2", "1.0", "1.1", symbol="EURUSD")
    with pytest.raises(OrderError, match="not for EURUSD"):
        make_venue().fill_at_close("O1", bar, as_book(book), [])  # before any step is taken


def test_an_ioc_entry_left_unfilled_by_the_volume_cap_is_canceled() -> None:
    order = market("O1", Side.BUY, "50", OrderRole.ENTRY)._replace(time_in_force=TimeInForce.IOC)
    book = FakeBook(order)
    venue = make_venue(volume_cap=D("0.1"))
    list(venue.match(make_bar(0, "100", "105", "95", "102", volume="5"), as_book(book), []))
    assert book.reports == [("canceled", "ioc: no volume to fill")]
