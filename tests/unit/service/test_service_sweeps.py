"""Parameter sweeps on bundled SPY daily bars: a sweep run twice gives identical results, its
parallel run equals its serial run, each grid point equals a plain backtest of its parameters,
and the in-sample fit reads nothing after its window."""

from __future__ import annotations

import csv
import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from paperdesk.analytics.overfitting import deflated_sharpe_ratio
from paperdesk.config import RunConfig, StrategySpec
from paperdesk.domain import InvalidInputError
from paperdesk.service.backtests import run_backtest
from paperdesk.service.container import Services
from paperdesk.service.sweeps import (
    SweepMetric,
    run_sweep,
    sweep_in_sample,
    write_sweep_csv,
)
from paperdesk.store import Database

GRID = ("fast=5,10,15", "slow=30,50")  # 3 x 2


def spy_config(**changes: object) -> RunConfig:
    values: dict[str, object] = {
        "strategies": (StrategySpec("sma-cross", {}),),
        "symbols": ("SPY",),
        "timeframe": "1d",
        "start": date(2017, 1, 1),
        "end": date(2019, 12, 31),
        "cash": Decimal("25000"),
    }
    values.update(changes)
    return RunConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def serial() -> object:
    return run_sweep(spy_config(), GRID, workers=1, slices=8)


def test_a_sweep_run_twice_gives_identical_results(serial: object) -> None:
    again = run_sweep(spy_config(), GRID, workers=1, slices=8)
    assert again == serial
    assert again.to_dict() == serial.to_dict()  # type: ignore[attr-defined]
    assert np.array_equal(again.returns, serial.returns)  # type: ignore[attr-defined]


def test_the_parallel_run_equals_the_serial_run(serial: object) -> None:
    seen: list[tuple[int, int]] = []
    parallel = run_sweep(
        spy_config(), GRID, workers=2, slices=8, progress=lambda d, t: seen.append((d, t))
    )
    assert parallel == serial
    assert parallel.to_dict() == serial.to_dict()  # type: ignore[attr-defined]
    assert np.array_equal(parallel.returns, serial.returns)  # type: ignore[attr-defined]
    assert seen[0] == (0, 6)
    assert seen[-1] == (6, 6)


def test_each_grid_point_equals_a_plain_backtest(serial: object) -> None:
    runs = serial.runs  # type: ignore[attr-defined]
    assert [run.params for run in runs] == [
        {"fast": fast, "slow": slow} for fast in (5, 10, 15) for slow in (30, 50)
    ]
    for run in runs:
        plain = run_backtest(spy_config(strategies=(StrategySpec("sma-cross", run.params),)))
        stats = plain.stats
        assert run.final_equity == plain.final_equity  # exact Decimal
        assert run.net_pnl == plain.final_equity - Decimal("25000")
        assert isinstance(run.net_pnl, Decimal)
        assert run.trades == stats.trades == len(plain.trades)
        assert run.sharpe == stats.sharpe
        assert run.total_return_pct == stats.total_return_pct
        assert run.max_drawdown_pct == stats.max_drawdown_pct
        assert run.win_rate_pct == stats.win_rate_pct
        assert run.profit_factor == stats.profit_factor
        # the win rate checked from the trades themselves
        wins = sum(1 for trade in plain.trades if trade.pnl > 0)
        assert run.win_rate_pct == pytest.approx(100 * wins / len(plain.trades))


def test_the_ranking_and_the_diagnostics_follow_the_runs(serial: object) -> None:
    result = serial
    sharpes = [run.sharpe for run in result.runs]  # type: ignore[attr-defined]
    ranked = [run.sharpe for run in result.ranked()]  # type: ignore[attr-defined]
    assert ranked == sorted(sharpes, reverse=True)
    best = result.best  # type: ignore[attr-defined]
    assert best.sharpe == max(sharpes)
    column = result.returns[:, best.index]  # type: ignore[attr-defined]
    # annualised by the sessions a year (754 in 2017-2019, the returns' count) the per-period
    # Sharpe ratio is the report's
    assert best.sharpe_per_period * math.sqrt(754 / 3) == pytest.approx(best.sharpe, rel=1e-9)
    per_period = [run.sharpe_per_period for run in result.runs]  # type: ignore[attr-defined]
    assert result.deflated == deflated_sharpe_ratio(column, per_period)  # type: ignore[attr-defined]
    assert result.deflated.trials == 6  # type: ignore[attr-defined]
    overfitting = result.overfitting  # type: ignore[attr-defined]
    assert overfitting.combinations == math.comb(8, 4)
    assert 0.0 <= overfitting.probability <= 1.0
    assert result.periods == len(column) == 754  # type: ignore[attr-defined]  # 2017-2019 sessions


def test_another_metric_ranks_by_it() -> None:
    result = run_sweep(spy_config(), GRID, workers=1, metric="drawdown", slices=8)
    drawdowns = [run.max_drawdown_pct for run in result.ranked()]
    assert drawdowns == sorted(drawdowns, reverse=True)  # the shallowest first
    assert result.metric is SweepMetric.DRAWDOWN


def test_the_csv_holds_every_run_best_first(serial: object, tmp_path: Path) -> None:
    path = tmp_path / "sweep.csv"
    write_sweep_csv(serial, path)  # type: ignore[arg-type]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ranked = serial.ranked()  # type: ignore[attr-defined]
    assert [row["rank"] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [(int(row["fast"]), int(row["slow"])) for row in rows] == [
        (run.params["fast"], run.params["slow"]) for run in ranked
    ]
    assert [Decimal(row["final_equity"]) for row in rows] == [run.final_equity for run in ranked]


def test_the_in_sample_fit_reads_only_its_window() -> None:
    choice = sweep_in_sample(spy_config(start=None, end=None), GRID, date(2018, 1, 1),
                             date(2018, 12, 31), slices=4)  # fmt: skip
    result = choice.result
    assert result.start == date(2018, 1, 2)
    assert result.end == date(2018, 12, 31)
    assert choice.params == result.best.params
    plain = run_backtest(
        spy_config(strategies=(StrategySpec("sma-cross", choice.params),), start=date(2018, 1, 1),
                   end=date(2018, 12, 31))
    )  # fmt: skip
    assert result.best.final_equity == plain.final_equity
    assert choice.deflated_sharpe_ratio == result.deflated.probability


def test_bad_input_is_refused_before_any_run() -> None:
    with pytest.raises(InvalidInputError, match="has no parameter 'fst'"):
        run_sweep(spy_config(), ["fst=5"], workers=1)
    with pytest.raises(InvalidInputError, match="--workers must be at least 1"):
        run_sweep(spy_config(), GRID, workers=0)
    with pytest.raises(InvalidInputError, match="unknown metric 'luck'"):
        run_sweep(spy_config(), GRID, workers=1, metric="luck")


def test_one_point_has_no_overfitting_probability_and_says_why() -> None:
    result = run_sweep(spy_config(), ["fast=10", "slow=30"], workers=1, slices=8)
    assert len(result.runs) == 1
    assert result.overfitting is None
    assert "two trials or more" in str(result.overfitting_note)
    assert result.deflated.probability is None


def test_the_service_sweeps_the_containers_data(
    database: Database, clean_environment: pytest.MonkeyPatch, serial: object
) -> None:
    result = Services(database=database).sweeps.run(spy_config(), GRID, workers=1, slices=8)
    assert result == serial


PLUG_IN = """
from typing import ClassVar

from paperdesk_example_strategies.sma_hold import SmaHold


class SweptHold(SmaHold):
    name: ClassVar[str] = "swept-hold"
"""


def test_a_per_bar_plug_in_loaded_by_path_sweeps_in_workers_too(tmp_path: Path) -> None:
    """The workers start clean: each loads the run's strategy path itself."""
    plugin = tmp_path / "swept_hold.py"
    plugin.write_text(PLUG_IN, encoding="utf-8")
    config = spy_config(
        strategies=(StrategySpec("swept-hold", {}),),
        strategy_paths=(str(plugin),),
        start=date(2019, 1, 1),
        end=date(2019, 12, 31),
    )
    serial = run_sweep(config, ["period=10,20"], workers=1, slices=4)
    parallel = run_sweep(config, ["period=10,20"], workers=2, slices=4)
    assert parallel == serial
    assert [run.params for run in serial.runs] == [{"period": 10}, {"period": 20}]
    twenty = StrategySpec("swept-hold", {"period": 20})
    plain = run_backtest(config.model_copy(update={"strategies": (twenty,)}))
    assert serial.runs[1].final_equity == plain.final_equity
    assert serial.runs[1].trades == plain.stats.trades > 0
