"""The engine's side of the simulator-versus-engine tests: an order book and the simulated
venue driven bar by bar as the kernel drives them, and the check that a simulated trade is the
engine's fills."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

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
from paperdesk.execution import OrderBook, SimulatedVenue
from paperdesk.execution.costs import CostModels
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.settings import EntryType
from paperdesk.plans.sim_results import Outcome, SimulatedTrade
from paperdesk.plans.sim_rules import SimulationRules
from paperdesk.plans.simulator import simulate_plan


def engine_fills(
    bars: tuple[Bar, ...],
    intent: OrderIntent,
    submitted: datetime,
    instrument: Instrument,
    costs: CostModels,
) -> tuple[OrderFilled | None, OrderFilled | None]:
    """The entry fill and the bracket leg's fill, if any, over ``bars``."""
    instruments = {instrument.symbol: instrument}
    book = OrderBook(instruments, session_close=session_close)
    venue = SimulatedVenue(instruments, costs)
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


def assert_same_trade(
    trade: SimulatedTrade, entry_fill: OrderFilled | None, exit_fill: OrderFilled | None
) -> None:
    """The simulated trade enters and leaves as the engine's fills did (time, price, fee)."""
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


def assert_bracket_matches(
    window: tuple[Bar, ...],
    instrument: Instrument,
    costs: CostModels,
    quantity: Decimal,
    levels: tuple[Decimal, Decimal, Decimal],
    long: bool,
    market: bool,
) -> None:
    """One bracket (``levels``: entry, stop, target) entered at the window's first open, a
    market or a DAY limit entry, through the engine and the simulator (same candles, a max
    hold longer than the window, no EOD close): the same fills."""
    entry_price, stop, target = levels
    first, side = window[0], Side.BUY if long else Side.SELL
    intent = OrderIntent(
        instrument.symbol,
        side,
        quantity,
        OrderType.MARKET if market else OrderType.LIMIT,
        None if market else entry_price,
        time_in_force=TimeInForce.DAY,
        stop_loss=stop,
        take_profit=target,
    )
    entry_fill, exit_fill = engine_fills(window, intent, first.ts_open, instrument, costs)
    row = PlanRow(1, instrument.symbol, side, quantity, entry_price, target, stop)
    rules = SimulationRules(
        costs=costs,
        instruments={instrument.symbol: instrument},
        entry=EntryType.MARKET if market else EntryType.LIMIT,
        max_hold_days=Decimal(365),
        default_entry_time=first.ts_open,
    )
    [trade] = simulate_plan([row], {instrument.symbol: window}, rules).trades
    assert_same_trade(trade, entry_fill, exit_fill)
