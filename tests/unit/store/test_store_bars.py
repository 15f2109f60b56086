"""SqlBarStore: bulk upserts with provenance, exact prices, fast reads (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import select

from paperdesk.data.bar_store import BarStore, SeriesInfo
from paperdesk.store import Database, SqlBarStore
from paperdesk.store.models import BarRow

FETCHED = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
LATER = datetime(2025, 2, 1, tzinfo=UTC)


def bars(start: str, periods: int, closes: list[float] | None = None) -> pd.DataFrame:
    index = pd.date_range(start, periods=periods, freq="1min", tz="UTC", name="ts").as_unit("ns")
    close = np.asarray(closes or [100.0 + i / 100 for i in range(periods)], dtype=np.float64)
    frame = pd.DataFrame(
        {"open": close, "high": close + 0.5, "low": close - 0.5, "close": close, "volume": 7.0},
        index=index,
    )
    frame["ts_close"] = index + pd.Timedelta(minutes=1)
    return frame


def test_it_is_a_bar_store(database: Database) -> None:
    assert isinstance(SqlBarStore(database), BarStore)


def test_bars_read_back_as_written_with_provenance(database: Database) -> None:
    store = SqlBarStore(database)
    frame = bars("2024-03-01 14:30", 5)
    assert (
        store.write_bars(frame, symbol="spy", timeframe="1m", source="yahoo", fetched_at=FETCHED)
        == 5
    )
    read = store.read_bars("SPY", "1m")
    pd.testing.assert_frame_equal(read[list(frame.columns)], frame, check_freq=False)
    assert read["source"].tolist() == ["yahoo"] * 5
    assert read["fetched_at"].tolist() == [pd.Timestamp(FETCHED)] * 5
    assert read.attrs == {"symbol": "SPY", "timeframe": "1m", "calendar": "XNYS"}


def test_an_upsert_replaces_and_never_duplicates(database: Database) -> None:
    store = SqlBarStore(database)
    store.write_bars(
        bars("2024-03-01 14:30", 10),
        symbol="SPY",
        timeframe="1m",
        source="csv:a.csv",
        fetched_at=FETCHED,
    )
    update = bars("2024-03-01 14:35", 10, [200.0 + i for i in range(10)])
    update["provider"] = ["polygon"] * 5 + ["finnhub"] * 5  # per-row provenance wins
    assert (
        store.write_bars(update, symbol="SPY", timeframe="1m", source="ignored", fetched_at=LATER)
        == 10
    )
    read = store.read_bars("SPY", "1m")
    assert len(read) == 15
    assert store.count() == 15
    assert read.index.is_unique
    assert read["close"].tolist()[4:6] == [100.04, 200.0]
    assert read["source"].tolist() == ["csv:a.csv"] * 5 + ["polygon"] * 5 + ["finnhub"] * 5
    assert read["fetched_at"].tolist() == [pd.Timestamp(FETCHED)] * 5 + [pd.Timestamp(LATER)] * 10


def test_prices_are_exact_decimals_in_the_table(database: Database) -> None:
    store = SqlBarStore(database)
    closes = [0.1, 1.15, 12345.6789, 0.00001234, 98765432.1]
    store.write_bars(
        bars("2024-03-01", 5, closes),
        symbol="EURUSD",
        timeframe="1m",
        source="csv:fx.csv",
        fetched_at=FETCHED,
    )
    with database.reading() as repository:
        rows = repository._session.scalars(select(BarRow).order_by(BarRow.ts)).all()
    assert [row.close for row in rows] == [
        Decimal(text) for text in ("0.1", "1.15", "12345.6789", "0.00001234", "98765432.1")
    ]
    assert rows[0].high == Decimal("0.6")
    assert rows[0].source == "csv:fx.csv"
    assert rows[0].ts == datetime(2024, 3, 1, tzinfo=UTC)
    assert rows[0].fetched_at == FETCHED
    assert store.read_bars("EURUSD", "1m")["close"].tolist() == closes


def test_ranges_series_and_date_range(database: Database) -> None:
    store = SqlBarStore(database)
    assert store.date_range("SPY", "1m") is None
    assert store.series() == []
    store.write_bars(
        bars("2024-03-01 00:00", 60), symbol="SPY", timeframe="1m", source="s", fetched_at=FETCHED
    )
    store.write_bars(
        bars("2024-01-01 00:00", 3), symbol="AAPL", timeframe="1d", source="s", fetched_at=FETCHED
    )
    start, end = datetime(2024, 3, 1, 0, 10, tzinfo=UTC), datetime(2024, 3, 1, 0, 19, tzinfo=UTC)
    window = store.read_bars("SPY", "1m", start, end)
    assert len(window) == 10
    assert window.index[0] == start
    assert window.index[-1] == end
    assert len(store.read_bars("SPY", "1m", start=end)) == 41
    assert store.date_range("spy", "1m") == (
        datetime(2024, 3, 1, tzinfo=UTC),
        datetime(2024, 3, 1, 0, 59, tzinfo=UTC),
    )
    assert store.series() == [
        SeriesInfo(
            "AAPL",
            "1d",
            datetime(2024, 1, 1, tzinfo=UTC),
            datetime(2024, 1, 1, 0, 2, tzinfo=UTC),
            3,
        ),
        SeriesInfo(
            "SPY",
            "1m",
            datetime(2024, 3, 1, tzinfo=UTC),
            datetime(2024, 3, 1, 0, 59, tzinfo=UTC),
            60,
        ),
    ]
    empty = store.read_bars("MSFT", "1m")
    assert len(empty) == 0
    assert str(empty.index.tz) == "UTC"


def test_bulk_write_keeps_special_sources_and_missing_quotes_exactly(database: Database) -> None:
    """The bulk paths (SQLite executemany, PostgreSQL COPY text) carry any source text and
    NULL quotes unchanged, over more than one chunk."""
    import paperdesk.store.bars as bar_module

    store = SqlBarStore(database)
    frame = bars("2024-03-01 14:30", 7)
    frame["provider"] = ["tab\there", "back\\slash", "new\nline", "cr\rhere", r"\N", "plain", ""]
    for field in ("bid", "ask"):
        for part in ("open", "high", "low", "close"):
            frame[f"{field}_{part}"] = [99.5, np.nan, 99.25, np.nan, 1e-05, 99.0, np.nan]
        frame[f"{field}_size"] = [3.0, np.nan, 1.0, np.nan, 2.0, 5.0, np.nan]
    chunk, copied = bar_module._CHUNK, bar_module._COPY_CHUNK
    bar_module._CHUNK = 3  # three chunks: the chunking itself is exercised
    bar_module._COPY_CHUNK = 2  # and COPY writes smaller than a chunk, across its ends
    try:
        store.write_bars(frame, symbol="SPY", timeframe="1m", source="csv:x", fetched_at=FETCHED)
    finally:
        bar_module._CHUNK, bar_module._COPY_CHUNK = chunk, copied
    read = store.read_bars("SPY", "1m")
    expected_sources = [*frame["provider"].tolist()[:6], "csv:x"]  # an empty provider: default
    assert read["source"].tolist() == expected_sources
    pd.testing.assert_series_equal(read["bid_open"], frame["bid_open"], check_freq=False)
    pd.testing.assert_series_equal(read["ask_size"], frame["ask_size"], check_freq=False)
    with database.reading() as repository:
        rows = repository._session.scalars(select(BarRow).order_by(BarRow.ts)).all()
    assert [row.bid_low for row in rows][:5] == [
        Decimal("99.5"),
        None,
        Decimal("99.25"),
        None,
        Decimal("0.00001"),
    ]
