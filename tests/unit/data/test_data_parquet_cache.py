"""The Parquet cache: one file per month, merged on write, read back by range."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from paperdesk.data.parquet_cache import ParquetBarCache, default_cache_root
from paperdesk.settings import Settings


def bars(start: str, periods: int, freq: str = "1h", price: float = 100.0) -> pd.DataFrame:
    index = pd.date_range(start, periods=periods, freq=freq, tz="UTC", name="ts").as_unit("ns")
    close = price + np.arange(periods, dtype=np.float64) / 100
    frame = pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 5.0},
        index=index,
    )
    frame["ts_close"] = index + pd.Timedelta(freq)
    return frame


def test_one_file_per_month_and_a_range_spanning_months(tmp_path: Path) -> None:
    cache = ParquetBarCache(tmp_path)
    frame = bars("2025-08-31 20:00", 24 * 33)  # late August to early October
    assert cache.write(frame, "spy", "1h", source="yahoo") == len(frame)
    assert cache.months("SPY", "1h") == ["2025-08", "2025-09", "2025-10"]
    assert (tmp_path / "SPY" / "1h" / "2025-09.parquet").is_file()
    assert not list(tmp_path.rglob("*.tmp"))

    everything = cache.read("SPY", "1h")
    pd.testing.assert_frame_equal(everything.drop(columns="source"), frame, check_freq=False)
    assert set(everything["source"]) == {"yahoo"}
    assert everything.attrs == {"symbol": "SPY", "timeframe": "1h", "calendar": "XNYS"}

    start, end = datetime(2025, 8, 31, 22, tzinfo=UTC), datetime(2025, 10, 1, 1, tzinfo=UTC)
    window = cache.read("SPY", "1h", start, end)
    assert window.index[0] == pd.Timestamp(start)
    assert window.index[-1] == pd.Timestamp(end)
    assert len(window) == 24 * 30 + 2 + 2


def test_reads_open_only_the_months_asked_for(tmp_path: Path) -> None:
    cache = ParquetBarCache(tmp_path)
    cache.write(bars("2025-08-01", 24 * 61), "SPY", "1h")
    (tmp_path / "SPY" / "1h" / "2025-08.parquet").write_bytes(b"not parquet")
    september = cache.read("SPY", "1h", datetime(2025, 9, 1, tzinfo=UTC))
    assert september.index[0] == pd.Timestamp("2025-09-01", tz="UTC")
    assert len(september) == 24 * 30


def test_a_write_replaces_bars_with_the_same_label_and_keeps_the_rest(tmp_path: Path) -> None:
    cache = ParquetBarCache(tmp_path)
    cache.write(bars("2025-09-01", 10), "SPY", "1h", source="first")
    update = bars("2025-09-01 05:00", 10, price=200.0)
    update["provider"] = "second"
    cache.write(update, "SPY", "1h")
    merged = cache.read("SPY", "1h")
    assert len(merged) == 15
    assert merged.index.is_monotonic_increasing
    assert merged["close"].iloc[4] == 100.04
    assert merged["close"].iloc[5] == 200.0
    assert merged["source"].tolist() == ["first"] * 5 + ["second"] * 10


def test_an_empty_cache_reads_as_an_empty_frame(tmp_path: Path) -> None:
    frame = ParquetBarCache(tmp_path).read("NONE", "1d")
    assert len(frame) == 0
    assert list(frame.columns) == ["open", "high", "low", "close", "volume", "ts_close", "source"]
    assert str(frame.index.tz) == "UTC"


def test_the_default_root_is_under_paperdesk_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    home = Settings().home
    assert default_cache_root(home) == tmp_path / "cache" / "bars"
    assert ParquetBarCache(default_cache_root(home)).root == tmp_path / "cache" / "bars"


def test_symbols_that_differ_only_by_slash_or_dash_keep_apart(tmp_path: Path) -> None:
    cache = ParquetBarCache(tmp_path)
    slash, dash = bars("2024-01-01", 5, price=100.0), bars("2024-01-01", 5, price=200.0)
    cache.write(slash, "BTC/USD", "1h", source="a")
    cache.write(dash, "BTC-USD", "1h", source="b")
    assert cache.directory("BTC/USD", "1h") != cache.directory("BTC-USD", "1h")
    assert cache.directory("BTC/USD", "1h").parent.parent == tmp_path  # one folder, not two
    first, last = slash.index[0].to_pydatetime(), slash.index[-1].to_pydatetime()
    assert cache.read("BTC/USD", "1h", first, last)["close"].tolist() == slash["close"].tolist()
    assert cache.read("BTC-USD", "1h", first, last)["close"].tolist() == dash["close"].tolist()


def test_each_row_records_its_source_a_given_one_or_none(tmp_path: Path) -> None:
    """A frame's own provider column wins (an empty value: the given source); without one
    every row records the given source; with neither, no source."""
    cache = ParquetBarCache(tmp_path)
    own = bars("2025-03-03", 3)
    own["provider"] = ["alpaca", "", "yahoo"]
    cache.write(own, "SPY", "1h", source="csv:x")
    assert cache.read("SPY", "1h")["source"].tolist() == ["alpaca", "csv:x", "yahoo"]
    cache.write(bars("2025-03-03", 4), "QQQ", "1h", source="csv:y")
    assert cache.read("QQQ", "1h")["source"].tolist() == ["csv:y"] * 4
    cache.write(bars("2025-03-03", 2), "IWM", "1h")
    assert cache.read("IWM", "1h")["source"].isna().all()


def test_bounds_beyond_what_nanoseconds_hold_read_every_bar(tmp_path: Path) -> None:
    """The files keep nanoseconds (1677 to 2262): a read from year 1 to year 9999 (an API
    client's dates) selects every bar instead of failing on the conversion."""
    cache = ParquetBarCache(tmp_path)
    frame = bars("2025-09-01", 10)
    cache.write(frame, "SPY", "1h")
    far = cache.read("SPY", "1h", datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC))
    pd.testing.assert_frame_equal(far.drop(columns="source"), frame, check_freq=False)
    assert cache.read("SPY", "1h", datetime(2300, 1, 1, tzinfo=UTC)).empty
    assert cache.read("SPY", "1h", None, datetime(1600, 1, 1, tzinfo=UTC)).empty
