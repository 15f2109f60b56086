"""The report document of a backtest (``paperdesk backtest ... --report FILE``).

The curve is the result's equity at each bar close (floats in the engine, shown to 6 decimal
places as exact decimal text), the statistics are the result's own ``Stats``, the trades its
round trips with their exact money. A trade's outcome is how it closed: ``TP`` (its take-profit
leg), ``SL`` (its stop-loss leg), ``TIMEOUT`` (the maximum holding period), else ``SIGNAL`` (an
exit order of the strategy: its reason is kept as ``exit_reason``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from paperdesk.domain import InvalidInputError, Side, Trade
from paperdesk.service.result_parts import (
    CurvePoint,
    Document,
    ReportTrade,
    as_utc,
    hours_between,
    result_document,
)

if TYPE_CHECKING:
    from paperdesk.data.quality_report import DataGaps
    from paperdesk.engine.result import BacktestResult

OUTCOMES = ("TP", "SL", "TIMEOUT", "SIGNAL")
CURVE_PLACES = 6
TIMEOUT_REASON = "max holding period"  # the engine's reason for a time exit
SHOWN_GAPS = 3  # the long gaps a warning names


def outcome_of(reason: str) -> str:
    """The outcome of a round trip from its exit reason (see the module docstring)."""
    if reason == "take-profit":
        return "TP"
    if reason == "stop-loss":
        return "SL"
    if reason.startswith(TIMEOUT_REASON):
        return "TIMEOUT"
    return "SIGNAL"


def backtest_report(result: BacktestResult, title: str | None = None) -> Document:
    """The report document of ``result``."""
    curve = result.equity_curve
    times = pd.DatetimeIndex(curve.index).tz_convert("UTC").to_pydatetime()
    points = [
        CurvePoint(moment, _curve_money(value))
        for moment, value in zip(times, curve.to_numpy(dtype=float).tolist(), strict=True)
    ]
    trades = [_trade(trade) for trade in result.trades]
    config = result.config
    start = points[0].ts if points else as_utc(result.stats.start)
    end = points[-1].ts if points else as_utc(result.stats.end)
    return result_document(
        kind="backtest",
        title=title or f"Backtest of {config.strategy} on {result.symbol} ({result.timeframe})",
        start=start,
        end=end,
        stats=result.stats,
        points=points,
        trades=trades,
        known_outcomes=OUTCOMES,
        start_equity=config.cash,
        final_equity=result.final_equity,
        details={
            "strategy": config.strategy,
            "symbol": result.symbol,
            "timeframe": result.timeframe,
            "bars": result.bars,
            "signals": result.signals,
            "prices": result.prices,
            "open_positions": len(result.open_positions),
            "returns": result.stats.returns_basis,
        },
        warnings=gap_warnings(result),
    )


class GappedRun(Protocol):
    """A run on one series whose bars' gaps were looked at: a backtest's result, a sweep's, or
    one symbol's candles of a walk-forward."""

    @property
    def symbol(self) -> str: ...

    @property
    def timeframe(self) -> str: ...

    @property
    def data_gaps(self) -> DataGaps | None: ...


def gap_warning(result: GappedRun) -> tuple[str, str, str] | None:
    """The words of the warning of the bars' long gaps (``DataGaps.warning``: the risk with the
    longest gaps named, their totals) and the command listing them all; None without long
    gaps. The CLI's line (``paperdesk.cli.output.gap_lines``) and the page's box say them."""
    gaps = result.data_gaps
    words = None if gaps is None else gaps.warning(result.symbol, result.timeframe, SHOWN_GAPS)
    check = f"paperdesk data check {result.symbol} --timeframe {result.timeframe}"
    return None if words is None else (*words, check)


def gap_warnings(result: GappedRun) -> list[str]:
    """The report's warnings: the long gaps', if any, as the page words them."""
    words = gap_warning(result)
    if words is None:
        return []
    risk, totals, check = words
    return [f"{risk[:1].upper()}{risk[1:]} ({totals}; all of them in `{check}`)"]


def _curve_money(value: float) -> Decimal:
    """A float equity of the curve as a decimal at 6 places at most (no float noise)."""
    if not math.isfinite(value):
        raise InvalidInputError(f"the equity curve holds {value}")
    return Decimal(repr(round(value, CURVE_PLACES))).normalize() + 0


def _trade(trade: Trade) -> ReportTrade:
    return ReportTrade(
        symbol=trade.symbol,
        side="long" if trade.side is Side.BUY else "short",
        quantity=trade.quantity,
        outcome=outcome_of(trade.exit_reason),
        entry_time=as_utc(trade.ts_entry),
        exit_time=as_utc(trade.ts_exit),
        entry_price=trade.entry_price,
        exit_price=trade.exit_price,
        pnl=trade.pnl,
        fees=trade.fees,
        hours_held=hours_between(trade.ts_entry, trade.ts_exit),
        exit_reason=trade.exit_reason,
    )


__all__ = ["OUTCOMES", "GappedRun", "backtest_report", "gap_warning", "gap_warnings", "outcome_of"]
