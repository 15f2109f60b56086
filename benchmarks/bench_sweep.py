"""Parameter sweep speed: a grid of sma-cross backtests on bundled SPY daily bars, serial and
with worker processes, and the overfitting diagnostics alone.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_sweep.py [--fast 5:30:5] [--slow 40:100:10] [--workers 2]

Checks on the way that the parallel sweep equals the serial one (the property the tests prove on
a small grid), then reports runs per second for both, and the CSCV's time on the returns matrix.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from paperdesk.analytics.overfitting import probability_of_backtest_overfitting
from paperdesk.config import RunConfig, StrategySpec
from paperdesk.service.sweeps import run_sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", default="5:30:5")
    parser.add_argument("--slow", default="40:100:10")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--slices", type=int, default=16)
    arguments = parser.parse_args()
    config = RunConfig(
        strategies=(StrategySpec("sma-cross", {}),),
        symbols=("SPY",),
        timeframe="1d",
        start=date(2010, 1, 1),
        end=date(2020, 12, 31),
    )
    grid = [f"fast={arguments.fast}", f"slow={arguments.slow}"]
    timings = {}
    results = {}
    for workers in (1, arguments.workers):
        started = time.perf_counter()
        results[workers] = run_sweep(config, grid, workers=workers, slices=arguments.slices)
        timings[workers] = time.perf_counter() - started
    serial, parallel = results[1], results[arguments.workers]
    assert parallel == serial, "the parallel sweep differs from the serial one"
    runs = len(serial.runs)
    for workers, seconds in timings.items():
        print(f"{runs} runs, {workers} worker(s): {seconds:.2f} s ({runs / seconds:.1f} runs/s)")
    started = time.perf_counter()
    probability_of_backtest_overfitting(serial.returns, arguments.slices)
    print(
        f"CSCV of {serial.periods} x {runs} returns, {arguments.slices} slices: "
        f"{time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main()
