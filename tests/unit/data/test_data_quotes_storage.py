"""Quotes kept by every layer: the bars table (SQLite and PostgreSQL), the Parquet cache, the
Redis cache and the DataManager, on Lean's SPY minutes of 2013-10-07 (bundled)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from paperdesk.data import find_bundled, find_bundled_quotes
from paperdesk.data.bar_convert import bar_at
from paperdesk.data.cache import InProcessCache
from paperdesk.data.clock import FixedClock
from paperdesk.data.manager import DataManager
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.data.quote_csv import merge_quotes, read_quotes
from paperdesk.data.redis_cache import RedisCache
from paperdesk.domain import DataError, Quote
from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store import Database, SqlBarStore

D = Decimal
FETCHED = datetime(2026, 12, 4, tzinfo=UTC)
FIRST, LAST = "2013-10-07T13:28:00Z", "2013-10-07T13:35:00Z"
# lean_SPY_1m_quotes.csv, 2013-10-07T13:30:00Z
QUOTE_0930 = Quote(
    D("167.41"), D("167.52"), D("167.41"), D("167.44"), D("4400"),
    D("167.41"), D("167.53"), D("167.41"), D("167.45"), D("1400"),
)  # fmt: skip


def lines_between(path: Path, first: str, last: str) -> list[str]:
    """The header and the lines of ``path`` labelled ``first``..``last`` (ISO text sorts)."""
    lines = path.read_text().splitlines()
    return [lines[0], *(line for line in lines[1:] if first <= line[:20] <= last)]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Eight minutes of SPY trades and quotes around the 09:30 New York open, as CSV files;
    the quotes drop 13:33 so one bar has none."""
    quotes_path = find_bundled_quotes("SPY", "1m")
    assert quotes_path is not None
    trades = tmp_path / "spy_trades.csv"
    quotes = tmp_path / "spy_quotes.csv"
    trades.write_text("\n".join(lines_between(find_bundled("SPY", "1m"), FIRST, LAST)) + "\n")
    kept = [line for line in lines_between(quotes_path, FIRST, LAST) if "T13:33" not in line]
    quotes.write_text("\n".join(kept) + "\n")
    return trades, quotes


def quoted_frame(files: tuple[Path, Path]) -> pd.DataFrame:
    from paperdesk.data import load_bars

    trades, quotes = files
    return merge_quotes(load_bars(trades, symbol="SPY", timeframe="1m"), read_quotes(quotes))


def assert_same_quotes(read: pd.DataFrame, written: pd.DataFrame) -> None:
    for field in QUOTE_FIELDS:
        np.testing.assert_array_equal(read[field].to_numpy(), written[field].to_numpy())


def test_merge_keeps_every_bar_and_leaves_nan_where_no_quote(files: tuple[Path, Path]) -> None:
    frame = quoted_frame(files)
    assert len(frame) == 8
    missing = frame.loc[frame["bid_close"].isna()].index
    assert [stamp.isoformat() for stamp in missing] == ["2013-10-07T13:33:00+00:00"]
    assert bar_at(frame, 2).quote == QUOTE_0930
    assert bar_at(frame, 5).quote is None


def test_the_bars_table_keeps_quotes_exactly(database: Database, files: tuple[Path, Path]) -> None:
    store = SqlBarStore(database)
    frame = quoted_frame(files)
    store.write_bars(frame, symbol="SPY", timeframe="1m", source="csv", fetched_at=FETCHED)
    read = store.read_bars("SPY", "1m")
    assert_same_quotes(read, frame)
    assert bar_at(read, 2).quote == QUOTE_0930
    # a later write of the trades alone leaves the stored quotes as they are
    plain = frame.drop(columns=list(QUOTE_FIELDS))
    store.write_bars(plain, symbol="SPY", timeframe="1m", source="csv", fetched_at=FETCHED)
    assert_same_quotes(store.read_bars("SPY", "1m"), frame)


def test_a_series_without_quotes_reads_without_quote_columns(
    database: Database, files: tuple[Path, Path]
) -> None:
    store = SqlBarStore(database)
    plain = quoted_frame(files).drop(columns=list(QUOTE_FIELDS))
    store.write_bars(plain, symbol="SPY", timeframe="1m", source="csv", fetched_at=FETCHED)
    assert not set(QUOTE_FIELDS) & set(store.read_bars("SPY", "1m").columns)


def test_the_parquet_cache_keeps_quotes_and_reads_files_written_before_them(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    cache = ParquetBarCache(tmp_path / "cache")
    frame = quoted_frame(files)
    cache.write(frame, "SPY", "1m", source="csv")
    assert_same_quotes(cache.read("SPY", "1m"), frame)
    # the trades written again alone keep their quotes, as in the bars table
    cache.write(frame.drop(columns=list(QUOTE_FIELDS)), "SPY", "1m", source="csv")
    assert_same_quotes(cache.read("SPY", "1m"), frame)
    # a month file of the layout before quotes: readable, and a quoted write merges into it
    [path] = cache.files("SPY", "1m")
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(list(QUOTE_FIELDS)), path)
    assert not set(QUOTE_FIELDS) & set(cache.read("SPY", "1m").columns)
    cache.write(frame.iloc[2:3], "SPY", "1m", source="csv")
    read = cache.read("SPY", "1m")
    assert bar_at(read, 2).quote == QUOTE_0930
    assert int(read["bid_close"].notna().sum()) == 1
    assert isinstance(pq.read_table(path).schema.field("ask_size").type, pa.DataType)


@pytest.fixture
def redis_cache(redis_server: str) -> Iterator[RedisCache]:
    prefix = f"paperdesk-test:{uuid.uuid4().hex[:12]}:"
    cache = RedisCache(redis_server, prefix=prefix)
    yield cache
    leftovers = list(cache.client.scan_iter(match=f"{prefix}*"))
    if leftovers:
        cache.client.delete(*leftovers)
    cache.close()


def test_the_redis_cache_keeps_quotes(redis_cache: RedisCache, files: tuple[Path, Path]) -> None:
    frame = quoted_frame(files)
    redis_cache.put_recent_bars("SPY", "1m", frame, 60)
    cached = redis_cache.recent_bars("SPY", "1m")
    assert cached is not None
    assert_same_quotes(cached, frame)
    assert bar_at(cached, 2).quote == QUOTE_0930


def test_import_quotes_then_every_layer_serves_them(
    database: Database, tmp_path: Path, files: tuple[Path, Path]
) -> None:
    trades, quotes = files
    manager = DataManager(
        clock=FixedClock(datetime(2014, 1, 1, tzinfo=UTC)),
        store=SqlBarStore(database),
        parquet=ParquetBarCache(tmp_path / "cache"),
        cache=InProcessCache(),
    )
    with pytest.raises(DataError, match="import the trade bars first"):
        manager.import_quotes(quotes, "SPY", "1m")
    manager.import_csv(trades, "SPY", "1m")
    report = manager.import_quotes(quotes, "spy", "1m")
    assert (report.rows_read, report.rows_written, report.notes) == (7, 7, ())
    for origin in ("parquet", "cache"):
        bars = manager.get_bars("SPY", "1m")
        assert bars.attrs["origin"] == origin
        assert bar_at(bars, 2).quote == QUOTE_0930
        assert bar_at(bars, 5).quote is None  # 13:33 had no quote in the file
        assert set(bars["source"].astype(str)) == {"csv:spy_trades.csv"}
