"""Event kernel throughput: macd-cross with an ATR stop and target (a bracket on every entry).

Run on demand (not part of the test suite):

    .venv/bin/python -W ignore benchmarks/bench_kernel.py [--bars 200000] [--runs 3]
        [--skip-reference] [--sma]

paperdesk runs ``macd-cross`` (12/26/9, stop 2 ATR, target 3 ATR) on the event kernel
(``engine="event"``: the bracket legs, the order book, the simulated venue and the exact ledger)
with the conventions of ``bench_backtest.py`` (all-in sizing at the fill price, no fee, no
slippage, next-open fills, the position reversed on each cross). backtesting.py 0.6.6 (the
``reference`` extra) runs the same signals with the same rules: each cross closes the open trade
(``exclusive_orders``) and buys or sells all-in with ``sl`` and ``tp`` at the stop and target
paperdesk's book uses (rounded to the tick against the trader). Times are CPU seconds
(``time.process_time``), best of ``--runs``, on one pinned core; the signals are computed
inside the timed run in both engines. ``--sma`` also times the SMA 10/20 run of
``bench_backtest.py`` on the event kernel.

The benchmark compares every trade (size, entry and exit price, entry time) and the final
equity; where the engines' rules could differ (a bar touching both legs: a stop-loss in
paperdesk unless it opened through the target; backtesting.py's all-in size from its float
equity) it says which trade differs first (docs/kernel-speed.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))  # bench_backtest, when imported from elsewhere

from bench_backtest import (
    ALL_IN_PERCENT,
    COMMISSION,
    START_CASH,
    same_trades,
    synthetic_bars,
)
from paperdesk import native
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult

BRACKET_STRATEGY = "macd-cross"
BRACKET_PARAMETERS: dict[str, object] = {"stop_atr": 2.0, "target_atr": 3.0}
TICK = Decimal("0.01")


def kernel_config(strategy: str, parameters: dict[str, object]) -> RunConfig:
    """The run both benchmarks use: all-in at the fill, shorts allowed, no fee or slippage."""
    return RunConfig(
        strategy=strategy,
        params=parameters,
        symbol="SYNTH",
        timeframe="1m",
        cash=START_CASH,
        sizing=SizingConfig(
            method="percent-equity", percent=ALL_IN_PERCENT, timing=SizeTiming.FILL
        ),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        execution=ExecutionConfig(commission=str(COMMISSION), slippage_bps=Decimal(0)),
    )


def kernel_run(
    bars: pd.DataFrame,
    strategy: str = BRACKET_STRATEGY,
    parameters: dict[str, object] | None = None,
) -> tuple[BacktestResult, float]:
    """One run on the event kernel: (result, CPU seconds)."""
    chosen = BRACKET_PARAMETERS if parameters is None else parameters
    config = kernel_config(strategy, chosen)
    instrument = Instrument.equity("SYNTH", calendar="24/7")
    started = time.process_time()
    result = simulate(bars, create_strategy(strategy, chosen), config, instrument, engine="event")
    return result, time.process_time() - started


def best_kernel_run(
    bars: pd.DataFrame,
    runs: int,
    strategy: str = BRACKET_STRATEGY,
    parameters: dict[str, object] | None = None,
) -> tuple[BacktestResult, float]:
    """The fastest of ``runs`` runs (after a warm-up on the first 5,000 bars)."""
    kernel_run(bars.iloc[:5000], strategy, parameters)
    best: tuple[BacktestResult, float] | None = None
    for _ in range(runs):
        result, seconds = kernel_run(bars, strategy, parameters)
        if best is None or seconds < best[1]:
            best = (result, seconds)
    assert best is not None
    return best


def bracket_levels(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bar: the cross's direction (0: none) and its stop and target, rounded to the tick
    against the trader as paperdesk's book rounds a bracket's legs (NaN: no level)."""
    frame = create_strategy(BRACKET_STRATEGY, BRACKET_PARAMETERS).signals(bars)
    rows = bars.index.get_indexer(frame.index)
    direction = np.zeros(len(bars))
    stop = np.full(len(bars), np.nan)
    target = np.full(len(bars), np.nan)
    signs = frame["direction"].to_numpy()
    direction[rows] = signs
    # a long's stop rounds down and its target up; a short's the other way
    stop[rows] = [
        _to_tick(level, ROUND_FLOOR if sign > 0 else ROUND_CEILING)
        for level, sign in zip(frame["stop"].to_numpy(), signs, strict=True)
    ]
    target[rows] = [
        _to_tick(level, ROUND_CEILING if sign > 0 else ROUND_FLOOR)
        for level, sign in zip(frame["target"].to_numpy(), signs, strict=True)
    ]
    return direction, stop, target


def _to_tick(price: float, rounding: str) -> float:
    if np.isnan(price):
        return float("nan")
    exact = Decimal(repr(float(price)))
    return float((exact / TICK).to_integral_value(rounding=rounding) * TICK)


def reference_run(bars: pd.DataFrame, runs: int) -> tuple[pd.DataFrame, float, float] | None:
    """backtesting.py on the same bars and signals: (trades, final equity, best CPU seconds)
    or None when it is not installed. The signals (paperdesk's macd-cross, computed with
    TA-Lib inside the timed run through ``bracket_levels``) drive ``next()``: each cross closes
    the open trade and enters the other way all-in with the bracket's stop and target."""
    try:
        from backtesting import Backtest, Strategy
    except ImportError:
        return None

    class MacdBracket(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            self.direction, self.stop, self.target = bracket_levels(bars)

        def next(self) -> None:
            row = len(self.data) - 1
            direction = self.direction[row]
            if direction == 0:
                return
            stop, target = self.stop[row], self.target[row]
            levels = {
                "sl": None if np.isnan(stop) else stop,
                "tp": None if np.isnan(target) else target,
            }
            if direction > 0:
                self.buy(**levels)
            else:
                self.sell(**levels)

    data = bars.rename(columns=str.capitalize)[["Open", "High", "Low", "Close", "Volume"]]
    data.index = data.index.tz_localize(None)
    best: tuple[pd.DataFrame, float, float] | None = None
    for _ in range(runs):
        backtest = Backtest(
            data,
            MacdBracket,
            cash=float(START_CASH),
            commission=float(COMMISSION),
            exclusive_orders=True,
            finalize_trades=False,
        )
        started = time.process_time()
        stats = backtest.run()
        seconds = time.process_time() - started
        if best is None or seconds < best[2]:
            best = (stats._trades, float(stats["Equity Final [$]"]), seconds)
    return best


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # measure on one core


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--sma", action="store_true", help="also time sma-cross on the kernel")
    arguments = parser.parse_args()
    pin_one_core()
    bars = synthetic_bars(arguments.bars)
    count = len(bars)
    print(f"{count:,} one-minute bars, one core, CPU seconds best of {arguments.runs}")
    result, seconds = best_kernel_run(bars, arguments.runs)
    # which build of the kernel ran: compiled (./scripts/bootstrap) or interpreted (and why)
    print(
        f"event kernel: {'compiled' if native.loaded_compiled() else 'interpreted'} "
        f"({native.status().reason}; PAPERDESK_NATIVE=0 runs the interpreted one)"
    )
    per_fill = seconds / max(len(result.fills), 1) * 1e6
    print(
        f"paperdesk  {BRACKET_STRATEGY} bracket (event kernel) {seconds:7.3f} s  "
        f"{count / seconds:>10,.0f} bars/s  {len(result.trades):>6} trades  "
        f"{len(result.fills):>6} fills  {per_fill:5.1f} us/fill  "
        f"final equity {result.final_equity:.2f}"
    )
    if arguments.sma:
        sma, sma_seconds = best_kernel_run(bars, arguments.runs, "sma-cross", {})
        print(
            f"paperdesk  sma-cross (event kernel)           {sma_seconds:7.3f} s  "
            f"{count / sma_seconds:>10,.0f} bars/s  {len(sma.trades):>6} trades  "
            f"{len(sma.fills):>6} fills"
        )
    if arguments.skip_reference:
        return
    reference = reference_run(bars, arguments.runs)
    if reference is None:
        print("backtesting.py is not installed: uv pip install -e '.[reference]' to compare")
        return
    trades, equity, reference_seconds = reference
    print(
        f"backtesting.py {BRACKET_STRATEGY} bracket            {reference_seconds:7.3f} s  "
        f"{count / reference_seconds:>10,.0f} bars/s  {len(trades):>6} trades  "
        f"final equity {equity:.2f}"
    )
    identical, detail = same_trades(result, trades)
    equal = abs(float(result.final_equity) - equity) < 0.005
    print(
        f"paperdesk / backtesting.py: {reference_seconds / seconds:.2f}x (target 5x); "
        f"trades identical: {identical} ({detail}); final equity equal to the cent: {equal}"
    )


if __name__ == "__main__":
    main()
