"""The measuring prototype of ``benchmarks/bench_kernel_ceiling.py`` stays the event kernel's run:
same trades and final equity on real-shaped bars, and its check catches a differing trade."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from bench_backtest import synthetic_bars
from bench_kernel import kernel_run
from bench_kernel_ceiling import core_inputs, load_interpreted, same_as_kernel


def test_the_prototype_trades_as_the_event_kernel_does() -> None:
    bars = synthetic_bars(6_000)
    result, _ = kernel_run(bars)
    core = load_interpreted().run(**core_inputs(bars))
    same, detail = same_as_kernel(core, result, bars)
    assert same, detail
    assert len(result.trades) > 50  # the run reverses and hits its legs many times


def test_the_prototype_runs_the_sma_cross_as_the_event_kernel_does() -> None:
    bars = synthetic_bars(6_000)
    result, _ = kernel_run(bars, "sma-cross", {})
    core = load_interpreted().run(**core_inputs(bars, "sma-cross"))
    same, detail = same_as_kernel(core, result, bars)
    assert same, detail
    assert len(result.trades) > 100


def test_the_check_names_the_first_trade_that_differs() -> None:
    bars = synthetic_bars(3_000)
    result, _ = kernel_run(bars)
    core = load_interpreted().run(**core_inputs(bars))
    core.trades[3].exit_price += 1  # a cent off
    same, detail = same_as_kernel(core, result, bars)
    assert not same
    assert detail.startswith("trade 3 differs")
