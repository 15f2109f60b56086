"""The cost of a backtest's data-gap check: CPU time of whole service backtests (load, gaps,
strategy, engine, statistics), the default SPY 1d run and a 1,000,000-bar one-minute run.

Run on demand (not part of the test suite), in this worktree and in one without the check,
back to back, to compare the medians:

    .venv/bin/python benchmarks/bench_data_gaps.py [--rounds 5] [--bars 1000000]

The million bars are ``bench_backtest.synthetic_bars`` on the 24/7 calendar (BTCUSD) with a
week cut out (one long gap), served by a stand-in DataManager so no file is read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from paperdesk.config import RunConfig
from paperdesk.service.backtests import run_backtest

sys.path.insert(0, str(Path(__file__).parent))  # bench_backtest, when imported from elsewhere

from bench_backtest import synthetic_bars


class _Bars:
    """A stand-in DataManager serving one frame."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def get_bars(self, symbol: str, timeframe: str) -> pd.DataFrame:
        frame = self.frame.copy()
        frame.attrs.update(self.frame.attrs)
        return frame


def _cpu(run: Any) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bars", type=int, default=1_000_000)
    args = parser.parse_args()
    frame = synthetic_bars(args.bars + 7 * 1440)
    keep = np.ones(len(frame), dtype=bool)
    keep[args.bars // 2 : args.bars // 2 + 7 * 1440] = False  # a week missing
    frame = frame.loc[keep]
    frame.attrs.update(symbol="BTCUSD", timeframe="1m")
    big = RunConfig(strategy="sma-cross", symbol="BTCUSD", timeframe="1m")
    spy = RunConfig(strategy="sma-cross", symbol="SPY", timeframe="1d")
    source = _Bars(frame)
    run_backtest(spy)  # warm the imports and the compiled loops
    run_backtest(big, data=source)
    spy_times, big_times = [], []
    for _ in range(args.rounds):
        spy_times.append(_cpu(lambda: run_backtest(spy)))
        big_times.append(_cpu(lambda: run_backtest(big, data=source)))
    result = run_backtest(big, data=source)
    gaps = getattr(result, "data_gaps", None)
    print(f"SPY 1d default: median {statistics.median(spy_times) * 1000:.1f} ms CPU {spy_times}")
    print(
        f"{len(frame):,} 1m bars: median {statistics.median(big_times) * 1000:.1f} ms CPU "
        f"(final equity {result.final_equity}; gaps {gaps})"
    )


if __name__ == "__main__":
    main()
