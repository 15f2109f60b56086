"""Builders shared by the execution tests: bars one day apart, a book and venue driven the way
the kernel drives them, intents."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.domain import (
    Bar,
    Event,
    Instrument,
    Order,
    OrderIntent,
    OrderRole,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.execution import (
    ExecutionVenue,
    FeeModel,
    NoFee,
    NoSlippage,
    OrderBook,
    SimulatedVenue,
    SizeEntry,
    SlippageModel,
    VenueStep,
    entry_fill_quantity,
)
from paperdesk.execution.costs import CostModels
from paperdesk.execution.scan import FloatArray, IntArray

SYMBOL = "AAA"
EQUITY = Instrument.equity(SYMBOL)
DAY_START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)  # bar 0 opens here, one bar per day
BAR_LENGTH = timedelta(hours=6, minutes=30)


def bar_open_time(index: int) -> datetime:
    return DAY_START + timedelta(days=index)


def make_bar(
    index: int,
    open_: str,
    high: str,
    low: str,
    close: str,
    volume: str = "1000000",
    symbol: str = SYMBOL,
) -> Bar:
    ts_open = bar_open_time(index)
    return Bar(
        symbol,
        "1d",
        ts_open,
        ts_open + BAR_LENGTH,
        Decimal(open_),
        Decimal(high),
        Decimal(low),
        Decimal(close),
        Decimal(volume),
    )


def before(index: int) -> datetime:
    """A submission time just before bar ``index`` opens (the previous bar's close)."""
    return bar_open_time(index) - timedelta(hours=17, minutes=30)


def session_close(calendar: str, ts: datetime) -> datetime:
    """21:00 UTC every day: the close at or after ``ts``."""
    close = ts.replace(hour=21, minute=0, second=0, microsecond=0)
    return close if close >= ts else close + timedelta(days=1)


INSTRUMENTS = {SYMBOL: EQUITY, "EURUSD": Instrument.forex("EURUSD")}

# Sizes an entry at its fill price (what the kernel asks the router); its answer is rounded to
# the lot and capped at the order's quantity the way the kernel does.
Resolve = Callable[[Order, Decimal], Decimal]


class ExecutionDesk:
    """An order book and a venue driven the way the kernel drives them, without a ledger: the
    commands go to the book, bars to the venue, each ``SizeEntry`` is answered by ``resolve``
    (left unanswered without one), fills need no booking."""

    def __init__(self, book: OrderBook, venue: ExecutionVenue) -> None:
        self.book = book
        self.venue = venue

    def on_bar(self, bar: Bar, resolve: Resolve | None = None) -> list[Event]:
        events: list[Event] = []
        drive(self.venue.match(bar, self.book, events), resolve)
        return events

    def fill_at_close(self, order_id: str, bar: Bar, resolve: Resolve | None = None) -> list[Event]:
        events: list[Event] = []
        drive(self.venue.fill_at_close(order_id, bar, self.book, events), resolve)
        return events

    @property
    def ambiguous_bars(self) -> int:
        return self.venue.ambiguous_bars

    def submit(
        self, intent: OrderIntent, ts: datetime, client_order_id: str | None = None
    ) -> list[Event]:
        return self.book.submit(intent, ts, client_order_id)

    def cancel(self, order_id: str, ts: datetime, reason: str = "") -> list[Event]:
        return self.book.cancel(order_id, ts, reason)

    def cancel_all(
        self, symbol: str, ts: datetime, reason: str = "", roles: Iterable[OrderRole] | None = None
    ) -> list[Event]:
        return self.book.cancel_all(symbol, ts, reason, roles)

    def modify(
        self,
        order_id: str,
        ts: datetime,
        *,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> list[Event]:
        return self.book.modify(
            order_id, ts, quantity=quantity, limit_price=limit_price, stop_price=stop_price
        )

    def get(self, order_id: str) -> Order:
        return self.book.get(order_id)

    def all_orders(self) -> list[Order]:
        return self.book.all_orders()

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        return self.book.open_orders(symbol)

    def has_open_orders(self, symbol: str) -> bool:
        return self.book.has_open_orders(symbol)

    def first_actionable_index(
        self,
        symbol: str,
        opens: FloatArray,
        highs: FloatArray,
        lows: FloatArray,
        ts_open_ns: IntArray,
        start: int,
        stop: int,
    ) -> int:
        return self.book.first_actionable_index(symbol, opens, highs, lows, ts_open_ns, start, stop)


def drive(steps: Iterable[VenueStep], resolve: Resolve | None = None) -> None:
    """Run a venue's matching to the end, answering its sizing requests as the kernel does."""
    for step in steps:
        if isinstance(step, SizeEntry) and resolve is not None:
            instrument = INSTRUMENTS[step.order.symbol]
            step.quantity = entry_fill_quantity(
                step.order, resolve(step.order, step.price), instrument
            )


def make_book(*, with_calendar: bool = True) -> OrderBook:
    return OrderBook(INSTRUMENTS, session_close=session_close if with_calendar else None)


def make_venue(
    *,
    fee_model: FeeModel | None = None,
    slippage_model: SlippageModel | None = None,
    volume_cap: Decimal | None = None,
) -> SimulatedVenue:
    costs = CostModels(fee_model or NoFee(), slippage_model or NoSlippage())
    return SimulatedVenue(INSTRUMENTS, costs, volume_cap=volume_cap)


def make_manager(
    *,
    fee_model: FeeModel | None = None,
    slippage_model: SlippageModel | None = None,
    volume_cap: Decimal | None = None,
    with_calendar: bool = True,
) -> ExecutionDesk:
    return ExecutionDesk(
        make_book(with_calendar=with_calendar),
        make_venue(fee_model=fee_model, slippage_model=slippage_model, volume_cap=volume_cap),
    )


def make_intent(
    side: Side = Side.BUY,
    quantity: str = "10",
    order_type: OrderType = OrderType.MARKET,
    *,
    limit: str | None = None,
    stop: str | None = None,
    tif: TimeInForce = TimeInForce.GTC,
    role: OrderRole = OrderRole.ENTRY,
    stop_loss: str | None = None,
    take_profit: str | None = None,
    size_fraction: str | None = None,
    symbol: str = SYMBOL,
) -> OrderIntent:
    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return OrderIntent(
        symbol,
        side,
        Decimal(quantity),
        order_type,
        number(limit),
        number(stop),
        tif,
        role,
        number(stop_loss),
        number(take_profit),
        number(size_fraction),
    )
