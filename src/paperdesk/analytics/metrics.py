"""Compute run statistics (returns, drawdown, Sharpe, trade figures) from an equity curve."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from paperdesk.analytics.stats import Stats
from paperdesk.domain import InvalidInputError, Trade

DAYS_PER_YEAR = 365.25
SECONDS_PER_YEAR = DAYS_PER_YEAR * 86400


def compute_stats(
    equity: pd.Series,
    trades: Sequence[Trade],
    *,
    in_market: np.ndarray,
    start_equity: float,
    ambiguous_bars: int,
    fees: float,
    benchmark_close: pd.Series | None = None,
    periods_per_year: float | None = None,
    trade_pnls: np.ndarray | None = None,
) -> Stats:
    """Summarise a run.

    ``equity`` holds the equity at each bar close (index: tz-aware bar times; the first value is
    the equity after the first bar). Per-bar simple returns start from ``start_equity``, so the
    first bar's return counts. Sharpe = mean/std (ddof=1) and Sortino = mean/sqrt(mean(min(r,0)^2)),
    both times sqrt(periods_per_year) with a zero risk-free rate; periods_per_year defaults to
    bars per year over the calendar span (first to last index, 365.25-day years). The maximum
    drawdown is the most negative ``equity / cummax(equity) - 1`` of the curve itself. Undefined
    figures are None, never a made-up 0.0: Sharpe and Sortino with fewer than two returns or no
    dispersion (no losing bar for Sortino), CAGR over no time, win rate, best and worst trade
    without trades, average win or loss without one, profit factor without losses and buy and
    hold without a benchmark. ``trade_pnls``, when
    given, replaces ``trades``: each trade's ``float(pnl)`` in order, for callers that keep the
    trades as columns.
    """
    values, times = _equity_values(equity)
    market = np.asarray(in_market, dtype=bool)
    if market.shape != values.shape:
        raise InvalidInputError(
            f"in_market has {market.size} values but equity has {values.size} bars"
        )
    if not math.isfinite(start_equity) or start_equity <= 0:
        raise InvalidInputError(f"start_equity must be positive, got {start_equity}")
    start, end = _to_datetime(times[0]), _to_datetime(times[-1])
    years = (times[-1] - times[0]).total_seconds() / SECONDS_PER_YEAR
    final = float(values[-1])

    total_return = (final / start_equity - 1.0) * 100.0
    cagr: float | None = None  # undefined over no time
    if years > 0:
        cagr = ((final / start_equity) ** (1.0 / years) - 1.0) * 100.0 if final > 0 else -100.0

    drawdown, peak, trough = _max_drawdown(values, times, start_equity)

    if periods_per_year is None:
        periods_per_year = values.size / years if years > 0 else 0.0
    previous = np.empty_like(values)  # the equity before each bar
    previous[0], previous[1:] = start_equity, values[:-1]
    returns = (values - previous) / previous
    sharpe, sortino = _sharpe_sortino(returns, periods_per_year)

    if trade_pnls is None:
        pnls = np.array([float(trade.pnl) for trade in trades], dtype=np.float64)
    else:
        pnls = np.asarray(trade_pnls, dtype=np.float64)
    wins = pnls[pnls > 0]
    losses = pnls[pnls < 0]
    count = int(pnls.size)
    profit_factor = _finite(float(wins.sum() / -losses.sum())) if losses.size else None

    return Stats(
        start=start,
        end=end,
        start_equity=float(start_equity),
        final_equity=final,
        total_return_pct=float(total_return) if math.isfinite(total_return) else 0.0,
        cagr_pct=_finite(cagr),
        max_drawdown_pct=drawdown * 100.0,
        max_drawdown_peak=peak,
        max_drawdown_trough=trough,
        sharpe=_finite(sharpe),
        sortino=_finite(sortino),
        win_rate_pct=_finite(wins.size / count * 100.0) if count else None,
        average_win=_finite(float(wins.mean())) if wins.size else None,
        average_loss=_finite(float(losses.mean())) if losses.size else None,
        profit_factor=profit_factor,
        exposure_pct=float(market.mean()) * 100.0,
        trades=count,
        best_trade=_finite(float(pnls.max())) if count else None,
        worst_trade=_finite(float(pnls.min())) if count else None,
        fees=float(fees) if math.isfinite(fees) else 0.0,
        ambiguous_bars=int(ambiguous_bars),
        buy_and_hold_return_pct=_buy_and_hold(benchmark_close),
    )


def max_drawdown(equity: pd.Series) -> tuple[float, datetime | None, datetime | None]:
    """The most negative ``equity / cummax - 1`` (a fraction <= 0) with its peak and trough."""
    values, times = _equity_values(equity)
    return _max_drawdown(values, times)


def _equity_values(equity: pd.Series) -> tuple[np.ndarray, pd.DatetimeIndex]:
    if len(equity) == 0:
        raise InvalidInputError("equity curve is empty")
    if not isinstance(equity.index, pd.DatetimeIndex) or equity.index.tz is None:
        raise InvalidInputError("equity must be indexed by timezone-aware bar times")
    values = equity.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values))[0])
        raise InvalidInputError(f"equity at {equity.index[row]} is not finite")
    return values, equity.index


def _max_drawdown(
    values: np.ndarray, times: pd.DatetimeIndex, start_equity: float | None = None
) -> tuple[float, datetime | None, datetime | None]:
    """With ``start_equity`` the money the run started with is the first peak (a run that only
    loses from its first bar still has a drawdown); that peak is dated at the first bar."""
    running_peak = np.maximum.accumulate(values)
    if start_equity is not None and start_equity > 0:  # then every peak is positive
        np.maximum(running_peak, start_equity, out=running_peak)
        drawdowns = values / running_peak
        drawdowns -= 1.0
    else:
        if start_equity is not None:
            running_peak = np.maximum(running_peak, start_equity)
        with np.errstate(divide="ignore", invalid="ignore"):
            drawdowns = np.where(running_peak > 0, values / running_peak - 1.0, 0.0)
    trough = int(np.argmin(drawdowns))
    deepest = float(drawdowns[trough])
    if not deepest < 0:
        return 0.0, None, None
    at_peak = np.flatnonzero(values[: trough + 1] == running_peak[trough])
    peak = int(at_peak[-1]) if at_peak.size else 0
    return deepest, _to_datetime(times[peak]), _to_datetime(times[trough])


def _sharpe_sortino(
    returns: np.ndarray, periods_per_year: float
) -> tuple[float | None, float | None]:
    if returns.size < 2 or not periods_per_year > 0:
        return None, None
    scale = math.sqrt(periods_per_year)
    mean = float(returns.mean())
    deviation = float(returns.std(ddof=1))
    sharpe = mean / deviation * scale if deviation > 0 else None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    sortino = mean / downside * scale if downside > 0 else None
    return sharpe, sortino


def _buy_and_hold(benchmark_close: pd.Series | None) -> float | None:
    if benchmark_close is None:
        return None
    closes = benchmark_close.to_numpy(dtype=np.float64)
    closes = closes[np.isfinite(closes)]
    if closes.size == 0 or closes[0] <= 0:
        return None
    return _finite((float(closes[-1]) / float(closes[0]) - 1.0) * 100.0)


def _finite(value: float | None) -> float | None:
    """A figure, or None when it is undefined (not a finite number)."""
    return value if value is not None and math.isfinite(value) else None


def _to_datetime(value: pd.Timestamp) -> datetime:
    return value.to_pydatetime()
