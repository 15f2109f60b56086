"""A persistent portfolio's performance, from its equity snapshots and round trips."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from paperdesk.analytics.conventions import Benchmark, Conventions
from paperdesk.analytics.metrics import compute_stats
from paperdesk.analytics.stats import Stats
from paperdesk.config import RunConfig
from paperdesk.domain import DataError, InvalidInputError, OptionError, Trade, UnknownNameError
from paperdesk.domain.fields import marked, setting_mark
from paperdesk.service.views import EquityView

if TYPE_CHECKING:
    from paperdesk.live.sources import BarSource


def performance_stats(
    equity: Sequence[EquityView],
    trades: Sequence[Trade],
    starting_cash: float,
    conventions: Conventions | None = None,
) -> Stats:
    """Statistics over the equity curve (the last snapshot of each moment counts), following
    ``conventions`` (none: periods per year estimated from the curve, no benchmark).

    ``fees`` is every fee the fills paid up to the curve's last point (its snapshot's
    ``fees_paid``), a position still open included: a backtest's definition, so the same run
    reports the same fees in both (docs/statistics.md); the closed round trips' share is in
    their net P&L."""
    if not equity:
        from paperdesk.service.performance_snapshot import NO_HISTORY

        raise InvalidInputError(NO_HISTORY)
    frame = pd.DataFrame(
        {
            "equity": [float(e.equity) for e in equity],
            "invested": [e.positions_value != 0 for e in equity],
            "fees": [e.fees_paid for e in equity],
        },
        index=pd.DatetimeIndex([pd.Timestamp(e.ts) for e in equity]),
    )
    last = frame[~frame.index.duplicated(keep="last")].sort_index()
    return compute_stats(
        last["equity"],
        list(trades),
        in_market=np.asarray(last["invested"], dtype=bool),
        start_equity=starting_cash,
        ambiguous_bars=0,
        fees=float(last["fees"].iloc[-1]),
        conventions=conventions,
    )


def portfolio_conventions(settings: RunConfig, source: BarSource) -> Conventions:
    """A portfolio's statistics conventions: its timeframe on the calendar of its first symbol,
    its trading session, its return basis and risk-free rate, and its benchmark's bars (read as
    its symbols' are)."""
    from paperdesk.data import instrument_for

    if not settings.symbols:
        return Conventions.of(settings.statistics, timeframe=None, calendar="24/7")
    first = settings.symbols[0]
    calendar = instrument_for(first, settings.source.asset_class_of(first)).calendar
    timeframe = settings.bar_timeframe
    benchmark = None
    if settings.statistics.benchmark is not None:
        benchmark = portfolio_benchmark(settings, source)
    return Conventions.of(
        settings.statistics,
        timeframe=timeframe,
        calendar=calendar,
        session=settings.execution.session,
        benchmark=benchmark,
    )


def portfolio_benchmark(settings: RunConfig, source: BarSource) -> Benchmark:
    """The benchmark's closes by bar close; a symbol without bars is one clear error."""
    symbol = settings.statistics.benchmark
    if symbol is None:
        raise InvalidInputError("this portfolio has no benchmark")
    try:
        bars = source.history(symbol, settings.bar_timeframe, settings.source)
    except (InvalidInputError, UnknownNameError, DataError) as error:
        raise OptionError(
            f"invalid value for {setting_mark('benchmark')}: {symbol!r} (no "
            f"{settings.bar_timeframe} bars of it: {marked(error)})"
        ) from None
    closes = pd.Series(
        bars["close"].to_numpy(dtype=np.float64), index=pd.DatetimeIndex(bars["ts_close"])
    )
    return Benchmark(symbol, closes)


__all__ = ["Stats", "performance_stats", "portfolio_benchmark", "portfolio_conventions"]
