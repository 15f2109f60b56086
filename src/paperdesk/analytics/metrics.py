"""Compute run statistics (returns, drawdown, Sharpe, trade and benchmark figures) from an
equity curve; the formulas are written out in docs/statistics.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from paperdesk.analytics import annualisation
from paperdesk.analytics.conventions import Conventions
from paperdesk.analytics.relative import (
    NO_BENCHMARK,
    benchmark_stats,
    probabilistic_sharpe_ratio,
    sharpe_sortino,
    summarise,
)
from paperdesk.analytics.returns import period_returns, price_returns, traded_bars
from paperdesk.analytics.stats import Stats, win_rate_pct
from paperdesk.config.run import TradingSession
from paperdesk.config.statistics import ReturnBasis
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
    conventions: Conventions | None = None,
) -> Stats:
    """Summarise a run.

    ``equity`` holds the equity at each bar close (index: tz-aware bar times; the first value is
    the equity after the first bar). Simple returns (per bar the run trades on, see
    ``returns.traded_bars``, or per session with ``conventions.returns`` daily) start from
    ``start_equity``, so the first period counts.
    Sharpe = mean(r - rf)/std (ddof=1) and Sortino = mean(r - rf)/sqrt(mean(min(r - rf,0)^2)),
    both times sqrt(periods_per_year); periods_per_year comes from the conventions' bar length
    and calendar, else it is the periods per year over the curve's span (first to last index,
    365.25-day years). docs/statistics.md writes out every figure. The maximum
    drawdown is the most negative ``equity / cummax(equity) - 1`` of the curve itself. Undefined
    figures are None, never a made-up 0.0: Sharpe and Sortino with fewer than two returns or no
    dispersion (no losing bar for Sortino), CAGR over no time, win rate, best and worst trade
    without trades, average win or loss without one, profit factor without losses and buy and
    hold without a benchmark. ``trade_pnls``, when
    given, replaces ``trades``: each trade's ``float(pnl)`` in order, for callers that keep the
    trades as columns. ``conventions`` (see ``Conventions`` and docs/statistics.md) choose the
    return basis, the annualisation from the bar length and calendar (``periods_per_year``,
    when given, wins), the risk-free rate and the benchmark of the relative figures.
    """
    conventions = conventions or Conventions()
    values, times, market = _checked_inputs(equity, in_market, start_equity)
    start, end = _to_datetime(times[0]), _to_datetime(times[-1])
    years = (times[-1] - times[0]).total_seconds() / SECONDS_PER_YEAR
    final = float(values[-1])

    total_return = (final / start_equity - 1.0) * 100.0
    cagr = _cagr(final, start_equity, years)

    peaks = _peak_line(values, start_equity)
    drawdown, peak, trough = _deepest_drawdown(values, times, peaks)

    series = statistics_returns(equity, start_equity, conventions)
    returns = series.to_numpy()
    if periods_per_year is None:
        periods_per_year = _periods_per_year(conventions, start, end, returns.size, years)
    risk_free = (
        conventions.risk_free_rate_pct / 100.0 / periods_per_year if periods_per_year else 0.0
    )
    summary = summarise(returns)  # the mean, deviation and moments, computed once
    sharpe, sortino = sharpe_sortino(returns, periods_per_year, risk_free, summary)
    volatility = (
        summary.deviation * math.sqrt(periods_per_year) * 100.0
        if returns.size >= 2 and periods_per_year > 0
        else None
    )
    relative = NO_BENCHMARK
    if conventions.benchmark is not None:
        theirs = price_returns(
            _traded(conventions.benchmark.closes, conventions),
            conventions.returns,
            conventions.calendar,
        )
        relative = benchmark_stats(series, theirs, periods_per_year, risk_free)

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
        win_rate_pct=win_rate_pct(int(wins.size), count),
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
        returns_basis=str(conventions.returns.value),
        periods_per_year=periods_per_year if periods_per_year > 0 else None,
        risk_free_rate_pct=conventions.risk_free_rate_pct,
        volatility_pct=_finite(volatility),
        max_drawdown_duration_days=_longest_drawdown_days(values, times, peaks),
        expectancy=_finite(float(pnls.mean())) if count else None,
        probabilistic_sharpe_pct=_percent(
            probabilistic_sharpe_ratio(returns, risk_free, summary=summary)
        ),
        benchmark=conventions.benchmark.symbol if conventions.benchmark is not None else None,
        alpha_pct=_percent(relative.alpha),
        beta=relative.beta,
        tracking_error_pct=_percent(relative.tracking_error),
        information_ratio=relative.information_ratio,
        treynor_ratio=relative.treynor_ratio,
    )


def _checked_inputs(
    equity: pd.Series, in_market: np.ndarray, start_equity: float
) -> tuple[np.ndarray, pd.DatetimeIndex, np.ndarray]:
    """What ``compute_stats`` refuses, checked alone (for statistics computed later): the curve's
    values and times and the in-market flags, or InvalidInputError."""
    values, times = _equity_values(equity)
    market = np.asarray(in_market, dtype=bool)
    if market.shape != values.shape:
        raise InvalidInputError(
            f"in_market has {market.size} values but equity has {values.size} bars"
        )
    if not math.isfinite(start_equity) or start_equity <= 0:
        raise InvalidInputError(f"start_equity must be positive, got {start_equity}")
    return values, times, market


LATER_RATIO = 1e10
"""``periods_per_year_for_later`` accepts a curve whose values (and the starting equity) lie
within this ratio of each other."""


def periods_per_year_for_later(
    equity: pd.Series,
    in_market: np.ndarray,
    start_equity: float,
    conventions: Conventions | None = None,
) -> float | None:
    """The periods per year ``compute_stats`` would use, when its figures can safely be computed
    later (passing this as its ``periods_per_year``), else None: compute them now.

    Later is safe where ``compute_stats`` cannot raise, so that a result whose statistics are
    computed on first read fails (or not) exactly when and where it did: inputs it accepts,
    per-bar returns, no benchmark, the growth rate and the annualisation computable (both are
    computed here, and raise here as they would there), and a positive curve within
    ``LATER_RATIO`` of the starting equity. The returns are then 0 or between about 1e-26 and
    1e10 in magnitude, so none of the powers and quotients of Python floats in the moments, the
    Sharpe ratios and the probabilistic Sharpe ratio can overflow or divide by zero.
    """
    conventions = conventions or Conventions()
    if conventions.returns is not ReturnBasis.BAR or conventions.benchmark is not None:
        return None
    times = equity.index
    if not len(equity) or not isinstance(times, pd.DatetimeIndex) or times.tz is None:
        return None
    values = equity.to_numpy(dtype=np.float64)
    if np.shape(in_market) != values.shape or not math.isfinite(start_equity):
        return None
    # NaN in the curve makes both NaN (and fails the test below): no separate finiteness pass
    lowest = min(float(values.min()), start_equity)
    highest = max(float(values.max()), start_equity)
    if not (lowest > 0 and highest <= lowest * LATER_RATIO):
        return None
    start, end = _to_datetime(times[0]), _to_datetime(times[-1])
    years = (times[-1] - times[0]).total_seconds() / SECONDS_PER_YEAR
    _cagr(float(values[-1]), start_equity, years)  # raises (OverflowError) here as there
    count = len(_traded(equity, conventions))  # the returns compute_stats takes
    return _periods_per_year(conventions, start, end, count, years)


def _cagr(final: float, start_equity: float, years: float) -> float | None:
    """The compound annual growth rate in percent; None over no time (undefined)."""
    if not years > 0:
        return None
    return ((final / start_equity) ** (1.0 / years) - 1.0) * 100.0 if final > 0 else -100.0


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
    if start_equity is not None and start_equity > 0:  # then every peak is positive
        return _deepest_drawdown(values, times, _peak_line(values, start_equity))
    running_peak = np.maximum.accumulate(values)
    if start_equity is not None:
        running_peak = np.maximum(running_peak, start_equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        drawdowns = np.where(running_peak > 0, values / running_peak - 1.0, 0.0)
    return _drawdown_at_trough(values, times, running_peak, drawdowns)


def _peak_line(values: np.ndarray, start_equity: float) -> np.ndarray:
    """The running peak of the curve, the (positive) starting equity its first peak."""
    running_peak = np.maximum.accumulate(values)
    np.maximum(running_peak, start_equity, out=running_peak)
    return running_peak


def _deepest_drawdown(
    values: np.ndarray, times: pd.DatetimeIndex, peaks: np.ndarray
) -> tuple[float, datetime | None, datetime | None]:
    """``_max_drawdown`` under a positive peak line (``_peak_line``)."""
    drawdowns = values / peaks
    drawdowns -= 1.0
    return _drawdown_at_trough(values, times, peaks, drawdowns)


def _drawdown_at_trough(
    values: np.ndarray, times: pd.DatetimeIndex, running_peak: np.ndarray, drawdowns: np.ndarray
) -> tuple[float, datetime | None, datetime | None]:
    trough = int(np.argmin(drawdowns))
    deepest = float(drawdowns[trough])
    if not deepest < 0:
        return 0.0, None, None
    at_peak = np.flatnonzero(values[: trough + 1] == running_peak[trough])
    peak = int(at_peak[-1]) if at_peak.size else 0
    return deepest, _to_datetime(times[peak]), _to_datetime(times[trough])


def statistics_returns(
    equity: pd.Series, start_equity: float, conventions: Conventions
) -> pd.Series:
    """The returns every per-period figure is taken on (Sharpe, Sortino, volatility, the
    relative figures, a sweep's per-period Sharpe and its overfitting diagnostics): one per bar
    the run trades on (``returns.traded_bars``: an intraday US equity run in the regular session
    leaves its out-of-session bars out) or one per session (``conventions.returns`` daily),
    the first from ``start_equity``. The one rule, so the figures agree wherever they are
    computed (docs/statistics.md)."""
    return period_returns(
        _traded(equity, conventions), start_equity, conventions.returns, conventions.calendar
    )


def _traded(series: pd.Series, conventions: Conventions) -> pd.Series:
    """The values at the bars whose per-bar returns count (``returns.traded_bars``): in the
    regular session, an intraday US equity curve's (or benchmark's) in-session bars."""
    if not isinstance(series.index, pd.DatetimeIndex):
        return series
    traded = traded_bars(
        series.index,
        conventions.timeframe,
        conventions.calendar,
        conventions.session,
        conventions.returns,
    )
    return series if traded is None else series[traded]


def _periods_per_year(
    conventions: Conventions, start: datetime, end: datetime, count: int, years: float
) -> float:
    """From the calendar when the bar length is known (sessions per year for daily returns;
    an extended run's intraday US equity bars in the extended session), else the number of
    periods over the curve's span in 365.25-day years."""
    if conventions.timeframe is not None:
        timeframe = "1d" if conventions.returns is ReturnBasis.DAILY else conventions.timeframe
        found = annualisation.periods_per_year(
            timeframe,
            conventions.calendar,
            start,
            end,
            extended=conventions.session is TradingSession.EXTENDED,
        )
        if found is not None:
            return found
    return count / years if years > 0 else 0.0


def _longest_drawdown_days(values: np.ndarray, times: pd.DatetimeIndex, peaks: np.ndarray) -> float:
    """The longest stretch from a peak (``peaks``: ``_peak_line``, so the starting equity is the
    first, dated at the first bar) to the first bar back at or above it, or to the last bar if
    it never recovers."""
    underwater = values < peaks
    if not underwater.any():
        return 0.0
    nanoseconds = times.as_unit("ns").asi8
    recovered = np.flatnonzero(~underwater[1:] & underwater[:-1]) + 1
    ends = np.concatenate((recovered, [values.size - 1] if underwater[-1] else []))
    ends = ends.astype(np.int64)
    # each stretch starts at the last bar at its peak before it (the first bar if none is)
    at_peak = np.concatenate(([0], np.flatnonzero(~underwater)))
    starts = at_peak[np.maximum(np.searchsorted(at_peak, ends - 1, side="right") - 1, 0)]
    longest = int((nanoseconds[ends] - nanoseconds[starts]).max())
    return longest / 86_400e9


def _percent(value: float | None) -> float | None:
    return _finite(value * 100.0) if value is not None else None


def _buy_and_hold(benchmark_close: pd.Series | None) -> float | None:
    if benchmark_close is None:
        return None
    closes = benchmark_close.to_numpy(dtype=np.float64)
    if not np.isfinite(closes).all():
        closes = closes[np.isfinite(closes)]
    if closes.size == 0 or closes[0] <= 0:
        return None
    return _finite((float(closes[-1]) / float(closes[0]) - 1.0) * 100.0)


def _finite(value: float | None) -> float | None:
    """A figure, or None when it is undefined (not a finite number)."""
    return value if value is not None and math.isfinite(value) else None


def _to_datetime(value: pd.Timestamp) -> datetime:
    return value.to_pydatetime()
