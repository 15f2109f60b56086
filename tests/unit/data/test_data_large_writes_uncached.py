"""A large write (``BLOCK_ROWS`` bars or more) is kept in the store's column blocks, which read
faster than the Parquet cache: an import of one writes no cache copy (and drops the older one),
and a read of one from the store does not fill the cache; a small one still does both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from paperdesk.data.bar_store import BLOCK_ROWS
from paperdesk.data.importer import import_csv
from paperdesk.data.layers import BarLayers
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.store import Database, SqlBarStore

FETCHED = datetime(2024, 1, 1, tzinfo=UTC)


def minutes(rows: int) -> pd.DataFrame:
    index = pd.date_range("2024-01-31 12:00", periods=rows, freq="1min", tz="UTC", name="ts")
    close = np.round(100 + np.arange(rows) % 97 / 4, 2)
    frame = pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 2.0},
        index=index,
    )
    frame["ts_close"] = frame.index + pd.Timedelta(minutes=1)
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    written = frame[["open", "high", "low", "close", "volume"]].copy()
    written.index = written.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    written.to_csv(path, index_label="timestamp")
    return path


def test_a_large_import_writes_no_cache_copy_and_drops_the_older_one(
    database: Database, tmp_path: Path
) -> None:
    store, cache = SqlBarStore(database), ParquetBarCache(tmp_path / "cache")
    small = write_csv(minutes(10), tmp_path / "small.csv")
    report = import_csv(small, store, cache, symbol="BTCUSD", timeframe="1m")
    assert report.cached
    assert cache.months("BTCUSD", "1m") == ["2024-01"]
    large = write_csv(minutes(BLOCK_ROWS + 1), tmp_path / "large.csv")
    report = import_csv(large, store, cache, symbol="BTCUSD", timeframe="1m")
    assert not report.cached
    assert cache.months("BTCUSD", "1m") == []
    assert cache.version("BTCUSD", "1m") is None
    layers = BarLayers(store=store, parquet=cache, bundled=False)
    found = layers.lookup("BTCUSD", "1m", None, None)
    assert (found.origin, len(found.frame)) == ("store", BLOCK_ROWS + 1)
    assert cache.months("BTCUSD", "1m") == []  # not filled from the store's blocks
    window = layers.lookup(
        "BTCUSD", "1m", datetime(2024, 1, 31, 12, tzinfo=UTC), datetime(2024, 1, 31, 13, tzinfo=UTC)
    )
    assert (window.origin, len(window.frame)) == ("store", 61)
    assert cache.months("BTCUSD", "1m") == ["2024-01"]  # a small read fills it, as before
