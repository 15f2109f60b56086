"""The backtest sides: paperdesk's fast path and event kernel, vectorbt and backtesting.py.

Every side runs on ``bench_backtest.synthetic_bars`` (a seeded random walk of one-minute bars
at two-decimal prices) with the conventions of ``bench_backtest.py``: 1,000,000 of cash, all-in
sizing at the fill price in whole units, next-open fills, no fee, the position reversed on each
cross. Each side first runs once on 5,000 bars (imports, numba compilation, caches), then times
one run on the full size: the signals, the simulation and the final equity (paperdesk's figure
also includes its ledger and statistics). Each returns (seconds, facts); the SMA sides' facts
also hold the timed run's CPU time (``cpu_seconds``), steadier than wall time on a busy machine.
"""

from __future__ import annotations

import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import numpy as np
import pandas as pd
import talib

from bench_backtest import (
    COMMISSION,
    START_CASH,
    objects_time,
    paperdesk_default_run,
    paperdesk_run,
    reference_run,
    synthetic_bars,
)
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.engine.fastpath import compiled
from peers.crossings import cross_entries
from peers.figures import Fact

WARM_UP_BARS = 5_000
BRACKET_PARAMETERS: dict[str, object] = {"stop_atr": 2.0, "target_atr": 3.0}
"""macd-cross (12/26/9) with a stop 2 ATR(14) and a target 3 ATR(14) from the signal's close
(the README's example)."""

Facts = dict[str, Fact]


def paperdesk_sma(size: int, engine: str) -> tuple[float, Facts]:
    """``sma-cross`` (10/20) on ``engine`` ("fastpath" or "event"). The fast path's warm-up
    loads its compiled loops (``fastpath.compiled.prepare``: numba, read from its cache) as
    vectorbt's loads its own, so neither side's timed run pays for loading numba. The fast path
    computes its statistics when ``result.stats`` is first read (as vectorbt computes its own
    on request): that read's CPU time is reported apart (``stats_cpu_seconds``), as the
    objects built on first read are (``objects_seconds``, which since the reason strings are
    made when first read includes them too)."""
    bars = synthetic_bars(size)
    if engine == "fastpath":
        compiled.prepare()
    paperdesk_run(bars.iloc[:WARM_UP_BARS], "sma-cross", engine)
    started = time.process_time()
    result, seconds = paperdesk_run(bars, "sma-cross", engine)
    cpu = time.process_time() - started
    # the fast path computes its statistics on first read: timed apart, CPU as the run's
    statistics_started = time.process_time()
    _ = result.stats
    statistics_cpu = time.process_time() - statistics_started
    built, _count = objects_time(result)  # the fast path builds its objects on first read
    facts: Facts = {
        "trades": len(result.trades),
        "final_equity": float(result.final_equity),
        "objects_seconds": built,
        "cpu_seconds": cpu,
        "stats_cpu_seconds": statistics_cpu,
    }
    return seconds, facts


def backtesting_sma(size: int) -> tuple[float, Facts]:
    """backtesting.py 0.6.6 on the same SMA cross (``bench_backtest.reference_run``)."""
    bars = synthetic_bars(size)
    if reference_run(bars.iloc[:WARM_UP_BARS]) is None:
        raise SystemExit(MISSING_PEERS)
    outcome = reference_run(bars)
    assert outcome is not None
    trades, equity, seconds = outcome
    return seconds, {"trades": len(trades), "final_equity": equity}


def vectorbt_sma(size: int, engine: str) -> tuple[float, Facts]:
    """vectorbt's ``Portfolio.from_signals`` on the same cross: long and short entries the bar
    after each cross, filled at that bar's open (``price=open``), all-in (``size=inf``) in whole
    units (``size_granularity=1``), the position reversed on an opposite entry."""
    try:
        import vectorbt
    except ImportError as error:
        raise SystemExit(MISSING_PEERS) from error

    def run(frame: pd.DataFrame) -> tuple[Any, float]:
        close = frame["close"].to_numpy()
        long_entries, short_entries = cross_entries(
            talib.SMA(close, timeperiod=10), talib.SMA(close, timeperiod=20)
        )
        portfolio = vectorbt.Portfolio.from_signals(
            frame["close"].tz_localize(None),  # a UTC index costs vectorbt seconds of wrapping
            entries=long_entries,
            short_entries=short_entries,
            price=frame["open"].to_numpy(),
            size=np.inf,
            size_granularity=1.0,
            init_cash=float(START_CASH),
            fees=float(COMMISSION),
            upon_opposite_entry="reverse",
            freq="1min",
            engine=engine,
        )
        return portfolio, float(portfolio.final_value())

    bars = synthetic_bars(size)
    run(bars.iloc[:WARM_UP_BARS])
    started, cpu_started = time.perf_counter(), time.process_time()
    portfolio, equity = run(bars)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    trades = int(portfolio.trades.closed.count())
    return seconds, {"trades": trades, "final_equity": equity, "cpu_seconds": cpu}


def paperdesk_bracket(size: int, engine: str = "event") -> tuple[float, Facts]:
    """macd-cross with its ATR stop and target: on the event kernel (``engine="event"``, the
    ``bracket`` row), or as a user calls ``simulate`` (``engine="auto"``, the ``bracket-auto``
    row: the fast path, which runs brackets, with numba's compiled loops not loaded). The
    objects the fast path builds on first read are timed apart (``objects_seconds``)."""
    bars = synthetic_bars(size)
    paperdesk_run(bars.iloc[:WARM_UP_BARS], "macd-cross", engine, BRACKET_PARAMETERS)
    started = time.process_time()
    result, seconds = paperdesk_run(bars, "macd-cross", engine, BRACKET_PARAMETERS)
    cpu = time.process_time() - started
    built, _ = objects_time(result)
    facts: Facts = {
        "trades": len(result.trades),
        "final_equity": float(result.final_equity),
        "ambiguous_bars": result.stats.ambiguous_bars,
        "objects_seconds": built,
        "cpu_seconds": cpu,
    }
    return seconds, facts


def rounded_against_trader(level: float, up: bool) -> float | None:
    """A stop or target at the cent, rounded as paperdesk's router does (against the trader:
    a long's stop and a short's target down, the others up); None for NaN (ATR warming up)."""
    if np.isnan(level):
        return None
    exact = Decimal(repr(level)).quantize(Decimal("0.01"), ROUND_CEILING if up else ROUND_FLOOR)
    return float(exact)


def backtesting_bracket(size: int) -> tuple[float, Facts]:
    """backtesting.py on the same bracket strategy: paperdesk's own macd-cross signal frame
    (the same MACD, crosses, ATR and levels, computed inside the timed run), each cross an
    all-in ``buy``/``sell`` with ``sl``/``tp`` at the next open, ``exclusive_orders`` closing
    the open trade and its legs."""
    try:
        from backtesting import Backtest, Strategy
    except ImportError as error:
        raise SystemExit(MISSING_PEERS) from error

    def run(frame: pd.DataFrame) -> tuple[pd.DataFrame, float, float]:
        started = time.perf_counter()
        signals = create_strategy("macd-cross", BRACKET_PARAMETERS).compute(frame)  # type: ignore[union-attr]
        rows = frame.index.get_indexer(signals.index)
        direction = np.zeros(len(frame), np.int8)
        direction[rows] = signals["direction"].to_numpy()
        stops: dict[int, float | None] = {}
        targets: dict[int, float | None] = {}
        for row, side, stop, target in zip(
            rows, direction[rows], signals["stop"], signals["target"], strict=True
        ):
            stops[int(row)] = rounded_against_trader(stop, up=side < 0)
            targets[int(row)] = rounded_against_trader(target, up=side > 0)

        class MacdBracket(Strategy):  # type: ignore[misc]
            def init(self) -> None:
                pass

            def next(self) -> None:
                row = len(self.data) - 1
                side = direction[row]
                if side > 0:
                    self.buy(sl=stops[row], tp=targets[row])
                elif side < 0:
                    self.sell(sl=stops[row], tp=targets[row])

        data = frame.rename(columns=str.capitalize)[["Open", "High", "Low", "Close", "Volume"]]
        data.index = pd.DatetimeIndex(data.index).tz_localize(None)
        backtest = Backtest(
            data,
            MacdBracket,
            cash=float(START_CASH),
            commission=float(COMMISSION),
            exclusive_orders=True,
            finalize_trades=False,
        )
        statistics = backtest.run()
        seconds = time.perf_counter() - started
        return statistics._trades, float(statistics["Equity Final [$]"]), seconds

    bars = synthetic_bars(size)
    run(bars.iloc[:WARM_UP_BARS])
    trades, equity, seconds = run(bars)
    return seconds, {"trades": len(trades), "final_equity": equity}


DEFAULT_CASH = 10_000.0  # RunConfig's
DEFAULT_SIZE = 0.8  # RunConfig's 80% of equity (paperdesk: at the signal close; see below)
DEFAULT_SLIPPAGE = 0.0005  # RunConfig's 5 bp


def paperdesk_default(size: int, strategy_name: str) -> tuple[float, Facts]:
    """``strategy_name`` (``sma-cross``, or ``macd-cross`` with its ATR stop and target) with
    the DEFAULT ``RunConfig`` (``bench_backtest.paperdesk_default_run``: 80% of the equity at
    the signal, the 80% exposure cap, 5 bp slippage, long only), engine auto: what a user's run
    gets. The objects built on first read are timed apart (``objects_seconds``)."""
    params = BRACKET_PARAMETERS if strategy_name == "macd-cross" else None
    bars = synthetic_bars(size)
    paperdesk_default_run(bars.iloc[:WARM_UP_BARS], strategy_name, "auto", params)
    started = time.process_time()
    result, seconds = paperdesk_default_run(bars, strategy_name, "auto", params)
    cpu = time.process_time() - started
    built, _ = objects_time(result)
    facts: Facts = {
        "trades": len(result.trades),
        "final_equity": float(result.final_equity),
        "trimmed_at_fill": len(result.adjustments),
        "objects_seconds": built,
        "cpu_seconds": cpu,
    }
    return seconds, facts


def backtesting_default(size: int, strategy_name: str) -> tuple[float, Facts]:
    """backtesting.py configured as near the default ``RunConfig`` as it can be: 10,000 of
    cash, ``size=0.8`` (80% of the available liquidity), ``spread=0.0005`` (5 bp against the
    taker on every fill), no commission, long only (an opposite signal closes the trade), on
    paperdesk's own signal frame (computed inside the timed run), each long signal a ``buy``
    (with ``sl``/``tp`` rounded as paperdesk's router rounds them for macd-cross).

    The trades are NOT identical to paperdesk's, so the row compares speed only: backtesting.py
    sizes at the fill (its 80% of the cash at the next open, slipped), paperdesk at the signal
    bar's close (then trims to the 80% exposure cap at the fill price); backtesting.py slips
    take-profit fills too and does not round slipped prices to the cent. The signals, and so
    the entries' and exits' bars, are the same."""
    try:
        from backtesting import Backtest, Strategy
    except ImportError as error:
        raise SystemExit(MISSING_PEERS) from error
    params = BRACKET_PARAMETERS if strategy_name == "macd-cross" else None

    def run(frame: pd.DataFrame) -> tuple[pd.DataFrame, float, float]:
        started = time.perf_counter()
        signals = create_strategy(strategy_name, params).compute(frame)  # type: ignore[union-attr]
        rows = frame.index.get_indexer(signals.index)
        direction = np.zeros(len(frame), np.int8)
        direction[rows] = signals["direction"].to_numpy()
        stops: dict[int, float | None] = {}
        targets: dict[int, float | None] = {}
        for row, stop, target in zip(rows, signals["stop"], signals["target"], strict=True):
            stops[int(row)] = rounded_against_trader(stop, up=False)
            targets[int(row)] = rounded_against_trader(target, up=True)

        class LongOnly(Strategy):  # type: ignore[misc]
            def init(self) -> None:
                pass

            def next(self) -> None:
                row = len(self.data) - 1
                side = direction[row]
                if side > 0 and not self.position:
                    self.buy(size=DEFAULT_SIZE, sl=stops.get(row), tp=targets.get(row))
                elif side <= 0 and row in stops and self.position:
                    self.position.close()

        data = frame.rename(columns=str.capitalize)[["Open", "High", "Low", "Close", "Volume"]]
        data.index = pd.DatetimeIndex(data.index).tz_localize(None)
        backtest = Backtest(
            data,
            LongOnly,
            cash=DEFAULT_CASH,
            spread=DEFAULT_SLIPPAGE,
            commission=0.0,
            finalize_trades=False,
        )
        statistics = backtest.run()
        seconds = time.perf_counter() - started
        return statistics._trades, float(statistics["Equity Final [$]"]), seconds

    bars = synthetic_bars(size)
    run(bars.iloc[:WARM_UP_BARS])
    trades, equity, seconds = run(bars)
    return seconds, {"trades": len(trades), "final_equity": equity}


MISSING_PEERS = (
    "the peers are not installed: .venv/bin/uv pip install --python .venv/bin/python "
    "-e '.[peers]'  (or: pip install -e '.[peers]')"
)
