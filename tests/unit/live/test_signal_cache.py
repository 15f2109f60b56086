"""The per-process cache of incremental forms (``paperdesk.live.signal_cache``): a tick steps
the strategy's form by one bar when it can, and gives exactly the rows of the whole-history
computation either way; a corrected, inserted or removed past bar, other parameters or a
skipped bar make it compute the whole history (and open a new form on it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ledger_support import spy_slice
from paperdesk.analysis.strategies import create_strategy
from paperdesk.analysis.strategies.base import Strategy, to_signals
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.data import find_bundled, load_bars
from paperdesk.live.signal_cache import SignalCache, signal_cache
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

STRATEGIES = ("macd-cross", "tsi-momentum", "rsi-divergence")


@pytest.fixture(scope="module")
def spy_hourly() -> pd.DataFrame:
    """The last 1,500 bundled SPY hourly bars, as the runner's history holds them."""
    return load_bars(find_bundled("SPY", "1h"), symbol="SPY", timeframe="1h").iloc[-1500:]


def strategy(name: str, parameters: dict[str, Any] | None = None) -> Strategy[Any]:
    built = create_strategy(name, parameters or {})
    assert isinstance(built, Strategy)
    return built


def expected(built: Strategy[Any], bars: pd.DataFrame, index: int) -> pd.DataFrame:
    """The whole-history rows of bar ``index`` (from the bars up to it)."""
    frame = built.signals(bars.iloc[: index + 1])
    return frame[frame.index == bars.index[index]]


def same_rows(found: pd.DataFrame | None, wanted: pd.DataFrame, name: str) -> None:
    if found is None:
        assert len(wanted) == 0
        return
    pd.testing.assert_frame_equal(found, wanted, check_exact=True)
    assert to_signals(found, name, "SPY") == to_signals(wanted, name, "SPY")


@pytest.mark.parametrize("name", STRATEGIES)
def test_ticks_step_the_form_and_equal_the_whole_history(
    spy_hourly: pd.DataFrame, name: str
) -> None:
    cache = SignalCache()
    built = strategy(name)
    first = 1350
    for index in range(first, len(spy_hourly)):
        rows = cache.rows((1, name, "SPY"), built, spy_hourly, index)
        same_rows(rows, expected(built, spy_hourly, index), name)
    assert cache.computed == 1  # the first tick opens the form
    assert cache.stepped == len(spy_hourly) - first - 1


def test_a_repeated_bar_gives_the_kept_rows(spy_hourly: pd.DataFrame) -> None:
    cache = SignalCache()
    built = strategy("macd-cross")
    for index in (1000, 1001, 1001, 1002):
        rows = cache.rows((1, "macd-cross", "SPY"), built, spy_hourly, index)
        same_rows(rows, expected(built, spy_hourly, index), "macd-cross")
    assert (cache.computed, cache.stepped, cache.repeated) == (1, 2, 1)


def test_a_corrected_past_bar_falls_back_to_the_whole_history(spy_hourly: pd.DataFrame) -> None:
    """A copy of the history with one past close changed (a correction re-imported): the
    form is not stepped; the rows are the whole computation's on the corrected bars."""
    cache = SignalCache()
    key = (1, "tsi-momentum", "SPY")
    built = strategy("tsi-momentum")
    for index in range(1000, 1100):
        cache.rows(key, built, spy_hourly, index)
    assert cache.stepped == 99
    corrected = spy_hourly.copy()
    corrected.iloc[500, corrected.columns.get_loc("close")] += 7.5
    rows = cache.rows(key, built, corrected, 1100)
    assert (cache.computed, cache.stepped) == (2, 99)
    same_rows(rows, expected(built, corrected, 1100), "tsi-momentum")
    # a copy that is the same, bit for bit, is the same history: the form steps on
    unchanged = corrected.copy()
    for index in range(1101, 1200):
        rows = cache.rows(key, built, unchanged, index)
        same_rows(rows, expected(built, unchanged, index), "tsi-momentum")
    assert (cache.computed, cache.stepped) == (2, 198)


def test_an_inserted_bar_a_skipped_bar_or_other_parameters_compute_the_whole_history(
    spy_hourly: pd.DataFrame,
) -> None:
    cache = SignalCache()
    key = (1, "rsi-divergence", "SPY")
    built = strategy("rsi-divergence")
    cache.rows(key, built, spy_hourly, 1000)
    cache.rows(key, built, spy_hourly, 1002)  # bar 1001 was skipped
    assert cache.computed == 2
    extra = spy_hourly.iloc[[100]].copy()
    extra.index = extra.index + pd.Timedelta(minutes=1)  # a bar inserted between two others
    inserted = pd.concat([spy_hourly, extra]).sort_index()
    rows = cache.rows(key, built, inserted, 1003)
    assert cache.computed == 3
    same_rows(rows, expected(built, inserted, 1003), "rsi-divergence")
    other = strategy("rsi-divergence", {"period": 7})
    rows = cache.rows(key, other, inserted, 1004)
    assert (cache.computed, cache.stepped) == (4, 0)
    same_rows(rows, expected(other, inserted, 1004), "rsi-divergence")


def test_a_long_flat_stretch_is_stepped_through_to_the_whole_history_cross() -> None:
    """The case that broke a bounded window (after 3,000 identical closes the whole history
    crosses and the window did not): the cache steps the form through it and gives the
    whole history's cross."""
    closes = np.asarray([100.0 + 0.5 * i for i in range(300)] + [250.0] * 3000 + [251.0])
    index = pd.date_range("2000-01-03", periods=closes.shape[0], freq="D", tz="UTC", name="ts")
    bars = pd.DataFrame(
        {"open": closes, "high": closes, "low": closes, "close": closes, "volume": 1000.0},
        index=index,
    )
    cache = SignalCache()
    built = strategy("macd-cross")
    rows = None
    for position in range(250, len(bars)):
        rows = cache.rows((1, "macd-cross", "X"), built, bars, position)
    assert (cache.computed, cache.stepped) == (1, len(bars) - 251)
    assert rows is not None
    assert [int(value) for value in rows["direction"]] == [1]
    same_rows(rows, expected(built, bars, len(bars) - 1), "macd-cross")


def test_replay_ticks_step_the_forms_and_signal_as_the_whole_history(
    database: Database, tmp_path: Path
) -> None:
    """Ticks through the service: after the first, every tick steps the three strategies'
    forms, and each tick's signals are those of the whole history at its bar."""
    path = spy_slice(tmp_path, "2015-01-02", 600)
    settings = RunConfig(
        strategies=tuple(
            StrategySpec(name, {"stop_atr": 2.0} if name != "tsi-momentum" else {})
            for name in STRATEGIES
        ),
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2017, 1, 3)),
    )
    service = PortfolioService(database)
    pid = service.create_portfolio("incremental", Decimal(100_000), settings=settings)
    bars = service.source.history("SPY", settings.bar_timeframe, settings.source)
    built = {
        name: strategy(name, spec.params)
        for name, spec in zip(STRATEGIES, settings.strategies, strict=True)
    }
    cache = signal_cache(database)
    ticks = 0
    signalled = 0
    while True:
        report = service.tick(pid, "SPY")[-1]
        if not report.processed:
            break
        ticks += 1
        assert report.ts_bar is not None
        position = int(bars.index.get_loc(pd.Timestamp(report.ts_bar)))
        wanted = []
        for name, each in built.items():
            rows = expected(each, bars, position)
            wanted.extend(
                (s.strategy, int(s.direction), s.confidence, s.reason)
                for s in to_signals(rows, name, "SPY")
            )
        found = [(s.strategy, s.direction, s.confidence, s.reason) for s in report.signals]
        assert found == wanted, f"bar {report.ts_bar}"
        signalled += len(found)
    assert ticks > 60
    assert signalled > 0
    assert cache.stepped >= 3 * (ticks - 1)
