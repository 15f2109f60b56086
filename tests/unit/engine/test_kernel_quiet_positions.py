"""A kernel with its position events off (``quiet_positions``, as the backtest driver runs it)
books every fill as one with them on: the events are the only difference."""

from __future__ import annotations

from decimal import Decimal

from kernel_feed import feed_kernel, spy_kernel

from paperdesk.config import ExecutionConfig, RiskConfig
from paperdesk.domain import (
    Direction,
    Event,
    PositionChanged,
    PositionClosed,
    PositionOpened,
)
from paperdesk.engine.kernel import TradingKernel

D = Decimal
POSITION_EVENTS = (PositionOpened, PositionChanged, PositionClosed)
# (open, high, low, close) and the signal at the bar's close: long with a bracket, a reversal
# to short, its stop hit, a long whose target is hit, then a plain long and a flat exit
SCRIPT: list[tuple[tuple[str, str, str, str], tuple[Direction, str | None, str | None] | None]] = [
    (("100", "101", "99", "100"), (Direction.LONG, "95", "110")),
    (("100", "102", "99", "101"), None),
    (("101", "103", "100", "102"), (Direction.SHORT, "106", "90")),
    (("102", "107", "101", "105"), None),
    (("105", "106", "104", "105"), (Direction.LONG, "100", "108")),
    (("105", "109", "104", "108"), None),
    (("108", "109", "107", "108"), (Direction.LONG, None, None)),
    (("108", "110", "107", "109"), (Direction.FLAT, None, None)),
    (("109", "110", "108", "109"), None),
]


def kernel() -> TradingKernel:
    return spy_kernel(
        D(50),
        RiskConfig(allow_short=True, exposure_cap_percent=None),
        ExecutionConfig(slippage_bps=D(0), commission="percent:0.1"),
    )


def feed(trading: TradingKernel) -> list[Event]:
    return feed_kernel(trading, [((*prices, "1000"), wish) for prices, wish in SCRIPT])


def test_quiet_kernel_books_the_same_fills_trades_and_orders_without_position_events() -> None:
    loud, quiet = kernel(), kernel()
    quiet.quiet_positions()
    loud_events, quiet_events = feed(loud), feed(quiet)

    assert len(loud.ledger.trades) >= 3  # the script closes round trips through both legs
    assert any(isinstance(event, POSITION_EVENTS) for event in loud_events)
    assert not any(isinstance(event, POSITION_EVENTS) for event in quiet_events)
    assert [e for e in loud_events if not isinstance(e, POSITION_EVENTS)] == quiet_events
    assert quiet.ledger.fills == loud.ledger.fills
    assert quiet.ledger.trades == loud.ledger.trades
    assert quiet.ledger.state() == loud.ledger.state()
    assert quiet.orders.all_orders() == loud.orders.all_orders()
    assert quiet.entry_bar == loud.entry_bar
    assert quiet.overdrafts == loud.overdrafts
    quiet.ledger.check_invariants()
