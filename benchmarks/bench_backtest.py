"""Backtest throughput: 1,000,000 one-minute bars through the pipeline, against backtesting.py.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_backtest.py [--bars 1000000] [--skip-reference]
        [--no-compiled]

paperdesk runs `sma-cross` (10/20) and `macd-cross` (12/26/9) with the conventions of
backtesting.py's README example (all-in sizing at the fill price, 0.2% commission, next-open
fills, position reversed on each cross), so the same data and strategy give the same trades in
both engines; the benchmark checks that and reports both speeds. Timings include computing the
signals, routing, simulated execution, the exact ledger and the statistics; not the generation of
the synthetic bars. The fast path builds its result's Order, Fill and Trade objects when they are
first read, so that is timed separately ("objects built on first read"), and the speed-up against
backtesting.py is reported both without and with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pandas as pd
import talib

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath import compiled
from paperdesk.engine.result import BacktestResult

START_CASH = Decimal(1_000_000)
# backtesting.py's default order size is the float 1 - epsilon, so that all-in never lands on an
# exact cash boundary; the same fraction, exactly, makes the two engines size identically.
ALL_IN_PERCENT = Decimal(1 - sys.float_info.epsilon) * 100
COMMISSION = Decimal("0")  # a fee would grind minute-bar equity to dust and stop trading


def synthetic_bars(count: int, seed: int = 7) -> pd.DataFrame:
    """A geometric random walk of one-minute bars with consistent OHLC, at two-decimal prices."""
    generator = np.random.default_rng(seed)
    returns = generator.normal(0.0, 0.0008, count)
    close = np.round(100.0 * np.exp(np.cumsum(returns)), 2)
    open_ = np.round(np.r_[100.0, close[:-1]] * (1 + generator.normal(0, 0.0002, count)), 2)
    spread = np.abs(generator.normal(0, 0.0006, count)) * close
    high = np.round(np.maximum(open_, close) + spread, 2)
    low = np.round(np.minimum(open_, close) - spread, 2)
    volume = generator.integers(100, 10_000, count).astype(np.float64)
    index = pd.date_range("2020-01-01", periods=count, freq="1min", tz="UTC", name="ts")
    frame = pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": volume}, index=index
    )
    frame["ts_close"] = index + pd.Timedelta(minutes=1)
    frame.attrs.update(symbol="SYNTH", timeframe="1m")
    return frame


def paperdesk_run(
    bars: pd.DataFrame,
    strategy_name: str,
    engine: str = "auto",
    params: Mapping[str, object] | None = None,
) -> tuple[BacktestResult, float]:
    config = RunConfig(
        strategy=strategy_name,
        symbol="SYNTH",
        timeframe="1m",
        cash=START_CASH,
        sizing=SizingConfig(
            method="percent-equity", percent=ALL_IN_PERCENT, timing=SizeTiming.FILL
        ),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        execution=ExecutionConfig(commission=str(COMMISSION), slippage_bps=Decimal(0)),
    )
    instrument = Instrument.equity("SYNTH", calendar="24/7")
    strategy = create_strategy(strategy_name, params)
    started = time.perf_counter()
    result = simulate(bars, strategy, config, instrument, engine=engine)
    return result, time.perf_counter() - started


def paperdesk_default_run(
    bars: pd.DataFrame,
    strategy_name: str,
    engine: str = "auto",
    params: Mapping[str, object] | None = None,
) -> tuple[BacktestResult, float]:
    """``strategy_name`` as a user runs it with the defaults (``RunConfig`` given only the
    strategy, its parameters, the symbol and the timeframe): 10,000 of cash, 80% of the equity
    sized at the signal bar's close, an 80% exposure cap, 5 bp slippage, no fee, long only
    (``allow_short`` is off by default)."""
    config = RunConfig(strategy=strategy_name, params=params or {}, symbol="SYNTH", timeframe="1m")
    instrument = Instrument.equity("SYNTH", calendar="24/7")
    strategy = create_strategy(strategy_name, params)
    started = time.perf_counter()
    result = simulate(bars, strategy, config, instrument, engine=engine)
    return result, time.perf_counter() - started


def objects_time(result: BacktestResult) -> tuple[float, int]:
    """Seconds to build the orders, fills and trades the fast path defers to their first read
    (about 0 for the event kernel, whose result holds them already), and how many there are."""
    started = time.perf_counter()
    count = len(result.orders) + len(result.fills) + len(result.trades)  # the first read builds
    return time.perf_counter() - started, count


def reference_run(bars: pd.DataFrame) -> tuple[pd.DataFrame, float, float] | None:
    """backtesting.py running the same strategy on the same bars: (trades, final equity, seconds).

    The strategy is paperdesk's sma-cross definition written the way backtesting.py strategies
    are written (one ``next()`` call per bar): TA-Lib SMA(10) and SMA(20), and backtrader's cross
    rule, where an exact tie keeps the previous side (backtesting.py's own ``crossover`` would
    miss a cross that passes through a tie, and two-decimal prices make ties common).
    """
    try:
        from backtesting import Backtest, Strategy
    except ImportError:
        return None

    class SmaCross(Strategy):  # type: ignore[misc]
        def init(self) -> None:
            self.fast = self.I(talib.SMA, self.data.Close, 10)
            self.slow = self.I(talib.SMA, self.data.Close, 20)
            self.side = 0

        def next(self) -> None:
            difference = self.fast[-1] - self.slow[-1]
            if np.isnan(difference) or difference == 0:  # warm-up or a tie
                return
            side = 1 if difference > 0 else -1
            if self.side and side != self.side:
                if side > 0:
                    self.buy()
                else:
                    self.sell()
            self.side = side

    data = bars.rename(columns=str.capitalize)[["Open", "High", "Low", "Close", "Volume"]]
    data.index = data.index.tz_localize(None)
    backtest = Backtest(
        data,
        SmaCross,
        cash=float(START_CASH),
        commission=float(COMMISSION),
        exclusive_orders=True,
        finalize_trades=False,
    )
    started = time.perf_counter()
    stats = backtest.run()
    return stats._trades, float(stats["Equity Final [$]"]), time.perf_counter() - started


def same_trades(ours: BacktestResult, theirs: pd.DataFrame) -> tuple[bool, str]:
    if len(ours.trades) != len(theirs):
        return False, f"{len(ours.trades)} trades vs {len(theirs)}"
    for number, (mine, row) in enumerate(zip(ours.trades, theirs.itertuples(), strict=True)):
        sign = 1 if mine.side.value == "buy" else -1
        if (
            int(mine.quantity) * sign != int(row.Size)
            or abs(float(mine.entry_price) - row.EntryPrice) > 1e-9
            or abs(float(mine.exit_price) - row.ExitPrice) > 1e-9
            or mine.ts_entry.replace(tzinfo=None) != row.EntryTime.to_pydatetime()
        ):
            return False, f"trade {number} differs: {mine} vs {row}"
    return True, f"all {len(theirs)} trades identical"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument(
        "--no-compiled",
        action="store_true",
        help="the fast path without its compiled loops (numba is not loaded)",
    )
    arguments = parser.parse_args()
    if not arguments.no_compiled:
        compiled.prepare()  # numba's import and cached loops, before any warm-up
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # measure on one core
    bars = synthetic_bars(arguments.bars)
    print(f"{len(bars):,} one-minute bars, one core")
    results = {}
    # "auto" takes the integer fast path for this run shape; "event" is the reference kernel
    for name, engine in (("sma-cross", "auto"), ("macd-cross", "auto"), ("sma-cross", "event")):
        paperdesk_run(bars.iloc[:5000], name, engine)  # import and cache warm-up
        result, seconds = paperdesk_run(bars, name, engine)
        built, objects = objects_time(result)
        results.setdefault(name, (result, seconds, built))
        fast = results[name][0]
        if engine == "event" and (result.fills, result.final_equity) != (
            fast.fills,
            fast.final_equity,
        ):
            raise SystemExit("the event kernel and the fast path disagree")
        print(
            f"paperdesk {name:<11} {engine:<5} {seconds:7.3f} s  "
            f"{len(bars) / seconds:>12,.0f} bars/s  "
            f"{len(result.trades):>6} trades  final equity {result.final_equity:.2f}  "
            f"(+{built:.3f} s to build its {objects:,} objects on first read)"
        )
    if arguments.skip_reference:
        return
    reference = reference_run(bars)
    if reference is None:
        print("backtesting.py is not installed: pip install backtesting==0.6.6 to compare")
        return
    trades, equity, seconds = reference
    ours, our_seconds, built = results["sma-cross"]
    identical, detail = same_trades(ours, trades)
    equity_match = abs(float(ours.final_equity) - equity) < 0.005
    print(
        f"backtesting.py sma-cross {seconds:7.3f} s  {len(bars) / seconds:>12,.0f} bars/s  "
        f"{len(trades):>6} trades  final equity {equity:.2f}"
    )
    print(
        f"speed-up {seconds / our_seconds:.1f}x ({seconds / (our_seconds + built):.1f}x with "
        f"every object built); trades identical: {identical} ({detail}); "
        f"final equity equal to the cent: {equity_match}"
    )


if __name__ == "__main__":
    main()
