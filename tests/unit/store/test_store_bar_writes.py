"""The bulk write paths of ``SqlBarStore``: multi-row statements on SQLite (full statements and
a remainder), ``COPY`` straight into ``bars`` or through an upsert on PostgreSQL; every price
stored as the exact decimal written, every write an upsert (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from paperdesk.store import Database, SqlBarStore
from paperdesk.store.bar_writes import BarBatch, write_sqlite
from paperdesk.store.models import BarRow

FETCHED = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
LATER = datetime(2025, 2, 1, tzinfo=UTC)
ROWS = 1_234  # two full statements of 500 rows and a remainder of 234, in one chunk


def bars(start: str, cents: list[int]) -> pd.DataFrame:
    """One-minute bars whose close is ``cents / 100`` (so its exact decimal is known)."""
    index = pd.date_range(start, periods=len(cents), freq="1min", tz="UTC", name="ts")
    close = np.array(cents, dtype=np.float64) / 100
    frame = pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 3.0},
        index=index.as_unit("ns"),
    )
    frame["ts_close"] = frame.index + pd.Timedelta(minutes=1)
    return frame


def stored(database: Database) -> list[BarRow]:
    with database.reading() as repository:
        return list(repository._session.scalars(select(BarRow).order_by(BarRow.ts)).all())


def test_many_rows_are_stored_exactly_with_their_labels(database: Database) -> None:
    store = SqlBarStore(database)
    cents = [1_000_000 + 7 * row for row in range(ROWS)]
    frame = bars("2024-03-01 14:30", cents)
    assert store.write_bars(frame, symbol="SPY", timeframe="1m", source="s", fetched_at=FETCHED)
    rows = stored(database)
    assert [row.close for row in rows] == [Decimal(cent) / 100 for cent in cents]
    assert [row.high for row in rows] == [Decimal(cent) / 100 + 1 for cent in cents]
    assert rows[-1].ts == datetime(2024, 3, 1, 14, 30, tzinfo=UTC) + pd.Timedelta(minutes=ROWS - 1)
    assert {row.source for row in rows} == {"s"}
    assert {row.fetched_at for row in rows} == {FETCHED}
    assert len(store.read_bars("SPY", "1m")) == ROWS


def test_a_write_over_stored_bars_replaces_them(database: Database) -> None:
    store = SqlBarStore(database)
    store.write_bars(
        bars("2024-03-01 14:30", list(range(100, 100 + ROWS))),
        symbol="SPY", timeframe="1m", source="first", fetched_at=FETCHED,
    )  # fmt: skip
    later = bars("2024-03-01 15:30", [5 for _ in range(ROWS)])  # from row 60 on, and beyond
    store.write_bars(later, symbol="SPY", timeframe="1m", source="second", fetched_at=LATER)
    rows = stored(database)
    assert len(rows) == 60 + ROWS
    assert [row.close for row in rows[:60]] == [Decimal(cent) / 100 for cent in range(100, 160)]
    assert {row.close for row in rows[60:]} == {Decimal("0.05")}
    assert [row.source for row in rows[59:61]] == ["first", "second"]
    assert rows[60].fetched_at == LATER


def test_a_write_into_a_gap_between_stored_bars_keeps_both_sides(database: Database) -> None:
    store = SqlBarStore(database)
    store.write_bars(bars("2024-03-01 14:30", [100]), symbol="SPY", timeframe="1m",
                     source="a", fetched_at=FETCHED)  # fmt: skip
    store.write_bars(bars("2024-03-01 16:00", [300]), symbol="SPY", timeframe="1m",
                     source="a", fetched_at=FETCHED)  # fmt: skip
    store.write_bars(bars("2024-03-01 14:31", [200] * 89), symbol="SPY", timeframe="1m",
                     source="b", fetched_at=LATER)  # fmt: skip
    rows = stored(database)
    assert [row.close for row in rows] == [Decimal(1)] + [Decimal(2)] * 89 + [Decimal(3)]


def test_another_series_in_the_same_range_is_not_touched(database: Database) -> None:
    store = SqlBarStore(database)
    frame = bars("2024-03-01 14:30", [100, 101])
    store.write_bars(frame, symbol="SPY", timeframe="1m", source="a", fetched_at=FETCHED)
    store.write_bars(frame, symbol="QQQ", timeframe="1m", source="a", fetched_at=FETCHED)
    store.write_bars(frame, symbol="SPY", timeframe="5m", source="a", fetched_at=FETCHED)
    assert len(stored(database)) == 6
    assert store.count("SPY", "1m") == 2


def test_statements_shrink_to_the_parameters_sqlite_allows(tmp_path: Path) -> None:
    """A SQLite built with a low parameter limit (999 before 3.32) gets fewer rows a
    statement: 4 bound once, 7 a row, so 6 rows a statement under a limit of 50."""
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        cents = list(range(500, 500 + 20))
        frame = bars("2024-03-01 14:30", cents)
        batch = BarBatch(
            symbol="SPY", timeframe="1m", frame=frame, index=pd.DatetimeIndex(frame.index),
            closes=pd.DatetimeIndex(frame["ts_close"]), fetched_at=FETCHED, source="low",
            sources=None, quoted=False,
        )  # fmt: skip
        with database.writing_connection() as connection:
            driver = connection.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            before = driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 50)
            try:
                write_sqlite(driver, batch)
            finally:
                driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
        rows = stored(database)
        assert [row.close for row in rows] == [Decimal(cent) / 100 for cent in cents]
        assert {row.source for row in rows} == {"low"}
    finally:
        database.close()


def test_a_chunk_is_bound_in_slices_each_with_its_own_remainder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk's texts reach SQLite as Python strings a slice at a time: 1,234 rows in slices
    of 700 are statements of 500 and 200 rows, then of 500 and 34, every row in place."""
    import paperdesk.store.bar_writes as writes

    monkeypatch.setattr(writes, "_ROWS_BOUND_AT_ONCE", 700)
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        store = SqlBarStore(database)
        cents = [2_000_000 - 3 * row for row in range(ROWS)]
        frame = bars("2024-03-01 14:30", cents)
        store.write_bars(frame, symbol="SPY", timeframe="1m", source="s", fetched_at=FETCHED)
        rows = stored(database)
        assert [row.close for row in rows] == [Decimal(cent) / 100 for cent in cents]
        assert [row.low for row in rows] == [Decimal(cent) / 100 - 1 for cent in cents]
        assert [row.ts for row in rows] == frame.index.to_pydatetime().tolist()
        assert [row.ts_close for row in rows] == frame["ts_close"].dt.to_pydatetime().tolist()
    finally:
        database.close()
