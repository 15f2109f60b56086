"""The strategies' ``mode``, ``min_bars`` and ``ema_seed`` options only change the signal frame,
so the integer fast path takes them and gives exactly the event kernel's result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_fastpath_equivalence import assert_identical, spy_fast_path  # noqa: F401

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import RunConfig
from paperdesk.data import instrument_for
from paperdesk.engine.backtest import simulate
from paperdesk.service.backtests import load_run_bars, run_backtest
from paperdesk.service.run_files import build_config

REFERENCES = Path(__file__).resolve().parents[3] / "examples" / "references"


def _goog(params: dict[str, Any]) -> RunConfig:
    """backtesting.py's GOOG run (all-in at the fill, shorts: fast-path eligible)."""
    given = [f"{key}={value}" for key, value in params.items()]
    return build_config({}, given, REFERENCES / "backtesting_py_goog.toml")


@pytest.mark.parametrize(
    "params",
    [
        {"mode": "level"},
        {"mode": "level", "min_bars": 250},
        {"mode": "cross", "min_bars": 500},
    ],
)
def test_the_fast_path_runs_the_new_options_exactly_as_the_event_kernel(
    params: dict[str, Any],
    spy_fast_path: list[str],  # noqa: F811
) -> None:
    config = _goog(params)
    result = run_backtest(config)
    assert spy_fast_path == ["fastpath"]
    bars = load_run_bars(config)
    strategy = create_strategy(config.strategy, config.params)
    slow = simulate(bars, strategy, config, instrument_for("GOOG"), engine="event")
    assert_identical(result, slow)
    first_fill = result.fills[0].ts
    assert first_fill > bars["ts_close"].iloc[max(int(params.get("min_bars", 0)), 19)]
    default = run_backtest(_goog({}))
    assert result.final_equity != default.final_equity


def test_level_mode_enters_on_the_bar_after_the_first_decision() -> None:
    """Level mode with min_bars 250 on GOOG: the first signal is row 250 itself, so the first
    fill is row 251's open (cross mode would wait for the next cross)."""
    config = _goog({"mode": "level", "min_bars": 250})
    result = run_backtest(config)
    bars = load_run_bars(config)
    assert result.fills[0].ts == bars.index[251]
    assert result.fills[0].price == Decimal(str(bars["open"].iloc[251]))
    cross = run_backtest(_goog({"min_bars": 250}))
    assert cross.fills[0].ts > result.fills[0].ts
