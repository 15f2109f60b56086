"""The DataManager: no look-ahead, lookup order and provenance, imports, quality, streaming."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from market_fakes import AdvancingSleep, bundled, utc
from paperdesk.data import check_quality
from paperdesk.data.cache import InProcessCache
from paperdesk.data.clock import FixedClock, SimulatedClock
from paperdesk.data.manager import DataManager
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.domain import Bar
from paperdesk.store import Database, SqlBarStore

FETCHED = utc(2024, 1, 1)


def store_with(database: Database, frame: pd.DataFrame, symbol: str, source: str) -> SqlBarStore:
    store = SqlBarStore(database)
    store.write_bars(frame, symbol=symbol, timeframe=frame.attrs["timeframe"], source=source,
                     fetched_at=FETCHED)  # fmt: skip
    return store


def test_clock_calendar_questions() -> None:
    manager = DataManager(clock=FixedClock(utc(2024, 11, 29, 17, 0)))
    assert manager.now() == utc(2024, 11, 29, 17, 0)
    assert manager.is_market_open()  # the day after Thanksgiving, before the 13:00 early close
    assert not manager.is_market_open(utc(2024, 11, 29, 18, 30))
    assert manager.is_market_open(utc(2024, 11, 30, 12), symbol="BTCUSD")
    hours = manager.trading_hours(date(2024, 11, 29))
    assert hours is not None
    assert hours.early_close
    assert hours.close == utc(2024, 11, 29, 18)
    assert manager.trading_hours(date(2025, 1, 9)) is None  # the national day of mourning
    assert date(2024, 12, 25) in manager.holidays(date(2024, 12, 1), date(2024, 12, 31))
    assert manager.holidays(date(2024, 12, 23), date(2024, 12, 27), calendar="FX") == [
        date(2024, 12, 25)
    ]


@pytest.mark.parametrize("timeframe", ["1h", "1d"])
def test_get_bars_never_returns_a_bar_that_has_not_closed(timeframe: str) -> None:
    full = bundled("SPY", timeframe)
    closes = pd.DatetimeIndex(full["ts_close"])
    clock = FixedClock(utc(2000, 1, 1))
    manager = DataManager(clock=clock, cache=InProcessCache())
    for position in (0, 1, 500, 4000, len(full) - 1):
        close = closes[position].to_pydatetime()
        for now in (close - timedelta(microseconds=1), close, close + timedelta(minutes=59)):
            clock.set(now)
            bars = manager.get_bars("SPY", timeframe)
            expected = full.loc[closes <= pd.Timestamp(now)]
            assert list(bars.index) == list(expected.index)
            assert (pd.DatetimeIndex(bars["ts_close"]) <= pd.Timestamp(now)).all()
            latest = manager.latest_bar("spy", timeframe)
            if len(expected):
                assert latest is not None
                assert latest.ts_open == expected.index[-1]
            else:
                assert latest is None
        clock.set(close - timedelta(microseconds=1))
        assert full.index[position] not in manager.get_bars("SPY", timeframe).index


def test_stored_bars_past_the_clock_stay_hidden(database: Database) -> None:
    frame = bundled("SPY", "1d").loc["2020-03-02":"2020-03-06"]
    store = store_with(database, frame, "SPY", "test")
    manager = DataManager(clock=FixedClock(utc(2020, 3, 4, 20, 59)), store=store)
    bars = manager.get_bars("SPY", "1d")
    assert [ts.day for ts in bars.index] == [2, 3]  # the 4th closes at 21:00 UTC
    assert bars.attrs["origin"] == "store"


def test_lookup_order_and_provenance(database: Database, tmp_path: Path) -> None:
    clock = FixedClock(utc(2021, 1, 1))
    real = bundled("SPY", "1d").loc["2020-06-01":"2020-06-30"]
    in_store = real.copy()
    in_store["close"] = in_store["close"] + 0.25
    store = store_with(database, in_store, "SPY", "store-feed")
    parquet = ParquetBarCache(tmp_path / "cache")
    cached = real.copy()
    cached["close"] = cached["close"] + 0.5
    parquet.write(cached, "SPY", "1d", source="parquet-feed")

    bundled_only = DataManager(clock=clock).get_bars("SPY", "1d", utc(2020, 6, 1), utc(2020, 6, 30))
    assert bundled_only.attrs["origin"] == "bundled"
    assert set(bundled_only["source"]) == {"bundled:lean_SPY_1d.csv"}
    assert list(bundled_only["close"]) == list(real["close"])

    from_store = DataManager(clock=clock, store=store).get_bars("SPY", "1d")
    assert from_store.attrs["origin"] == "store"
    assert set(from_store["source"].astype(str)) == {"store-feed"}
    assert list(from_store["close"]) == list(in_store["close"])

    # a Parquet copy made at the store's current version answers before the store
    parquet.set_version("SPY", "1d", store.series_version("SPY", "1d"))
    cache = InProcessCache()
    manager = DataManager(clock=clock, store=store, parquet=parquet, cache=cache)
    first = manager.get_bars("SPY", "1d")
    assert first.attrs["origin"] == "parquet"
    assert list(first["close"]) == list(cached["close"])
    assert set(first["source"].astype(str)) == {"parquet-feed"}
    again = manager.get_bars("SPY", "1d", utc(2020, 6, 10), utc(2020, 6, 20))
    assert (again.attrs["origin"], again.attrs["loaded_from"]) == ("cache", "parquet")
    assert list(again.index) == list(first.loc["2020-06-10":"2020-06-20"].index)

    # nothing stored for AAPL: the chain falls through to the bundled file
    assert manager.get_bars("AAPL", "1d").attrs["origin"] == "bundled"
    assert manager.get_bars("NOPE", "1d").empty


def test_a_cached_range_does_not_answer_a_wider_request(tmp_path: Path) -> None:
    parquet = ParquetBarCache(tmp_path)
    parquet.write(bundled("SPY", "1d").loc["2020"], "SPY", "1d", source="p")
    manager = DataManager(
        clock=FixedClock(utc(2021, 1, 1)), parquet=parquet, cache=InProcessCache()
    )
    narrow = manager.get_bars("SPY", "1d", utc(2020, 3, 1), utc(2020, 3, 31))
    assert narrow.attrs["origin"] == "parquet"
    wide = manager.get_bars("SPY", "1d", utc(2020, 1, 1), utc(2020, 12, 31))
    assert wide.attrs["origin"] == "parquet"
    assert len(wide) > len(narrow)


def test_import_then_get_bars_round_trip(database: Database, tmp_path: Path) -> None:
    source = bundled("SPY", "1d").loc["2019-01-01":"2019-03-31"]
    path = tmp_path / "spy_daily.csv"
    table = source[["open", "high", "low", "close", "volume"]].copy()
    table.index = table.index.strftime("%Y-%m-%d")
    table.to_csv(path, index_label="Date")
    cache = InProcessCache()
    manager = DataManager(clock=FixedClock(utc(2020, 1, 1)), store=SqlBarStore(database),
                          parquet=ParquetBarCache(tmp_path / "cache"), cache=cache)  # fmt: skip
    assert manager.get_bars("SPY", "1d").attrs["origin"] == "bundled"  # now cached
    report = manager.import_csv(path, "spy", "1d")
    assert (report.symbol, report.rows_written) == ("SPY", len(source))
    bars = manager.get_bars("SPY", "1d")
    assert bars.attrs["origin"] == "parquet"  # the import dropped the cached bundled series
    assert list(bars.index) == list(source.index)
    for column in ("open", "high", "low", "close", "volume"):
        assert list(bars[column]) == list(source[column])
    assert list(bars["ts_close"]) == list(source["ts_close"])
    assert set(bars["source"].astype(str)) == {"csv:spy_daily.csv"}
    assert manager.date_range("SPY", "1d") == (source.index[0], source.index[-1])
    listed = {(info.symbol, info.timeframe, info.where) for info in manager.symbols()}
    assert {("SPY", "1d", "store"), ("SPY", "1d", "bundled")} <= listed


def test_adjusted_bars_apply_only_the_splits_known_at_now() -> None:
    clock = FixedClock(utc(2020, 3, 14))
    manager = DataManager(clock=clock)
    before_split = manager.get_bars("AAPL", "1d", adjusted="split")
    raw = manager.get_bars("AAPL", "1d")
    assert before_split.loc["2020-03-13", "close"] == raw.loc["2020-03-13", "close"]
    assert before_split.loc["2014-06-06", "close"] == pytest.approx(
        raw.loc["2014-06-06", "close"] / 7
    )
    clock.set(utc(2021, 4, 1))
    raw = manager.get_bars("AAPL", "1d")
    after_split = manager.get_bars("AAPL", "1d", adjusted="split")
    assert after_split.loc["2020-03-13", "close"] == pytest.approx(
        raw.loc["2020-03-13", "close"] / 4
    )
    dividends = manager.get_bars("AAPL", "1d", adjusted=True)
    assert dividends.loc["2021-03-31", "close"] == pytest.approx(raw.loc["2021-03-31", "close"])
    assert dividends.loc["2020-03-13", "close"] < after_split.loc["2020-03-13", "close"]
    assert manager.get_bars("EURUSD", "1h", adjusted=True).attrs.get("adjustment") is None


def test_quality_report_on_real_bundled_data() -> None:
    last_close = bundled("SPY", "1d")["ts_close"].iloc[-1].to_pydatetime()
    manager = DataManager(clock=FixedClock(last_close))
    report = manager.check_quality("SPY", "1d")
    assert report.ok, report.warnings
    assert (report.bars, report.now) == (5849, last_close)
    assert not report.feed_stale

    hours = DataManager(clock=FixedClock(utc(2020, 4, 1)))
    seen = hours.check_quality("SPY", "1h", utc(2020, 3, 1), utc(2020, 3, 31))
    direct = check_quality(bundled("SPY", "1h").loc["2020-03-01":"2020-03-30"], now=utc(2020, 4, 1))
    assert seen.to_dict() == direct.to_dict()
    assert seen.feed_stale
    assert not seen.gaps


def test_quality_report_finds_seeded_defects_in_stored_real_bars(database: Database) -> None:
    real = bundled("SPY", "1h").loc["2019-06-01":"2019-06-30"].copy()
    real = real.loc[real.index.strftime("%Y-%m-%d") != "2019-06-12"]  # a missing session
    spike = real.index[40]
    real.loc[spike, ["high", "close"]] = real.loc[spike, "close"] * 1.3
    manager = DataManager(
        clock=FixedClock(utc(2019, 7, 1)), store=store_with(database, real, "SPY", "t")
    )
    report = manager.check_quality("SPY", "1h")
    assert report.symbol == "SPY"
    assert report.bars == len(real)
    assert [(gap.start.date(), gap.missing) for gap in report.gaps] == [(date(2019, 6, 12), 7)]
    assert [outlier.ts for outlier in report.outliers][:1] == [spike]
    assert not report.ok


def test_stream_bars_yields_each_new_bar_once_in_order_as_the_clock_passes() -> None:
    start, until = utc(2020, 3, 2, 14, 0), utc(2020, 3, 4, 14, 0)
    clock = SimulatedClock(start)
    sleep = AdvancingSleep(clock)
    manager = DataManager(clock=clock, cache=InProcessCache())

    async def collect() -> list[tuple[Bar, object]]:
        seen = []
        async for bar in manager.stream_bars(["SPY", "AAPL"], "1h", poll_seconds=600,
                                             sleep=sleep, until=until):  # fmt: skip
            seen.append((bar, clock.now()))
        return seen

    seen = asyncio.run(collect())
    bars = [bar for bar, _ in seen]
    assert all(bar.ts_close <= now for bar, now in seen)  # never before its close
    expected = []
    for order, symbol in enumerate(["SPY", "AAPL"]):
        frame = bundled(symbol, "1h")
        closes = pd.DatetimeIndex(frame["ts_close"])
        picked = frame.loc[(closes > pd.Timestamp(start)) & (closes <= pd.Timestamp(until))]
        expected += [
            (close, order, ts) for ts, close in zip(picked.index, picked["ts_close"], strict=True)
        ]
    expected.sort()
    assert [(bar.ts_close, bar.symbol) for bar in bars] == [
        (close, ["SPY", "AAPL"][order]) for close, order, _ in expected
    ]
    assert len(bars) == len({(bar.symbol, bar.ts_open) for bar in bars}) == 2 * 14
    assert sleep.slept
    assert set(sleep.slept) == {600}
    assert clock.now() >= until


def test_a_parquet_copy_is_current_only_when_no_other_write_came_in_between(
    database: Database, tmp_path: Path
) -> None:
    frame = bundled("SPY", "1d").loc["2020-06-01":"2020-06-30"]
    store = store_with(database, frame, "SPY", "first")  # version 1, no Parquet copy yet
    parquet = ParquetBarCache(tmp_path / "cache")
    assert parquet.known_version("SPY", "1d") == 0
    parquet.write_copy(frame, "SPY", "1d", source="first", version_before=0, version_after=1)
    assert parquet.version("SPY", "1d") == 1  # the only write since the empty copy

    before = parquet.known_version("SPY", "1d")
    store_with(database, frame, "SPY", "ours")
    store_with(database, frame, "SPY", "another home's")  # lands before our copy is made
    after = store.series_version("SPY", "1d")
    assert (before, after) == (1, 3)
    parquet.write_copy(frame, "SPY", "1d", source="ours", version_before=before,
                       version_after=after)  # fmt: skip
    assert parquet.version("SPY", "1d") is None  # not trusted: refilled from the store on read
    manager = DataManager(clock=FixedClock(utc(2021, 1, 1)), store=store, parquet=parquet)
    read = manager.get_bars("SPY", "1d")
    assert read.attrs["origin"] == "store"
    assert set(read["source"].astype(str)) == {"another home's"}
    assert parquet.version("SPY", "1d") == 3
    assert manager.get_bars("SPY", "1d").attrs["origin"] == "parquet"
