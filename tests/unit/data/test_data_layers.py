"""The Parquet cache is a copy of the store: when it misses bars the store holds (a write
interrupted between the two), the store answers and the cache is filled again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from paperdesk.data import find_bundled, load_bars
from paperdesk.data.layers import BarLayers
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.store import Database, SqlBarStore

FETCHED = datetime(2024, 1, 1, tzinfo=UTC)


def test_a_parquet_copy_missing_a_month_does_not_hide_stored_bars(
    database: Database, tmp_path: Path
) -> None:
    bars = load_bars(find_bundled("SPY", "1h"), symbol="SPY", timeframe="1h")
    quarter = bars.loc["2019-01-01":"2019-03-31"]  # type: ignore[misc]
    store, parquet = SqlBarStore(database), ParquetBarCache(tmp_path / "cache")
    store.write_bars(quarter, symbol="SPY", timeframe="1h", source="test", fetched_at=FETCHED)
    parquet.write(quarter.loc["2019-01-01":"2019-01-31"], "SPY", "1h")  # type: ignore[misc]
    parquet.write(quarter.loc["2019-03-01":"2019-03-31"], "SPY", "1h")  # type: ignore[misc]
    layers = BarLayers(store=store, parquet=parquet, bundled=False)
    found = layers.lookup("SPY", "1h", None, None)
    assert found.origin == "store"
    assert len(found.frame) == len(quarter)
    assert parquet.months("SPY", "1h") == ["2019-01", "2019-02", "2019-03"]  # filled again
    again = BarLayers(store=store, parquet=parquet, bundled=False).lookup("SPY", "1h", None, None)
    assert again.origin == "parquet"
    assert len(again.frame) == len(quarter)
