"""Each statistic of docs/statistics.md against an independent pandas computation on the bundled
AAPL and SPY bars (Lean's daily and hourly files): returns on both bases, the calendar's
annualisation, volatility, Sharpe with a risk-free rate, the probabilistic Sharpe ratio, the
longest drawdown, and alpha, beta, tracking error, information and Treynor ratio against SPY."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from paperdesk.analytics.conventions import Benchmark, Conventions
from paperdesk.analytics.metrics import compute_stats
from paperdesk.analytics.relative import probabilistic_sharpe_ratio
from paperdesk.analytics.stats import Stats
from paperdesk.config.statistics import ReturnBasis
from paperdesk.data import load_bars
from paperdesk.data.bundled import find_bundled

NYSE_SESSIONS_2019 = 252  # the NYSE's trading days of 2019 (its published holiday list)


def closes(symbol: str, timeframe: str = "1d") -> pd.Series:
    """The bundled closes, indexed by bar close time (when the bar becomes visible)."""
    bars = load_bars(find_bundled(symbol, timeframe))
    return pd.Series(bars["close"].to_numpy(), index=pd.DatetimeIndex(bars["ts_close"]))


def year(series: pd.Series, which: str = "2019") -> pd.Series:
    return series[series.index.year == int(which)]


def buy_and_hold(symbol: str, timeframe: str = "1d") -> tuple[pd.Series, float]:
    """The equity of 100 shares bought at the last close of 2018 and held through 2019, and
    that starting equity."""
    every = closes(symbol, timeframe)
    start = float(every[every.index.year == 2018].iloc[-1]) * 100
    return year(every) * 100, start


def run(
    equity: pd.Series,
    start: float,
    *,
    timeframe: str = "1d",
    returns: ReturnBasis = ReturnBasis.BAR,
    risk_free_rate_pct: float = 0.0,
    benchmark: Benchmark | None = None,
) -> Stats:
    conventions = Conventions(
        timeframe=timeframe,
        calendar="XNYS",
        returns=returns,
        risk_free_rate_pct=risk_free_rate_pct,
        benchmark=benchmark,
    )
    return compute_stats(
        equity,
        [],
        in_market=np.ones(len(equity), dtype=bool),
        start_equity=start,
        ambiguous_bars=0,
        fees=0.0,
        conventions=conventions,
    )


def pandas_returns(equity: pd.Series, start: float) -> pd.Series:
    with_start = pd.concat([pd.Series([start]), equity.reset_index(drop=True)])
    return with_start.pct_change().dropna().reset_index(drop=True)


def test_sharpe_sortino_and_volatility_by_hand_on_aapl_2019() -> None:
    equity, start = buy_and_hold("AAPL")
    result = run(equity, start)
    returns = pandas_returns(equity, start)
    assert len(returns) == NYSE_SESSIONS_2019
    assert result.periods_per_year == NYSE_SESSIONS_2019  # the calendar, not 252/363 days
    scale = math.sqrt(NYSE_SESSIONS_2019)
    assert result.sharpe == pytest.approx(returns.mean() / returns.std() * scale, rel=1e-12)
    downside = math.sqrt((returns.clip(upper=0) ** 2).mean())
    assert result.sortino == pytest.approx(returns.mean() / downside * scale, rel=1e-12)
    assert result.volatility_pct == pytest.approx(returns.std() * scale * 100, rel=1e-12)
    assert result.returns_basis == "bar"
    # AAPL 2019: 39.06 at the end of 2018 to 293.65, +86% (Lean's split-adjusted daily file)
    assert result.total_return_pct == pytest.approx((equity.iloc[-1] / start - 1) * 100)


def test_the_risk_free_rate_lowers_sharpe_by_the_rate_over_the_volatility() -> None:
    equity, start = buy_and_hold("AAPL")
    without = run(equity, start)
    with_rate = run(equity, start, risk_free_rate_pct=2.0)
    assert without.sharpe is not None
    assert with_rate.sharpe is not None
    assert without.volatility_pct is not None
    # mean(r - 0.02 / P) / std x sqrt(P) = Sharpe - 0.02 / (std x sqrt(P))
    expected = without.sharpe - 0.02 / (without.volatility_pct / 100)
    assert with_rate.sharpe == pytest.approx(expected, rel=1e-12)
    assert with_rate.risk_free_rate_pct == 2.0
    returns = pandas_returns(equity, start) - 0.02 / NYSE_SESSIONS_2019
    downside = math.sqrt((returns.clip(upper=0) ** 2).mean())
    expected_sortino = returns.mean() / downside * math.sqrt(NYSE_SESSIONS_2019)
    assert with_rate.sortino == pytest.approx(expected_sortino, rel=1e-12)


def test_benchmark_figures_against_spy_by_hand() -> None:
    equity, start = buy_and_hold("AAPL")
    spy = closes("SPY")
    result = run(equity, start, risk_free_rate_pct=1.5, benchmark=Benchmark("SPY", spy))
    ours = pandas_returns(equity, start)
    theirs = spy.pct_change().loc[equity.index].reset_index(drop=True)  # 2019's, aligned
    periods, rate = NYSE_SESSIONS_2019, 0.015 / NYSE_SESSIONS_2019
    beta = ours.cov(theirs) / theirs.var()
    alpha = periods * ((ours - rate).mean() - beta * (theirs - rate).mean())
    active = ours - theirs
    tracking = active.std() * math.sqrt(periods)
    assert result.benchmark == "SPY"
    assert result.beta == pytest.approx(beta, rel=1e-12)
    assert result.alpha_pct == pytest.approx(alpha * 100, rel=1e-10)
    assert result.tracking_error_pct == pytest.approx(tracking * 100, rel=1e-12)
    assert result.information_ratio == pytest.approx(active.mean() * periods / tracking)
    assert result.treynor_ratio == pytest.approx(periods * (ours - rate).mean() / beta)
    assert 0.5 < beta < 2  # AAPL moved with the market in 2019, more than it


def test_a_series_against_itself_has_beta_one_alpha_zero_and_no_tracking_error() -> None:
    equity, start = buy_and_hold("SPY")
    result = run(equity, start, risk_free_rate_pct=3.0, benchmark=Benchmark("SPY", closes("SPY")))
    assert result.beta == pytest.approx(1.0, abs=1e-12)
    assert result.alpha_pct == pytest.approx(0.0, abs=1e-10)
    assert result.tracking_error_pct == 0.0
    assert result.information_ratio is None  # undefined: no tracking error to divide by
    assert result.treynor_ratio is not None
    daily = run(
        equity,
        start,
        returns=ReturnBasis.DAILY,
        benchmark=Benchmark("SPY", closes("SPY")),
    )
    assert daily.beta == pytest.approx(1.0, abs=1e-12)
    assert daily.tracking_error_pct == 0.0


def test_probabilistic_sharpe_ratio_against_the_formula_with_pandas_moments() -> None:
    equity, start = buy_and_hold("AAPL")
    result = run(equity, start, risk_free_rate_pct=1.0)
    returns = pandas_returns(equity, start)
    n = len(returns)
    sharpe = (returns - 0.01 / NYSE_SESSIONS_2019).mean() / returns.std()
    # pandas' bias-corrected skew and excess kurtosis, turned back into population moments
    skewness = returns.skew() * (n - 2) / math.sqrt(n * (n - 1))
    excess = (returns.kurt() * (n - 2) * (n - 3) / (n - 1) - 6) / (n + 1)
    kurtosis = excess + 3
    z = (
        sharpe
        * math.sqrt(n - 1)
        / math.sqrt(1 - skewness * sharpe + (kurtosis - 1) / 4 * sharpe**2)
    )
    assert result.probabilistic_sharpe_pct == pytest.approx(NormalDist().cdf(z) * 100, rel=1e-9)
    assert 50 < result.probabilistic_sharpe_pct < 100  # a strong year: Sharpe above 0 is likely


def test_probabilistic_sharpe_ratio_is_one_half_at_zero_and_undefined_when_flat() -> None:
    assert probabilistic_sharpe_ratio(np.array([0.01, -0.01, 0.02, -0.02])) == pytest.approx(0.5)
    assert probabilistic_sharpe_ratio(np.array([0.01, 0.01, 0.01])) is None
    assert probabilistic_sharpe_ratio(np.array([0.01, 0.02])) is None


def test_daily_returns_of_hourly_bars_are_the_last_equity_of_each_session() -> None:
    equity, start = buy_and_hold("SPY", "1h")
    result = run(equity, start, timeframe="1h", returns=ReturnBasis.DAILY)
    by_day = equity.groupby(equity.index.tz_convert("America/New_York").date).last()
    returns = pandas_returns(by_day, start)
    assert len(returns) == NYSE_SESSIONS_2019
    assert result.periods_per_year == NYSE_SESSIONS_2019
    expected = returns.mean() / returns.std() * math.sqrt(NYSE_SESSIONS_2019)
    assert result.sharpe == pytest.approx(expected, rel=1e-12)
    daily_bars, daily_start = buy_and_hold("SPY", "1d")
    assert run(daily_bars, daily_start).sharpe == pytest.approx(expected, rel=1e-12)  # same closes


def test_hourly_bars_are_annualised_by_the_bars_of_each_session() -> None:
    equity, start = buy_and_hold("SPY", "1h")
    result = run(equity, start, timeframe="1h")
    # 7 one-hour bars a regular session (09:30-16:00), 4 on the three 13:00 early closes
    assert result.periods_per_year == 249 * 7 + 3 * 4
    returns = pandas_returns(equity, start)
    expected = returns.mean() / returns.std() * math.sqrt(249 * 7 + 3 * 4)
    assert result.sharpe == pytest.approx(expected, rel=1e-12)


def longest_underwater_days(equity: pd.Series, start: float) -> float:
    """An independent loop: the longest time from a peak to the first close back at it."""
    peak, peak_time, longest = start, equity.index[0], pd.Timedelta(0)
    for moment, value in equity.items():
        if value >= peak:
            longest = max(longest, moment - peak_time)
            peak, peak_time = value, moment
    longest = max(longest, equity.index[-1] - peak_time)
    return longest / pd.Timedelta(days=1)


def test_longest_drawdown_of_spy_2018_to_2019_by_a_loop() -> None:
    spy = closes("SPY")
    equity = spy[(spy.index.year >= 2018) & (spy.index.year <= 2019)] * 10
    start = float(spy[spy.index.year == 2017].iloc[-1]) * 10
    result = run(equity, start)
    expected = longest_underwater_days(equity, start)
    assert result.max_drawdown_duration_days == pytest.approx(expected)
    assert expected > 200  # the January 2018 high was regained only in 2019
    rising = pd.Series([1.0, 2.0, 3.0], index=equity.index[:3])
    assert run(rising, 1.0).max_drawdown_duration_days == 0.0


def test_crypto_days_end_at_midnight_utc_and_a_year_has_365_of_them() -> None:
    bars = load_bars(find_bundled("BTCUSD", "1m"))
    equity = pd.Series(bars["close"].to_numpy(), index=pd.DatetimeIndex(bars["ts_close"]))
    equity = equity[equity.index.year == 2017]
    start = float(equity.iloc[0])
    conventions = Conventions(timeframe="1m", calendar="24/7", returns=ReturnBasis.DAILY)
    result = compute_stats(
        equity,
        [],
        in_market=np.ones(len(equity), dtype=bool),
        start_equity=start,
        ambiguous_bars=0,
        fees=0.0,
        conventions=conventions,
    )
    # a bar closing at 00:00 UTC is the last of the day before
    day = (equity.index - pd.Timedelta(nanoseconds=1)).date
    returns = pandas_returns(equity.groupby(day).last(), start)
    assert result.periods_per_year == 365
    assert result.sharpe == pytest.approx(returns.mean() / returns.std() * math.sqrt(365))


def test_one_bar_leaves_the_dispersion_figures_undefined() -> None:
    equity, start = buy_and_hold("SPY")
    result = run(equity.iloc[:1], start, benchmark=Benchmark("SPY", closes("SPY")))
    assert result.sharpe is None
    assert result.volatility_pct is None
    assert result.probabilistic_sharpe_pct is None
    assert result.beta is None
    assert result.tracking_error_pct is None
    assert result.total_return_pct == pytest.approx((equity.iloc[0] / start - 1) * 100)
