"""CPU time of the runs a user makes with the defaults on the bundled data: ``paperdesk backtest
--strategy NAME --symbol SPY`` trades the series adjusted for splits and dividends (tick 0, exact
prices of up to 9 decimals on SPY, 17 on AAPL) with the default ``RunConfig``.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_adjusted_defaults.py [--repeat 7] [--symbols SPY,AAPL]
        [--commission per-share:0.005:min=1]

For each strategy and symbol: the median CPU time (``time.process_time``) of ``run_prepared``
(what the CLI, the service and the sweeps call) with engine auto and with the event kernel
forced, which path auto took (``fast path`` or ``event kernel``: auto tries the fast path with
``engine="fastpath"`` first), and whether the two results are identical (a SHA-256 of the repr
of the trades, fills, orders, rejections, adjustments, final cash and equity, last close and
curve). ``--commission`` runs the defaults with that fee instead of none (the only option
changed). The machine may be shared: read CPU times, run before and after back to back.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time
from typing import Any

from paperdesk.config import ExecutionConfig, RunConfig
from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath import FastPathUnsupportedError
from paperdesk.engine.result import BacktestResult
from paperdesk.engine.strategies import run_strategies
from paperdesk.service.backtests import PreparedRun, prepare_run

RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "sma-cross": ("sma-cross", {}),
    "macd-cross": ("macd-cross", {}),
    "tsi-momentum": ("tsi-momentum", {}),
    "rsi-divergence": ("rsi-divergence", {}),
    "macd-cross bracket": ("macd-cross", {"stop_atr": 2.0, "target_atr": 3.0}),
}


def digest(result: BacktestResult) -> str:
    fields = (
        result.trades,
        result.fills,
        result.orders,
        result.rejections,
        result.adjustments,
        result.final_cash,
        result.final_equity,
        result.last_close,
        list(result.equity_curve),
    )
    return hashlib.sha256(repr(fields).encode()).hexdigest()[:12]


def cpu(prepared: PreparedRun, config: RunConfig, engine: str, repeat: int) -> float:
    strategy = run_strategies(config)[config.strategy]
    simulate(prepared.bars, strategy, config, prepared.instrument, engine=engine)  # warm
    times = []
    for _ in range(repeat):
        started = time.process_time()
        simulate(prepared.bars, strategy, config, prepared.instrument, engine=engine)
        times.append(time.process_time() - started)
    return statistics.median(times)


def path_taken(prepared: PreparedRun, config: RunConfig) -> str:
    strategy = run_strategies(config)[config.strategy]
    try:
        simulate(prepared.bars, strategy, config, prepared.instrument, engine="fastpath")
    except FastPathUnsupportedError:
        return "event kernel (fast path gave up)"
    except Exception:  # not eligible: InvalidInputError
        return "event kernel (not eligible)"
    return "fast path"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--symbols", default="SPY,AAPL")
    parser.add_argument("--commission", default=None, help="e.g. per-share:0.005:min=1")
    args = parser.parse_args()
    changes: dict[str, Any] = {}
    if args.commission is not None:
        changes["execution"] = ExecutionConfig(commission=args.commission)
    print(f"load average {os.getloadavg()[0]:.2f}; median of {args.repeat} runs, CPU ms")
    print(f"{'run':20s} {'symbol':6s} {'auto':>8s} {'event':>8s}  same  path")
    for symbol in args.symbols.split(","):
        for label, (name, params) in RUNS.items():
            config = RunConfig(strategy=name, params=params, symbol=symbol, **changes)
            prepared = prepare_run(config)
            strategy = run_strategies(config)[name]
            auto = simulate(prepared.bars, strategy, config, prepared.instrument)
            event = simulate(prepared.bars, strategy, config, prepared.instrument, engine="event")
            same = digest(auto) == digest(event)
            auto_ms = cpu(prepared, config, "auto", args.repeat) * 1000
            event_ms = cpu(prepared, config, "event", args.repeat) * 1000
            print(
                f"{label:20s} {symbol:6s} {auto_ms:8.1f} {event_ms:8.1f}  "
                f"{'yes' if same else 'NO':4s}  {path_taken(prepared, config)}"
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
