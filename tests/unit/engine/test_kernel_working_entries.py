"""Entries of two symbols routed on the same bar: the second one's risk rules count the first,
still working (``ExposureCap``, ``MaxOpenPositions``), so the intent never exceeds the caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig
from paperdesk.domain import (
    Bar,
    Direction,
    Event,
    Instrument,
    Order,
    OrderAccepted,
    OrderIntent,
    OrderRole,
    OrderType,
    Side,
    Signal,
    SignalRejected,
)
from paperdesk.engine.kernel import TradingKernel
from paperdesk.engine.wiring import build_kernel
from paperdesk.engine.working_entries import working_entries

D = Decimal
START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
CASH, PERCENT, CAP = D(10_000), D(50), D(80)
CLOSES = {"AAA": D(100), "BBB": D(40)}
INSTRUMENTS = {symbol: Instrument.equity(symbol, calendar="24/7") for symbol in CLOSES}


def two_symbol_kernel(
    risk: RiskConfig, percent: Decimal = PERCENT, execution: ExecutionConfig | None = None
) -> TradingKernel:
    config = RunConfig(
        strategy="scripted",
        symbol="AAA",
        timeframe="1h",
        cash=CASH,
        sizing=SizingConfig(percent=percent),
        risk=risk,
        execution=execution or ExecutionConfig(),
    )
    return build_kernel(config, INSTRUMENTS, None)


def long_on_the_same_bar(kernel: TradingKernel) -> list[Event]:
    """Both symbols' first bars close flat with a long signal each, AAA routed first."""
    events: list[Event] = []
    for symbol, close in CLOSES.items():
        end = START + timedelta(hours=1)
        bar = Bar(symbol, "1h", START, end, close, close, close, close, D(1e6))
        signal = Signal("scripted", symbol, Direction.LONG, bar.ts_close)
        events.extend(kernel.on_bar(bar, [signal], 0))
    return events


def entries(events: list[Event]) -> dict[str, Decimal]:
    return {
        event.order.symbol: event.order.quantity
        for event in events
        if isinstance(event, OrderAccepted) and event.order.role is OrderRole.ENTRY
    }


def test_the_exposure_cap_counts_the_entry_still_working_for_another_symbol() -> None:
    kernel = two_symbol_kernel(RiskConfig(exposure_cap_percent=CAP))
    routed = entries(long_on_the_same_bar(kernel))

    first = CASH * PERCENT / 100 / CLOSES["AAA"]
    working = first * CLOSES["AAA"]
    room = CASH * CAP / 100 - working
    assert routed == {"AAA": first, "BBB": room / CLOSES["BBB"]}
    assert sum(quantity * CLOSES[symbol] for symbol, quantity in routed.items()) <= (
        CASH * CAP / 100
    )
    [(_, note)] = kernel.adjustments
    assert note.startswith(
        f"gross exposure 0.00 plus working entries {working:,.2f} plus the BBB entry would exceed"
    )


def test_max_open_positions_counts_a_symbol_whose_entry_is_still_working() -> None:
    kernel = two_symbol_kernel(RiskConfig(exposure_cap_percent=None, max_open_positions=1))
    events = long_on_the_same_bar(kernel)

    assert list(entries(events)) == ["AAA"]
    [rejected] = [event for event in events if isinstance(event, SignalRejected)]
    assert rejected.signal.symbol == "BBB"
    assert rejected.reason == (
        "0 positions are open plus 1 with a working entry (AAA) and the maximum is 1; "
        "not opening BBB"
    )


def order(order_type: OrderType, limit: str | None = None, stop: str | None = None) -> Order:
    return Order(
        "o-1", "c-1", "AAPL", Side.BUY, order_type, D(30), START,
        limit_price=None if limit is None else D(limit),
        stop_price=None if stop is None else D(stop),
        filled_quantity=D(10),
    )  # fmt: skip


def test_working_entries_are_valued_where_a_broker_checks_buying_power() -> None:
    last = {"AAPL": D(100)}
    market, limit = order(OrderType.MARKET), order(OrderType.LIMIT, limit="95")
    stop_above, stop_below = order(OrderType.STOP, stop="110"), order(OrderType.STOP, stop="90")
    valued = working_entries([market, limit, stop_above, stop_below], last)
    assert [entry.price for entry in valued] == [D(100), D(95), D(110), D(100)]
    assert {entry.quantity for entry in valued} == {D(20)}  # what is still to fill
    unpriced = working_entries([market, limit], {})
    assert [entry.price for entry in unpriced] == [None, D(95)]
    assert unpriced[0].notional == 0


def test_a_modified_entry_is_checked_in_place_of_its_old_values_not_beside_them() -> None:
    kernel = two_symbol_kernel(RiskConfig(exposure_cap_percent=CAP))
    price = CLOSES["AAA"]
    cap_quantity = CASH * CAP / 100 / price
    first = cap_quantity / 2
    intent = OrderIntent(
        "AAA", Side.BUY, first, OrderType.LIMIT, limit_price=price, role=OrderRole.ENTRY
    )
    [accepted] = kernel.submit_order(intent, START, price=price)
    assert isinstance(accepted, OrderAccepted)

    kernel.modify_order(accepted.order.order_id, START, price=price, quantity=cap_quantity)

    assert kernel.order(accepted.order.order_id).quantity == cap_quantity
