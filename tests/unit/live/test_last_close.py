"""``BarSource.last_close``: the reference price of an order for a symbol no tick has priced is
the last close ``history`` serves, kept between orders but never stale: a bar that closes on
the clock, a new bar stored and a corrected bar each give the new close at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from market_fakes import bundled, utc
from paperdesk.config import SourceConfig
from paperdesk.data.bar_convert import bar_at
from paperdesk.data.cache import InProcessCache
from paperdesk.data.clock import FixedClock
from paperdesk.data.manager import DataManager
from paperdesk.live.sources import BarSource
from paperdesk.store import Database, SqlBarStore

FETCHED = utc(2024, 1, 1)
SOURCE = SourceConfig("bundled")


class CountingSource(BarSource):
    """A BarSource that counts the histories it reads (a kept answer reads none)."""

    def __init__(self, manager: DataManager) -> None:
        super().__init__(manager)
        self.reads = 0

    def history(self, symbol: str, timeframe: str, settings: SourceConfig) -> pd.DataFrame:
        self.reads += 1
        return super().history(symbol, timeframe, settings)


def expected_close(source: BarSource, timeframe: str = "1d") -> object:
    frame = BarSource.history(source, "SPY", timeframe, SOURCE)
    return bar_at(frame, len(frame) - 1).close


def source_on(database: Database, clock: FixedClock) -> CountingSource:
    manager = DataManager(clock=clock, store=SqlBarStore(database), cache=InProcessCache())
    return CountingSource(manager)


def test_the_kept_close_follows_the_clock_over_bundled_bars(database: Database) -> None:
    full = bundled("SPY", "1d")
    closes = pd.DatetimeIndex(full["ts_close"])
    clock = FixedClock(closes[100].to_pydatetime())
    source = source_on(database, clock)
    first = source.last_close("SPY", "1d", SOURCE)
    assert first == bar_at(full, 100).close
    assert source.last_close("SPY", "1d", SOURCE) == first
    assert source.reads == 1  # kept: the second order read no history
    for position in (101, 102, 2000, len(full) - 1):
        close = closes[position].to_pydatetime()
        clock.set(close - timedelta(microseconds=1))  # not closed yet: the previous bar's
        assert source.last_close("SPY", "1d", SOURCE) == bar_at(full, position - 1).close
        clock.set(close)  # closed now: its close, at once
        assert source.last_close("SPY", "1d", SOURCE) == bar_at(full, position).close
        assert source.last_close("SPY", "1d", SOURCE) == expected_close(source)
    clock.set(closes[50].to_pydatetime())  # a clock set back is not served a later close
    assert source.last_close("SPY", "1d", SOURCE) == bar_at(full, 50).close


def test_a_stored_bar_and_a_corrected_bar_give_the_new_close_at_once(
    database: Database, tmp_path: Path
) -> None:
    history = bundled("SPY", "1d").loc["2020-03-02":"2020-03-06"]
    store = SqlBarStore(database)
    store.write_bars(history.iloc[:3], symbol="SPY", timeframe="1d", source="t", fetched_at=FETCHED)
    clock = FixedClock(utc(2020, 3, 10))
    source = source_on(database, clock)
    assert source.last_close("SPY", "1d", SOURCE) == bar_at(history, 2).close
    assert source.last_close("SPY", "1d", SOURCE) == bar_at(history, 2).close
    reads = source.reads
    assert reads == 1
    # a later bar stored (by another process: this source is not told) is the answer at once
    SqlBarStore(database).write_bars(
        history.iloc[3:4], symbol="SPY", timeframe="1d", source="t", fetched_at=FETCHED
    )
    assert source.last_close("SPY", "1d", SOURCE) == bar_at(history, 3).close
    # the same bar corrected (same label, another close)
    corrected = history.iloc[3:4].copy()
    corrected["close"] = corrected["close"] + 1.25
    corrected["high"] = corrected[["high", "close"]].max(axis=1)
    SqlBarStore(database).write_bars(
        corrected, symbol="SPY", timeframe="1d", source="t", fetched_at=FETCHED
    )
    assert source.last_close("SPY", "1d", SOURCE) == bar_at(corrected, 0).close
    assert source.last_close("SPY", "1d", SOURCE) == expected_close(source)
    assert source.reads == reads + 2  # one history read per change, none in between


def test_a_stored_bar_not_closed_yet_is_served_once_it_closes(database: Database) -> None:
    history = bundled("SPY", "1d").loc["2020-03-02":"2020-03-06"]
    SqlBarStore(database).write_bars(
        history, symbol="SPY", timeframe="1d", source="t", fetched_at=FETCHED
    )
    closes = pd.DatetimeIndex(history["ts_close"])
    clock = FixedClock(closes[2].to_pydatetime() + timedelta(hours=1))
    source = source_on(database, clock)
    assert source.last_close("SPY", "1d", SOURCE) == bar_at(history, 2).close
    clock.set(closes[3].to_pydatetime())  # nothing written: the kept bar's successor closed
    assert source.last_close("SPY", "1d", SOURCE) == bar_at(history, 3).close


@pytest.mark.parametrize("timeframe", ["1h"])
def test_without_a_store_every_order_reads_the_history(timeframe: str) -> None:
    full = bundled("SPY", timeframe)
    clock = FixedClock(pd.Timestamp(full["ts_close"].iloc[300]).to_pydatetime())
    source = CountingSource(DataManager(clock=clock, cache=InProcessCache()))
    assert source.last_close("SPY", timeframe, SOURCE) == bar_at(full, 300).close
    assert source.last_close("SPY", timeframe, SOURCE) == bar_at(full, 300).close
    assert source.reads == 2  # no series versions to compare: nothing is kept
