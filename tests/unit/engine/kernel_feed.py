"""Feeding a kernel hand-written hourly SPY bars, each with the signal at its close."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.domain import Bar, Direction, Event, Instrument, Signal
from paperdesk.engine.kernel import TradingKernel
from paperdesk.engine.wiring import build_kernel

START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
SPY = Instrument.equity("SPY", calendar="24/7")
Price = str | int
# (direction, stop, target) of a signal at a bar's close, None: no signal
Wish = tuple[Direction, Price | None, Price | None] | None


def spy_kernel(percent: Decimal, risk: RiskConfig, execution: ExecutionConfig) -> TradingKernel:
    """A kernel trading SPY from 10,000 of cash, sized at the fill at ``percent`` of equity."""
    config = RunConfig(
        strategy="scripted",
        symbol="SPY",
        timeframe="1h",
        cash=Decimal(10_000),
        sizing=SizingConfig(method="percent-equity", percent=percent, timing=SizeTiming.FILL),
        risk=risk,
        execution=execution,
    )
    return build_kernel(config, {"SPY": SPY}, None)


def feed_kernel(
    trading: TradingKernel,
    rows: Sequence[tuple[tuple[Price, Price, Price, Price, Price], Wish]],
) -> list[Event]:
    """Every event of ``rows`` (open, high, low, close, volume and the wish) fed bar by bar."""
    events: list[Event] = []
    for row, ((open_, high, low, close, volume), wish) in enumerate(rows):
        ts_open = START + timedelta(hours=row)
        bar = Bar(
            "SPY", "1h", ts_open, ts_open + timedelta(hours=1),
            Decimal(open_), Decimal(high), Decimal(low), Decimal(close), Decimal(volume),
        )  # fmt: skip
        signals = []
        if wish is not None:
            direction, stop, target = wish
            signals.append(
                Signal(
                    "scripted", "SPY", direction, bar.ts_close,
                    stop=None if stop is None else Decimal(stop),
                    target=None if target is None else Decimal(target),
                )
            )  # fmt: skip
        events.extend(trading.on_bar(bar, signals, row))
    return events
