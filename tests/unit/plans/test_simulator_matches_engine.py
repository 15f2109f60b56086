"""The simulator and the engine agree: a bracket entered at the same time with the same levels
leaves at the same candle, by the same leg, at the same price, on real SPY hours.

The engine side is the order book and the simulated venue driven bar by bar as the kernel drives
them (a DAY entry, its stop-loss and take-profit legs, 5 bps slippage, a per-share fee); the
simulator gets the same candles, a max hold longer than the window (no timeout), no EOD close.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.calendars import session_close
from paperdesk.domain import (
    Bar,
    Event,
    Instrument,
    OrderFilled,
    OrderIntent,
    OrderRole,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.execution import FixedBasisPoints, OrderBook, PerShare, SimulatedVenue
from paperdesk.execution.costs import CostModels
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.settings import EntryType
from paperdesk.plans.sim_results import Outcome
from paperdesk.plans.sim_rules import SimulationRules
from paperdesk.plans.simulator import simulate_plan

from ._bundled import candles

WINDOW = 30  # candles after the entry time: a bracket still open after them is left open
SPY = Instrument.equity("SPY")
COSTS = CostModels(PerShare(Decimal("0.005"), Decimal("1")), FixedBasisPoints(Decimal(5)))
BARS = candles("SPY", "1h", "2019-01-02", "2019-06-28")


def engine_exit(
    bars: tuple[Bar, ...], intent: OrderIntent, submitted: datetime
) -> tuple[OrderFilled | None, OrderFilled | None]:
    """The entry fill and the bracket leg's fill, if any, over ``bars``."""
    book = OrderBook({"SPY": SPY}, session_close=session_close)
    venue = SimulatedVenue({"SPY": SPY}, COSTS)
    book.submit(intent, submitted)
    entry: OrderFilled | None = None
    for bar in bars:
        events: list[Event] = []
        for step in venue.match(bar, book, events):
            del step  # entries keep their quantity (no sizing step is answered)
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
    entry_offset=st.integers(min_value=-40, max_value=40),  # cents from the candle's open
    stop_distance=st.integers(min_value=5, max_value=400),  # cents from the entry price
    target_distance=st.integers(min_value=5, max_value=400),
)
def test_simulator_and_engine_agree_on_a_brackets_exit(
    start: int,
    long: bool,
    market: bool,
    entry_offset: int,
    stop_distance: int,
    target_distance: int,
) -> None:
    window = BARS[start : start + WINDOW]
    first = window[0]
    cent = Decimal("0.01")
    entry_price = first.open + entry_offset * cent
    sign = 1 if long else -1
    stop = entry_price - sign * stop_distance * cent
    target = entry_price + sign * target_distance * cent
    side = Side.BUY if long else Side.SELL
    intent = OrderIntent(
        "SPY",
        side,
        Decimal(10),
        OrderType.MARKET if market else OrderType.LIMIT,
        None if market else entry_price,
        time_in_force=TimeInForce.DAY,
        stop_loss=stop,
        take_profit=target,
    )
    entry_fill, exit_fill = engine_exit(window, intent, first.ts_open)

    row = PlanRow(1, "SPY", side, Decimal(10), entry_price, target, stop)
    rules = SimulationRules(
        costs=COSTS,
        instruments={"SPY": SPY},
        entry=EntryType.MARKET if market else EntryType.LIMIT,
        max_hold_days=Decimal(365),
        default_entry_time=first.ts_open,
    )
    [trade] = simulate_plan([row], {"SPY": window}, rules).trades

    if entry_fill is None:
        assert trade.outcome in (Outcome.NOT_FILLED, Outcome.NO_DATA)
        return
    assert (trade.entry_time, trade.entry_price) == (entry_fill.fill.ts, entry_fill.fill.price)
    assert trade.entry_fee == entry_fill.fill.fee
    if exit_fill is None:
        assert trade.outcome is Outcome.NO_DATA  # still open when the candles end
        return
    expected = (
        Outcome.STOP_LOSS if exit_fill.order.role is OrderRole.STOP_LOSS else Outcome.TAKE_PROFIT
    )
    assert trade.outcome is expected
    assert (trade.exit_time, trade.exit_price) == (exit_fill.fill.ts, exit_fill.fill.price)
    assert trade.exit_fee == exit_fill.fill.fee
