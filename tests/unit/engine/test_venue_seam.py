"""A second venue plugs into the kernel through the ``ExecutionVenue`` protocol alone: the kernel
sizes the entries it asks about and books the fills it reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.config import RiskConfig, SizeTiming, SizingConfig
from paperdesk.domain import (
    ZERO,
    Bar,
    Direction,
    Event,
    Fill,
    Instrument,
    Order,
    OrderAccepted,
    OrderFilled,
    OrderRole,
    OrderType,
    PositionOpened,
    Signal,
    SignalAccepted,
)
from paperdesk.engine.kernel import TradingKernel
from paperdesk.execution import ExecutionVenue, OrderBook, SizeEntry, VenueStep
from paperdesk.portfolio import PortfolioLedger
from paperdesk.routing import build_router

D = Decimal
SPY = Instrument.equity("SPY")
OPEN = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


class CloseVenue:
    """Fills every working market order at the close of the bar, without fees or slippage."""

    def __init__(self) -> None:
        self.ambiguous_bars = 0
        self.answers: list[Decimal | None] = []

    def match(self, bar: Bar, book: OrderBook, events: list[Event]) -> Iterator[VenueStep]:
        for order_id in book.matching_queue(bar.symbol):
            order = book.get(order_id)
            if order.order_type is OrderType.MARKET and book.eligible_from(order_id) <= bar.ts_open:
                yield from self._fill(order, bar, book, events)

    def fill_at_close(
        self, order_id: str, bar: Bar, book: OrderBook, events: list[Event]
    ) -> Iterator[VenueStep]:
        return self._fill(book.require_open(order_id), bar, book, events)

    def _fill(
        self, order: Order, bar: Bar, book: OrderBook, events: list[Event]
    ) -> Iterator[VenueStep]:
        if order.role is OrderRole.ENTRY and order.filled_quantity == 0:
            request = SizeEntry(order, bar.close)
            yield request
            self.answers.append(request.quantity)
            if request.quantity is not None and request.quantity != order.quantity:
                order = book.on_resized(order, request.quantity)
        fill = Fill(
            order.order_id, order.symbol, order.side, order.remaining, bar.close, ZERO, bar.ts_close
        )
        yield book.on_fill(fill, bar.ts_close, events)


def bar(day: int, open_: str, close: str) -> Bar:
    start = OPEN + timedelta(days=day)
    low, high = sorted((D(open_), D(close)))
    return Bar(
        "SPY", "1d", start, start + timedelta(hours=6), D(open_), high, low, D(close), D(1e6)
    )


def kernel_with(venue: ExecutionVenue, sizing: SizingConfig) -> TradingKernel:
    instruments = {"SPY": SPY}
    router = build_router(sizing, RiskConfig(exposure_cap_percent=None))
    return TradingKernel(
        instruments, router, OrderBook(instruments), venue, PortfolioLedger(D(10_000))
    )


def test_a_venue_filling_at_the_close_plugs_into_the_kernel() -> None:
    venue = CloseVenue()
    kernel = kernel_with(venue, SizingConfig(method="fixed", quantity=D(10)))
    signal = Signal("x", "SPY", Direction.LONG, OPEN + timedelta(hours=6))
    routed = kernel.on_bar(bar(0, "100", "101"), [signal], 0)
    assert [type(event) for event in routed] == [SignalAccepted, OrderAccepted]

    events = kernel.on_bar(bar(1, "102", "105"), [], 1)
    assert [type(event) for event in events] == [OrderFilled, PositionOpened]
    [filled, opened] = events
    assert isinstance(filled, OrderFilled)
    assert (filled.fill.price, filled.fill.quantity) == (D(105), D(10))
    assert venue.answers == [D(10)]  # the kernel answered: the router confirmed 10 at 105
    assert isinstance(opened, PositionOpened)
    assert kernel.position("SPY").quantity == D(10)
    assert kernel.ledger.cash == D(10_000) - D(1_050)
    assert kernel.venue.ambiguous_bars == 0


def test_an_all_in_entry_is_sized_at_the_price_the_venue_asks_about() -> None:
    venue = CloseVenue()
    sizing = SizingConfig(percent=D(100), timing=SizeTiming.FILL)
    kernel = kernel_with(venue, sizing)
    signal = Signal("x", "SPY", Direction.LONG, OPEN + timedelta(hours=6))
    kernel.on_bar(bar(0, "100", "101"), [signal], 0)
    kernel.on_bar(bar(1, "90", "125"), [], 1)
    assert venue.answers == [D(80)]  # 10,000 at the close of 125, not at the open of 90
    assert kernel.position("SPY").quantity == D(80)
