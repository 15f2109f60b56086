"""import_csv writes a valid file to the store and the cache, and nothing at all otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperdesk.data.csv_import import CsvImportError
from paperdesk.data.importer import import_csv
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.store import Database, SqlBarStore

HEADER = "timestamp,open,high,low,close,volume\n"
GOOD_ROW = "2024-03-01T00:00:00Z,10,11,9,10.5,100\n"
LATER_ROW = "2024-03-01T00:01:00Z,10.5,11,10,10.7,100\n"


@pytest.fixture(scope="module")
def setup(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SqlBarStore, ParquetBarCache]]:
    root = tmp_path_factory.mktemp("importer")
    database = Database(f"sqlite:///{root / 'bars.db'}")
    store, cache = SqlBarStore(database), ParquetBarCache(root / "cache")
    seed = root / "seed.csv"
    seed.write_text(HEADER + GOOD_ROW + LATER_ROW)
    import_csv(seed, store, cache, symbol="SPY", timeframe="1m")
    yield store, cache
    database.close()


def snapshot(store: SqlBarStore, cache: ParquetBarCache) -> tuple[int, list[tuple[str, int]]]:
    files = sorted(cache.root.rglob("*"))
    return store.count(), [(str(path), path.stat().st_mtime_ns) for path in files]


@pytest.mark.parametrize(
    ("rows", "line", "column", "reason"),
    [
        pytest.param(
            "2024-03-01T00:00:00Z,ten,11,9,10,1\n",
            2,
            "open",
            "is not a number",
            id="unparseable-number",
        ),
        pytest.param(
            "2024-03-01 nine,10,11,9,10,1\n",
            2,
            "timestamp",
            "not an ISO-8601",
            id="unparseable-timestamp",
        ),
        pytest.param(
            GOOD_ROW + "2024-03-01T00:01:00Z,10,11,9,,1\n", 3, "close", "is empty", id="empty-value"
        ),
        pytest.param("2024-03-01T00:00:00Z,10,NaN,9,10,1\n", 2, "high", "is NaN", id="nan"),
        pytest.param(
            "2024-03-01T00:00:00Z,10,11,9,inf,1\n", 2, "close", "not finite", id="infinite"
        ),
        pytest.param(
            "2024-03-01T00:00:00Z,10,11,0,10,1\n", 2, "low", "not positive", id="non-positive-price"
        ),
        pytest.param(
            "2024-03-01T00:00:00Z,10,9,11,10,1\n", 2, "high", "is below low", id="high-below-low"
        ),
        pytest.param(
            "2024-03-01T00:00:00Z,12,11,9,10,1\n",
            2,
            "open",
            "outside the low-high",
            id="open-outside-range",
        ),
        pytest.param(
            "2024-03-01T00:00:00Z,10,11,9,8,1\n",
            2,
            "close",
            "outside the low-high",
            id="close-outside-range",
        ),
        pytest.param(
            "2024-03-01T00:00:00Z,10,11,9,10,-5\n", 2, "volume", "is negative", id="negative-volume"
        ),
        pytest.param(
            GOOD_ROW + LATER_ROW + GOOD_ROW,
            4,
            "timestamp",
            "duplicate timestamp",
            id="duplicate-timestamp",
        ),
        pytest.param(
            LATER_ROW + GOOD_ROW, 3, "timestamp", "is earlier than", id="unsorted-timestamps"
        ),
        pytest.param(
            ",10,11,9,10,1\n", 2, "timestamp", "timestamp is empty", id="missing-timestamp"
        ),
    ],
)
def test_a_rejected_file_writes_nothing(
    setup: tuple[SqlBarStore, ParquetBarCache],
    tmp_path: Path,
    rows: str,
    line: int,
    column: str,
    reason: str,
) -> None:
    store, cache = setup
    before = snapshot(store, cache)
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + rows)
    with pytest.raises(CsvImportError) as caught:
        import_csv(path, store, cache, symbol="SPY", timeframe="1m")
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (line, column)
    assert reason in problem.reason
    assert f"line {line} {column}" in str(caught.value)
    assert snapshot(store, cache) == before
    assert before[0] == 2


def test_a_missing_column_writes_nothing(
    setup: tuple[SqlBarStore, ParquetBarCache], tmp_path: Path
) -> None:
    store, cache = setup
    before = snapshot(store, cache)
    path = tmp_path / "no_low.csv"
    path.write_text("timestamp,open,high,close\n2024-03-01,10,11,10\n")
    with pytest.raises(CsvImportError, match="line 1 low: no low column"):
        import_csv(path, store, cache, symbol="SPY", timeframe="1d")
    assert snapshot(store, cache) == before


def test_a_valid_file_goes_to_the_store_and_the_cache_with_its_source(
    setup: tuple[SqlBarStore, ParquetBarCache], tmp_path: Path
) -> None:
    store, cache = setup
    path = tmp_path / "aapl_minutes.csv"
    path.write_text(HEADER + GOOD_ROW + LATER_ROW)
    fetched = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    report = import_csv(path, store, cache, symbol="aapl", timeframe="1m", fetched_at=fetched)
    assert (report.symbol, report.rows_read, report.rows_written) == ("AAPL", 2, 2)
    assert report.source == "csv:aapl_minutes.csv"
    stored = store.read_bars("AAPL", "1m")
    assert stored["source"].tolist() == ["csv:aapl_minutes.csv"] * 2
    assert stored["fetched_at"].tolist() == [fetched, fetched]
    cached = cache.read("AAPL", "1m")
    assert cached["source"].tolist() == ["csv:aapl_minutes.csv"] * 2
    assert cached["close"].tolist() == stored["close"].tolist() == [10.5, 10.7]
    assert [path.name for path in cache.files("AAPL", "1m")] == ["2024-03.parquet"]
