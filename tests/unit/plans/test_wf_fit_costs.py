"""A walk-forward's re-fit scores each candidate on the costs its out-of-sample days pay (fee
model, basis points, a forex pair's spread): with the defaults instead, a fit under a heavy fee
preferred the candidate that trades most."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from daily_frames import daily_frame
from paperdesk.analysis.strategies.registry import create_vectorised_strategy
from paperdesk.config import ExecutionConfig, RunConfig, StrategySpec
from paperdesk.data.instruments import instrument_for
from paperdesk.engine.backtest import simulate
from paperdesk.plans import wf_fit

PARAMS = {"fast": "3", "slow": "8"}


def _daily(symbol: str, count: int, start: float) -> pd.DataFrame:
    steps = np.random.default_rng(11).normal(0, 0.01, count)
    return daily_frame(symbol, np.round(start * np.exp(np.cumsum(steps)), 5), 0.002, 1000.0)


def _score(symbol: str, history: pd.DataFrame, execution: ExecutionConfig | None) -> Decimal:
    as_of = history["ts_close"].iloc[-1].to_pydatetime()
    result = wf_fit.fit(
        "sma-cross", {}, [PARAMS], {symbol: history}, as_of, 120, Decimal(10000), execution
    )
    ((_, pnl),) = result.scores
    return Decimal(pnl)


def _backtest(symbol: str, history: pd.DataFrame, execution: ExecutionConfig) -> Decimal:
    """The candidate's P&L as a plain backtest of the same in-sample bars with ``execution``."""
    strategy = create_vectorised_strategy("sma-cross", PARAMS)
    as_of = history["ts_close"].iloc[-1].to_pydatetime()
    bars = wf_fit._in_sample(history, as_of - pd.Timedelta(days=120), as_of, strategy.warmup)
    config = RunConfig(
        strategies=(StrategySpec("sma-cross", PARAMS),),
        symbols=(symbol,),
        cash=Decimal(10000),
        execution=execution,
    )
    return simulate(bars, strategy, config, instrument_for(symbol)).final_equity - Decimal(10000)


def test_a_candidate_pays_the_fee_model_and_basis_points_it_will_trade_with() -> None:
    history = _daily("BTCUSD", 200, 40000.0)
    charged = ExecutionConfig(commission="percent:0.5", slippage_bps=Decimal(20))
    assert _score("BTCUSD", history, charged) == _backtest("BTCUSD", history, charged)
    assert _score("BTCUSD", history, charged) < _score("BTCUSD", history, None)


def test_a_spread_in_pips_is_a_forex_pairs_cost_alone() -> None:
    spread = ExecutionConfig(spread_pips=Decimal(3), slippage_bps=Decimal(0))
    no_costs = ExecutionConfig(slippage_bps=Decimal(0))
    pair = _daily("EURUSD", 200, 1.1)
    assert _score("EURUSD", pair, spread) == _backtest("EURUSD", pair, spread)
    assert _score("EURUSD", pair, spread) < _score("EURUSD", pair, no_costs)
    # a crypto symbol in the same walk-forward pays its basis points, not a refusal
    coin = _daily("BTCUSD", 200, 40000.0)
    assert _score("BTCUSD", coin, spread) == _score("BTCUSD", coin, no_costs)
