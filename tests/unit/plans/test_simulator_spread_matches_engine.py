"""Under a forex spread (``--spread-pips``) the simulator and the engine's venue (what a
backtest trades through) agree: a bracket entered at the same time with the same levels fills
its entry and leaves at the same candle, by the same leg, at the same price, on real EURUSD
hours (the Lean/Oanda sample). Limits trade the ask (buys) or the bid (sells); market-like
fills pay the half spread as slippage."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.calendars import session_close
from paperdesk.data.instruments import instrument_for
from paperdesk.domain import (
    Bar,
    Event,
    OrderFilled,
    OrderIntent,
    OrderRole,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.execution import OrderBook, SimulatedVenue
from paperdesk.execution.costs import costs_of
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.settings import EntryType
from paperdesk.plans.sim_results import Outcome
from paperdesk.plans.sim_rules import SimulationRules
from paperdesk.plans.simulator import simulate_plan

from ._bundled import candles

WINDOW = 30
EURUSD = instrument_for("EURUSD")
PIP = Decimal("0.0001")
COSTS = costs_of("per-lot:7", Decimal(5), Decimal("1.5"), [EURUSD])
BARS = candles("EURUSD", "1h", "2018-03-01", "2018-05-31")


def engine_fills(
    bars: tuple[Bar, ...], intent: OrderIntent, submitted: datetime
) -> tuple[OrderFilled | None, OrderFilled | None]:
    """The entry fill and the bracket leg's fill, if any, as the engine's venue makes them."""
    book = OrderBook({"EURUSD": EURUSD}, session_close=session_close)
    venue = SimulatedVenue({"EURUSD": EURUSD}, COSTS)
    book.submit(intent, submitted)
    entry: OrderFilled | None = None
    for bar in bars:
        events: list[Event] = []
        for step in venue.match(bar, book, events):
            del step
        for event in events:
            if not isinstance(event, OrderFilled):
                continue
            if event.order.role is OrderRole.ENTRY:
                entry = event
            else:
                return entry, event
    return entry, None


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    start=st.integers(min_value=0, max_value=len(BARS) - WINDOW - 1),
    long=st.booleans(),
    market=st.booleans(),
    entry_offset=st.integers(min_value=-15, max_value=15),  # pips from the candle's open
    stop_distance=st.integers(min_value=2, max_value=60),  # pips from the entry price
    target_distance=st.integers(min_value=2, max_value=60),
)
def test_simulator_and_venue_agree_under_a_spread(
    start: int,
    long: bool,
    market: bool,
    entry_offset: int,
    stop_distance: int,
    target_distance: int,
) -> None:
    window = BARS[start : start + WINDOW]
    first = window[0]
    # levels on the tick, as a plan quotes them (the Oanda mid prices hold half ticks)
    entry_price = (first.open + entry_offset * PIP).quantize(EURUSD.tick_size)
    sign = 1 if long else -1
    stop = entry_price - sign * stop_distance * PIP
    target = entry_price + sign * target_distance * PIP
    side = Side.BUY if long else Side.SELL
    quantity = Decimal(100000)
    intent = OrderIntent(
        "EURUSD",
        side,
        quantity,
        OrderType.MARKET if market else OrderType.LIMIT,
        None if market else entry_price,
        time_in_force=TimeInForce.DAY,
        stop_loss=stop,
        take_profit=target,
    )
    entry_fill, exit_fill = engine_fills(window, intent, first.ts_open)

    row = PlanRow(1, "EURUSD", side, quantity, entry_price, target, stop)
    rules = SimulationRules(
        costs=COSTS,
        instruments={"EURUSD": EURUSD},
        entry=EntryType.MARKET if market else EntryType.LIMIT,
        max_hold_days=Decimal(365),
        default_entry_time=first.ts_open,
    )
    [trade] = simulate_plan([row], {"EURUSD": window}, rules).trades

    if entry_fill is None:
        assert trade.outcome in (Outcome.NOT_FILLED, Outcome.NO_DATA)
        return
    assert (trade.entry_time, trade.entry_price) == (entry_fill.fill.ts, entry_fill.fill.price)
    assert trade.entry_fee == entry_fill.fill.fee
    if exit_fill is None:
        assert trade.outcome is Outcome.NO_DATA
        return
    expected = (
        Outcome.STOP_LOSS if exit_fill.order.role is OrderRole.STOP_LOSS else Outcome.TAKE_PROFIT
    )
    assert trade.outcome is expected
    assert (trade.exit_time, trade.exit_price) == (exit_fill.fill.ts, exit_fill.fill.price)
    assert trade.exit_fee == exit_fill.fill.fee
