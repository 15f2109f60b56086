"""The ceiling of the event kernel's design: native records and integer money, compiled.

Run on demand (not part of the test suite; needs the ``native`` extra for mypyc and a C compiler):

    .venv/bin/python -W ignore benchmarks/bench_kernel_ceiling.py [--bars 200000] [--runs 3]
        [--sma]

``kernel_ceiling/core.py`` is a measuring prototype of ``bench_kernel.py``'s bracket run
(macd-cross, stop 2 ATR, target 3 ATR, all-in at the next open, reversed on each cross) kept to
that run's rules, on mutable native records with integer money (cents). This benchmark compiles it
with mypyc into a temporary folder, runs it interpreted and compiled on the bracket levels
``bench_kernel.bracket_levels`` gives, checks every trade (size, side, entry and exit price, entry
and exit bar) and the final equity against paperdesk's event kernel on the same bars, and prints
the CPU seconds of each (``time.process_time``, best of ``--runs``, one pinned core). The signals
(``strategy.signals``, TA-Lib) are timed apart: the kernel's figure includes them.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from bench_backtest import START_CASH, synthetic_bars
from bench_kernel import (
    BRACKET_PARAMETERS,
    BRACKET_STRATEGY,
    best_kernel_run,
    bracket_levels,
    pin_one_core,
)
from paperdesk import native
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.engine.result import BacktestResult

CORE_SOURCE = Path(__file__).parent / "kernel_ceiling" / "core.py"


def load_interpreted() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kernel_ceiling_core", CORE_SOURCE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_compiled(folder: Path) -> ModuleType | None:
    """mypyc's build of the prototype in ``folder`` (None, with the reason printed, without)."""
    shutil.copy(CORE_SOURCE, folder / "ceiling_core.py")
    build = subprocess.run(
        [sys.executable, "-m", "mypyc", "ceiling_core.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        output = build.stdout[-2000:] + build.stderr[-2000:]
        print(f"mypyc could not compile the prototype:\n{output}")
        return None
    sys.path.insert(0, str(folder))
    import ceiling_core  # type: ignore[import-not-found]

    if not str(ceiling_core.__file__).endswith(".so"):
        print(f"the compiled prototype did not load ({ceiling_core.__file__})")
        return None
    return ceiling_core


def cents(values: np.ndarray) -> list[int]:
    return [0 if np.isnan(value) else round(value * 100) for value in values]


def core_inputs(bars: pd.DataFrame, strategy: str = BRACKET_STRATEGY) -> dict[str, Any]:
    """The prototype's arguments: prices in cents, each bar's signal (0: none) and its bracket
    levels (0: none; ``sma-cross`` has none)."""
    if strategy == BRACKET_STRATEGY:
        direction, stop, target = bracket_levels(bars)
    else:
        frame = create_strategy(strategy, {}).signals(bars)
        direction = np.zeros(len(bars))
        direction[bars.index.get_indexer(frame.index)] = frame["direction"].to_numpy()
        stop = target = np.full(len(bars), np.nan)
    return {
        "opens": cents(bars["open"].to_numpy()),
        "highs": cents(bars["high"].to_numpy()),
        "lows": cents(bars["low"].to_numpy()),
        "directions": [int(value) for value in direction],
        "stops": cents(stop),
        "targets": cents(target),
        "cash": int(START_CASH) * 100,
    }


def best_core_run(module: ModuleType, inputs: dict[str, Any], runs: int) -> tuple[Any, float]:
    best: tuple[Any, float] | None = None
    for _ in range(runs):
        started = time.process_time()
        core = module.run(**inputs)
        seconds = time.process_time() - started
        if best is None or seconds < best[1]:
            best = (core, seconds)
    assert best is not None
    return best


def same_as_kernel(core: Any, result: BacktestResult, bars: pd.DataFrame) -> tuple[bool, str]:
    """Every trade and the final equity of the prototype against the event kernel's."""
    if len(core.trades) != len(result.trades):
        return False, f"{len(core.trades)} trades vs the kernel's {len(result.trades)}"
    index = bars.index
    for number, (mine, theirs) in enumerate(zip(core.trades, result.trades, strict=True)):
        sign = 1 if theirs.side.value == "buy" else -1
        if (
            mine.quantity != int(theirs.quantity) * sign
            or mine.entry_price != int(theirs.entry_price * 100)
            or mine.exit_price != int(theirs.exit_price * 100)
            or index[mine.entry_bar] != theirs.ts_entry
            or index[mine.exit_bar] != theirs.ts_exit
        ):
            return False, f"trade {number} differs: {vars_of(mine)} vs {theirs}"
    last_close = round(float(bars["close"].iloc[-1]) * 100)
    equity = core.cash + core.position * last_close
    if equity != int(result.final_equity * 100):
        return False, f"final equity {equity / 100} vs the kernel's {result.final_equity}"
    return True, f"all {len(core.trades)} trades and the final equity identical"


def vars_of(trade: Any) -> dict[str, int]:
    names = ("entry_bar", "exit_bar", "quantity", "entry_price", "exit_price")
    return {name: getattr(trade, name) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sma", action="store_true", help="also the SMA 10/20 run (no bracket)")
    arguments = parser.parse_args()
    pin_one_core()
    bars = synthetic_bars(arguments.bars)
    print(f"{len(bars):,} one-minute bars, one core, CPU seconds best of {arguments.runs}")
    state = native.status()
    print(f"event kernel: {state.reason if state.compiled else 'interpreted: ' + state.reason}")
    runs = [(BRACKET_STRATEGY, BRACKET_PARAMETERS)] + ([("sma-cross", {})] if arguments.sma else [])
    with tempfile.TemporaryDirectory(prefix="paperdesk-ceiling-") as folder:
        modules = [("interpreted", load_interpreted()), ("compiled", load_compiled(Path(folder)))]
        for strategy, parameters in runs:
            compare(bars, strategy, parameters, modules, arguments.runs)


def compare(
    bars: pd.DataFrame,
    strategy: str,
    parameters: dict[str, object],
    modules: list[tuple[str, ModuleType | None]],
    runs: int,
) -> None:
    """The event kernel's run of ``strategy`` and the prototype's, interpreted and compiled."""
    result, kernel_seconds = best_kernel_run(bars, runs, strategy, parameters)
    rate = len(bars) / kernel_seconds
    print(
        f"{strategy}: paperdesk event kernel (signals included) {kernel_seconds:7.3f} s"
        f"  {rate:>11,.0f} bars/s"
    )
    started = time.process_time()
    create_strategy(strategy, parameters).signals(bars)
    signal_seconds = time.process_time() - started
    print(f"{strategy}: strategy.signals alone (TA-Lib)           {signal_seconds:7.3f} s")
    inputs = core_inputs(bars, strategy)
    for name, module in modules:
        if module is None:
            continue
        core, seconds = best_core_run(module, inputs, runs)
        same, detail = same_as_kernel(core, result, bars)
        print(
            f"{strategy}: prototype core, {name:<11}             {seconds:7.3f} s"
            f"  {len(bars) / seconds:>11,.0f} bars/s  ({kernel_seconds / seconds:5.1f}x less than"
            f" the kernel; {detail})"
        )
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
