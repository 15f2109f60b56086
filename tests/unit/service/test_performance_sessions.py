"""A paper portfolio's statistics (``portfolio performance``, the API's ``/performance``) follow
its trading session as a backtest's do: on SPY minutes in the regular session a pre-market
snapshot's return is left out; in the extended session it counts and P counts the extended
session's minutes (docs/statistics.md). Hand-made snapshots of 2013-10-07 (New York = UTC-4)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from paperdesk.config import ExecutionConfig, RunConfig
from paperdesk.domain.records import EquityView
from paperdesk.service.performance import performance_stats, portfolio_conventions

CASH = Decimal(10000)
# (UTC time of the snapshot, equity): 08:00 and 08:01 are pre-market minutes (04:00 New York)
SNAPSHOTS = [
    (datetime(2013, 10, 7, 8, 0, tzinfo=UTC), "10000"),
    (datetime(2013, 10, 7, 8, 1, tzinfo=UTC), "10000"),
    (datetime(2013, 10, 7, 13, 31, tzinfo=UTC), "10010"),
    (datetime(2013, 10, 7, 13, 32, tzinfo=UTC), "10005"),
    (datetime(2013, 10, 7, 13, 33, tzinfo=UTC), "10030"),
    (datetime(2013, 10, 7, 13, 34, tzinfo=UTC), "10020"),
]


def _stats(session: str) -> tuple[float, float]:
    settings = RunConfig(
        strategy="buy-and-hold",
        symbols=["SPY"],
        timeframe="1m",
        execution=ExecutionConfig(session=session),
    )
    zero = Decimal(0)
    equity = [EquityView(ts, CASH, zero, Decimal(v), zero, zero, zero) for ts, v in SNAPSHOTS]
    conventions = portfolio_conventions(settings, None)  # type: ignore[arg-type]  # no benchmark
    stats = performance_stats(equity, [], float(CASH), conventions)
    assert stats.sharpe is not None
    assert stats.periods_per_year is not None
    return stats.sharpe, stats.periods_per_year


def _sharpe(equity: list[float], periods: float) -> float:
    values = np.array([float(CASH), *equity])
    returns = np.diff(values) / values[:-1]
    return float(returns.mean() / returns.std(ddof=1) * np.sqrt(periods))


def test_a_regular_portfolio_leaves_the_pre_market_snapshots_out() -> None:
    sharpe, periods = _stats("regular")
    assert periods == pytest.approx(390 * 250, rel=0.01)  # 2013: 252 sessions, 3 early closes
    assert sharpe == pytest.approx(_sharpe([10010, 10005, 10030, 10020], periods), rel=1e-12)


def test_an_extended_portfolio_counts_every_snapshot_and_the_extended_minutes() -> None:
    regular_periods = _stats("regular")[1]
    sharpe, periods = _stats("extended")
    # 960 minutes a full day against 390; on an early close 780 against 210
    assert 960 / 390 < periods / regular_periods < 780 / 210
    every = [float(v) for _, v in SNAPSHOTS]
    assert sharpe == pytest.approx(_sharpe(every, periods), rel=1e-12)
