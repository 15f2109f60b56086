"""Backtests measured against a benchmark: the benchmark's bars from the store or a file, the
figures against a pandas computation on the run's own equity curve, the conventions applied,
and one clear error for a benchmark without bars."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from paperdesk.config import ReturnBasis, RunConfig, StatisticsConfig
from paperdesk.data import load_bars
from paperdesk.data.bundled import find_bundled
from paperdesk.domain import OptionError
from paperdesk.engine.result import BacktestResult
from paperdesk.service.backtests import run_backtest


def backtest(symbol: str = "AAPL", timeframe: str = "1d", **statistics: Any) -> BacktestResult:
    config = RunConfig(
        strategy="sma-cross",
        symbol=symbol,
        timeframe=timeframe,
        start=date(2019, 1, 1),
        end=date(2019, 12, 31),
        statistics=StatisticsConfig(**statistics),
    )
    return run_backtest(config)


def test_benchmark_figures_of_a_backtest_against_pandas() -> None:
    result = backtest(benchmark="SPY")
    stats = result.stats
    equity = result.equity_curve
    ours = pd.concat([pd.Series([float(result.config.cash)]), equity.reset_index(drop=True)])
    ours = ours.pct_change().dropna().reset_index(drop=True)
    spy = load_bars(find_bundled("SPY", "1d"))
    spy_closes = pd.Series(spy["close"].to_numpy(), index=pd.DatetimeIndex(spy["ts_close"]))
    theirs = spy_closes.pct_change().loc[equity.index].reset_index(drop=True)
    beta = ours.cov(theirs) / theirs.var()
    assert stats.benchmark == "SPY"
    assert stats.periods_per_year == 252
    assert stats.beta == pytest.approx(beta, rel=1e-12)
    assert stats.alpha_pct == pytest.approx(252 * (ours.mean() - beta * theirs.mean()) * 100)
    tracking = (ours - theirs).std() * math.sqrt(252)
    assert stats.tracking_error_pct == pytest.approx(tracking * 100, rel=1e-12)
    assert stats.information_ratio == pytest.approx((ours - theirs).mean() * 252 / tracking)


def test_a_benchmark_file_gives_the_figures_the_stored_symbol_gives() -> None:
    by_symbol = backtest(benchmark="SPY").stats
    by_file = backtest(benchmark_data=Path(find_bundled("SPY", "1d"))).stats
    assert by_file.benchmark == "SPY"  # from the file's name
    for name in ("alpha_pct", "beta", "tracking_error_pct", "information_ratio", "treynor_ratio"):
        assert getattr(by_file, name) == getattr(by_symbol, name), name


def test_options_change_only_the_figures_they_define() -> None:
    plain = backtest().stats
    measured = backtest(benchmark="SPY", risk_free_rate=Decimal(3)).stats
    for name in (
        "total_return_pct",
        "cagr_pct",
        "max_drawdown_pct",
        "max_drawdown_peak",
        "volatility_pct",
        "win_rate_pct",
        "profit_factor",
        "exposure_pct",
        "expectancy",
    ):
        assert getattr(measured, name) == getattr(plain, name), name  # fmt: skip
    assert plain.sharpe is not None
    assert plain.volatility_pct is not None
    assert measured.sharpe == pytest.approx(plain.sharpe - 0.03 / (plain.volatility_pct / 100))
    assert plain.benchmark is None
    assert plain.beta is None
    assert plain.alpha_pct is None


def test_daily_returns_of_an_hourly_backtest_use_the_sessions_of_the_year() -> None:
    hourly = backtest("SPY", "1h").stats
    daily = backtest("SPY", "1h", returns=ReturnBasis.DAILY).stats
    assert hourly.periods_per_year == 249 * 7 + 3 * 4  # three 13:00 early closes in 2019
    assert daily.periods_per_year == 252
    assert daily.returns_basis == "daily"
    assert daily.sharpe != hourly.sharpe
    assert daily.total_return_pct == hourly.total_return_pct


def test_a_benchmark_without_bars_is_one_error_naming_the_option() -> None:
    with pytest.raises(OptionError, match=r"^invalid value for --benchmark: 'XYZQ' \(no 1d bars"):
        backtest(benchmark="XYZQ")
    with pytest.raises(OptionError, match="benchmark data file not found"):
        backtest(benchmark_data=Path("/nonexistent/spy.csv"))
