"""A kernel with its position events off (``quiet_positions``, as the backtest driver runs it)
books every fill as one with them on: the events are the only difference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.domain import (
    Bar,
    Direction,
    Event,
    Instrument,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    Signal,
)
from paperdesk.engine.kernel import TradingKernel
from paperdesk.engine.wiring import build_kernel

D = Decimal
SPY = Instrument.equity("SPY", calendar="24/7")
START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
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
    config = RunConfig(
        strategy="scripted",
        symbol="SPY",
        timeframe="1h",
        cash=D(10_000),
        sizing=SizingConfig(method="percent-equity", percent=D(50), timing=SizeTiming.FILL),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        execution=ExecutionConfig(slippage_bps=D(0), commission="percent:0.1"),
    )
    return build_kernel(config, {"SPY": SPY}, None)


def feed(trading: TradingKernel) -> list[Event]:
    events: list[Event] = []
    for row, ((open_, high, low, close), wish) in enumerate(SCRIPT):
        ts_open = START + timedelta(hours=row)
        bar = Bar(
            "SPY", "1h", ts_open, ts_open + timedelta(hours=1),
            D(open_), D(high), D(low), D(close), D(1000),
        )  # fmt: skip
        signals = []
        if wish is not None:
            direction, stop, target = wish
            signals.append(
                Signal(
                    "scripted", "SPY", direction, bar.ts_close,
                    stop=None if stop is None else D(stop),
                    target=None if target is None else D(target),
                )
            )  # fmt: skip
        events.extend(trading.on_bar(bar, signals, row))
    return events


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
