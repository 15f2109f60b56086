"""The per-bar statistics of intraday US equity runs count the bars the run trades
(docs/statistics.md): buy and hold on the bundled SPY minute bars (pre- and post-market
included) against an independent numpy computation, with the periods per year counted from
exchange_calendars' XNYS sessions directly.

Regular session: the pre- and post-market bars' returns (0: the position is marked at the last
in-session close) are left out and P counts the regular session's minutes. Extended session:
every bar's return counts and P counts 04:00 to four hours after the close, New York."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig
from paperdesk.data import find_bundled, instrument_for, load_bars
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult

D = Decimal
CASH = 100_000.0
RUN_YEARS = list(range(2013, 2024))  # P: the mean over each calendar year the bars span


@pytest.fixture(scope="module")
def minute_bars() -> pd.DataFrame:
    return load_bars(find_bundled("SPY", "1m"))


def _buy_and_hold(bars: pd.DataFrame, session: str) -> BacktestResult:
    config = RunConfig(
        strategy="buy-and-hold",
        symbol="SPY",
        timeframe="1m",
        cash=D(int(CASH)),
        sizing=SizingConfig(method="target-percent", percent=D(90)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(session=session),
    )
    strategy = create_strategy("buy-and-hold", {})
    return simulate(bars, strategy, config, instrument_for("SPY"), engine="event")


def _minutes_a_year(years: list[int], *, extended: bool) -> float:
    """The mean over ``years`` of the minutes of XNYS's sessions (regular, or 04:00 New
    York to four hours after the close), from exchange_calendars itself."""
    calendar = xcals.get_calendar("XNYS")
    totals = []
    for year in years:
        sessions = calendar.sessions_in_range(f"{year}-01-01", f"{year}-12-31")
        opens = pd.DatetimeIndex(calendar.opens[sessions])
        closes = pd.DatetimeIndex(calendar.closes[sessions])
        if extended:
            days = pd.DatetimeIndex(sessions).tz_localize(None)
            opens = (days + pd.Timedelta(hours=4)).tz_localize("America/New_York")
            closes = closes + pd.Timedelta(hours=4)
        totals.append(float(((closes - opens).total_seconds() / 60).to_numpy().sum()))
    return sum(totals) / len(totals)


def _annualised(returns: np.ndarray, periods: float) -> dict[str, Any]:
    deviation = returns.std(ddof=1)
    downside = np.sqrt(np.mean(np.minimum(returns, 0.0) ** 2))
    return {
        "sharpe": returns.mean() / deviation * np.sqrt(periods),
        "sortino": returns.mean() / downside * np.sqrt(periods),
        "volatility_pct": deviation * np.sqrt(periods) * 100,
    }


def _check(result: BacktestResult, returns: np.ndarray, periods: float) -> None:
    stats = result.stats
    assert stats.periods_per_year == pytest.approx(periods, rel=1e-12)
    expected = _annualised(returns, periods)
    assert stats.sharpe == pytest.approx(expected["sharpe"], rel=1e-9)
    assert stats.sortino == pytest.approx(expected["sortino"], rel=1e-9)
    assert stats.volatility_pct == pytest.approx(expected["volatility_pct"], rel=1e-9)


def _returns(equity: np.ndarray) -> np.ndarray:
    return np.diff(np.concatenate(([CASH], equity))) / np.concatenate(([CASH], equity[:-1]))


def _in_regular_session(closes: pd.DatetimeIndex) -> np.ndarray:
    """A minute bar [close - 1 min, close) of a day the data holds (each an XNYS full day)
    starting from 09:30 to 15:59 New York."""
    starts = (closes - pd.Timedelta(minutes=1)).tz_convert("America/New_York")
    minute = starts.hour * 60 + starts.minute
    return np.asarray((minute >= 9 * 60 + 30) & (minute < 16 * 60))


def test_a_regular_run_s_statistics_leave_the_out_of_session_bars_out(
    minute_bars: pd.DataFrame,
) -> None:
    result = _buy_and_hold(minute_bars, "regular")
    curve = result.equity_curve
    inside = _in_regular_session(pd.DatetimeIndex(curve.index))
    every = _returns(curve.to_numpy())
    assert 0 < inside.sum() < inside.size
    assert not every[1:][~inside[1:]].any()  # out of the session: 0, by construction
    traded = _returns(curve.to_numpy()[inside])
    assert traded.size == inside.sum()
    _check(result, traded, _minutes_a_year(RUN_YEARS, extended=False))
    assert len(curve) == len(minute_bars)  # the curve itself keeps every bar


def test_an_extended_run_counts_every_bar_and_the_extended_session_s_minutes(
    minute_bars: pd.DataFrame,
) -> None:
    result = _buy_and_hold(minute_bars, "extended")
    curve = result.equity_curve
    periods = _minutes_a_year(RUN_YEARS, extended=True)
    assert periods > 252 * 900  # 960 minutes a full day
    _check(result, _returns(curve.to_numpy()), periods)


def test_on_bars_all_in_the_session_the_two_sessions_differ_by_their_minutes_alone(
    minute_bars: pd.DataFrame,
) -> None:
    """The same trades and returns in both sessions: the Sharpe ratios differ by the square
    root of the sessions' minutes a year (960 against 390 a full day)."""
    inside = _in_regular_session(pd.DatetimeIndex(minute_bars["ts_close"]))
    regular_only = minute_bars[inside]
    regular = _buy_and_hold(regular_only, "regular").stats
    extended = _buy_and_hold(regular_only, "extended").stats
    assert regular.total_return_pct == extended.total_return_pct
    ratio = _minutes_a_year(RUN_YEARS, extended=True) / _minutes_a_year(RUN_YEARS, extended=False)
    assert regular.sharpe is not None
    assert extended.sharpe is not None
    assert extended.sharpe / regular.sharpe == pytest.approx(np.sqrt(ratio), rel=1e-12)
