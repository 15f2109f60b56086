"""A sweep's per-period Sharpe ratio and overfitting diagnostics are taken on the returns its
runs' Sharpe ratio is (``analytics.metrics.statistics_returns``): on the bundled SPY minutes in
the regular session, the in-session bars only. Before, they counted every bar, the pre- and
post-market ones whose return is 0 by construction, so ``sharpe_per_period`` disagreed with
the annualised ``sharpe`` of the same run."""

from __future__ import annotations

import math
from decimal import Decimal

import exchange_calendars
import pandas as pd
import pytest

from paperdesk.config import ExecutionConfig, RunConfig, StrategySpec
from paperdesk.config.run import TradingSession
from paperdesk.service.backtests import run_backtest
from paperdesk.service.sweeps import run_sweep

GRID = ("fast=5,10", "slow=30")


def _config(session: TradingSession) -> RunConfig:
    return RunConfig(
        strategies=(StrategySpec("sma-cross", {}),),
        symbols=("SPY",),
        timeframe="1m",
        cash=Decimal(25000),
        execution=ExecutionConfig(session=session),
    )


def test_a_sweeps_per_period_sharpe_is_its_annualised_sharpes_in_the_regular_session() -> None:
    config = _config(TradingSession.REGULAR)
    sweep = run_sweep(config, GRID, workers=1, slices=4)
    for run in sweep.runs:
        point = config.model_copy(
            update={"strategies": (StrategySpec("sma-cross", dict(run.params)),)}
        )
        stats = run_backtest(point).stats
        assert stats.periods_per_year is not None
        assert run.sharpe_per_period is not None
        assert stats.sharpe == pytest.approx(
            run.sharpe_per_period * math.sqrt(stats.periods_per_year), rel=1e-9
        )
    # the diagnostics' returns: one per bar the runs trade on, the bars opening in a regular
    # XNYS session's minute (exchange_calendars' own, side "left": 09:30 to 15:59)
    opens = run_backtest(config).equity_curve.index - pd.Timedelta(minutes=1)
    calendar = exchange_calendars.get_calendar("XNYS")
    minutes = calendar.minutes_in_range(opens[0], opens[-1])
    assert sweep.periods == int(opens.isin(minutes).sum()) < len(opens)
