"""DataManager.backfill: chunks written in their own transactions, resumable re-runs, and the
stale fallback to stored bars when every provider fails (fake providers, no network)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from market_fakes import FakeProvider, aggregator, bundled, utc
from paperdesk.data.backfill import ChunkReport, chunk_complete, plan_chunks
from paperdesk.data.clock import FixedClock
from paperdesk.data.manager import DataManager
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.data.providers.aggregator import ProviderAggregator
from paperdesk.domain import DataError
from paperdesk.store import Database, SqlBarStore

NOW = utc(2020, 7, 1)
MONTHS = ["2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"]


def manager(database: Database, tmp_path: Path, provider: FakeProvider) -> DataManager:
    return DataManager(
        clock=FixedClock(NOW),
        store=SqlBarStore(database),
        parquet=ParquetBarCache(tmp_path / "cache"),
        aggregator=aggregator(provider),
    )


def test_chunks_are_months_intraday_and_years_daily() -> None:
    months = plan_chunks("1h", utc(2020, 1, 15), utc(2020, 3, 10))
    assert [(c.start, c.end) for c in months] == [
        (utc(2020, 1, 15), utc(2020, 2, 1)),
        (utc(2020, 2, 1), utc(2020, 3, 1)),
        (utc(2020, 3, 1), utc(2020, 3, 10)),
    ]
    years = plan_chunks("1d", utc(2018, 6, 1), utc(2020, 1, 1))
    assert [(c.start.year, c.end.year) for c in years] == [(2018, 2019), (2019, 2020)]


def test_backfill_writes_each_chunk_and_a_second_run_skips_them_all(
    database: Database, tmp_path: Path
) -> None:
    provider = FakeProvider()
    seen: list[tuple[str, int, int]] = []
    first = manager(database, tmp_path, provider).backfill(
        "SPY", "1h", utc(2020, 1, 1), utc(2020, 7, 1),
        progress=lambda chunk, done, total: seen.append((chunk.status, done, total)),
    )  # fmt: skip
    expected = bundled("SPY", "1h").loc["2020-01-01":"2020-06-30"]
    assert first.complete
    assert (first.planned, first.fetched, first.skipped, first.rows) == (6, 6, 0, len(expected))
    assert seen == [("fetched", done, 6) for done in range(1, 7)]
    assert {chunk.provider for chunk in first.chunks} == {"fake"}
    stored = SqlBarStore(database).read_bars("SPY", "1h")
    assert list(stored.index) == list(expected.index)
    assert set(stored["source"].astype(str)) == {"fake"}
    assert ParquetBarCache(tmp_path / "cache").months("SPY", "1h") == MONTHS

    again = FakeProvider()
    second = manager(database, tmp_path, again).backfill("SPY", "1h", utc(2020, 1, 1), NOW)
    assert (second.fetched, second.skipped, second.rows) == (0, 6, 0)
    assert second.complete
    assert again.calls == []  # not one request: every chunk was already stored


def test_an_interrupted_backfill_resumes_at_the_chunk_that_failed(
    database: Database, tmp_path: Path
) -> None:
    broken = FakeProvider(fail_months={"2020-03"})
    first = manager(database, tmp_path, broken).backfill("SPY", "1h", utc(2020, 1, 1), NOW)
    assert [chunk.status for chunk in first.chunks] == ["fetched", "fetched", "failed"]
    assert not first.complete
    assert "HTTP 503" in first.chunks[-1].reason
    assert broken.months_asked == ["2020-01", "2020-02", "2020-03"]  # it stopped there
    assert SqlBarStore(database).date_range("SPY", "1h")[1] < utc(2020, 3, 1)

    healthy = FakeProvider()
    second = manager(database, tmp_path, healthy).backfill("SPY", "1h", utc(2020, 1, 1), NOW)
    assert [chunk.status for chunk in second.chunks] == ["skipped"] * 2 + ["fetched"] * 4
    assert healthy.months_asked == MONTHS[2:]
    assert second.complete
    expected = bundled("SPY", "1h").loc["2020-01-01":"2020-06-30"]
    assert SqlBarStore(database).count("SPY", "1h") == len(expected)


def test_daily_backfill_is_resumable_too(database: Database, tmp_path: Path) -> None:
    first = manager(database, tmp_path, FakeProvider()).backfill(
        "AAPL", "1d", pd.Timestamp("2017-01-01").date(), pd.Timestamp("2019-12-31").date()
    )
    assert (first.planned, first.fetched) == (3, 3)
    assert first.rows == len(bundled("AAPL", "1d").loc["2017":"2019"])
    second = manager(database, tmp_path, FakeProvider()).backfill(
        "AAPL", "1d", utc(2017, 1, 1), utc(2020, 1, 1)
    )
    assert second.skipped == 3


def test_a_partly_stored_chunk_is_fetched_again(database: Database) -> None:
    store = SqlBarStore(database)
    march = bundled("SPY", "1h").loc["2020-03-01":"2020-03-31"]
    chunk = plan_chunks("1h", utc(2020, 3, 1), utc(2020, 4, 1))[0]
    assert chunk_complete(march, chunk, "1h", "XNYS", NOW)
    assert not chunk_complete(march.loc[:"2020-03-27"], chunk, "1h", "XNYS", NOW)  # tail
    assert not chunk_complete(march.loc["2020-03-03":], chunk, "1h", "XNYS", NOW)  # head
    assert not chunk_complete(march.iloc[:0], chunk, "1h", "XNYS", NOW)
    store.write_bars(march.loc[:"2020-03-20"], symbol="SPY", timeframe="1h", source="csv",
                     fetched_at=NOW)  # fmt: skip
    assert not chunk_complete(store.read_bars("SPY", "1h"), chunk, "1h", "XNYS", NOW)


def test_all_providers_failing_serve_the_stored_bars_marked_stale(
    database: Database, tmp_path: Path
) -> None:
    done = manager(database, tmp_path, FakeProvider())
    done.backfill("SPY", "1h", utc(2020, 5, 1), utc(2020, 6, 1))
    down = FakeProvider(fail_all=True)
    data = manager(database, tmp_path, down)
    result = data.fetch_bars("SPY", "1h", utc(2020, 5, 4), utc(2020, 5, 8))
    assert result.stale
    assert result.provider is None
    assert [(a.provider, a.outcome) for a in result.attempts] == [("fake", "failed")]
    expected = bundled("SPY", "1h").loc["2020-05-04":"2020-05-07"]
    assert list(result.bars.index) == list(expected.index)
    assert set(result.bars["provider"]) == {"fake"}  # where the stored bars came from

    forced = manager(database, tmp_path, FakeProvider(fail_all=True)).backfill(
        "SPY", "1h", utc(2020, 5, 1), utc(2020, 6, 1), force=True
    )
    [chunk] = forced.chunks
    assert isinstance(chunk, ChunkReport)
    assert chunk.stale
    assert chunk.rows == len(bundled("SPY", "1h").loc["2020-05"])
    assert not forced.complete


def test_an_aggregator_factory_is_called_once_when_a_provider_is_first_asked(
    database: Database, tmp_path: Path
) -> None:
    """A manager given ``aggregator_factory`` makes no aggregator (nor loads the providers)
    until one is needed; the one it makes falls back on the stored bars like a given one."""
    manager(database, tmp_path, FakeProvider()).backfill(
        "SPY", "1h", utc(2020, 5, 1), utc(2020, 6, 1)
    )
    made: list[ProviderAggregator] = []

    def make() -> ProviderAggregator:
        made.append(aggregator(FakeProvider(fail_all=True)))
        return made[-1]

    data = DataManager(
        clock=FixedClock(NOW),
        store=SqlBarStore(database),
        aggregator_factory=make,
    )
    assert data.get_bars("SPY", "1h", utc(2020, 5, 4), utc(2020, 5, 8)).attrs["origin"] == "store"
    assert made == []
    result = data.fetch_bars("SPY", "1h", utc(2020, 5, 4), utc(2020, 5, 8))
    assert result.stale  # the made aggregator's fallback is the store
    assert data.aggregator is made[0]
    data.fetch_bars("SPY", "1h", utc(2020, 5, 4), utc(2020, 5, 8))
    assert len(made) == 1


def test_nothing_stored_and_every_provider_down_fails_the_chunk(
    database: Database, tmp_path: Path
) -> None:
    report = manager(database, tmp_path, FakeProvider(fail_all=True)).backfill(
        "SPY", "1h", utc(2020, 5, 1), utc(2020, 7, 1)
    )
    assert [chunk.status for chunk in report.chunks] == ["failed"]
    assert report.planned == 2
    assert SqlBarStore(database).count("SPY", "1h") == 0


def test_backfill_never_stores_a_bar_that_has_not_closed(
    database: Database, tmp_path: Path
) -> None:
    data = DataManager(
        clock=FixedClock(utc(2020, 3, 4, 16, 30)),
        store=SqlBarStore(database),
        aggregator=aggregator(FakeProvider()),
    )
    report = data.backfill("SPY", "1h", utc(2020, 3, 1), utc(2020, 4, 1))
    assert report.end == utc(2020, 3, 4, 16, 30)
    stored = SqlBarStore(database).read_bars("SPY", "1h")
    assert (pd.DatetimeIndex(stored["ts_close"]) <= pd.Timestamp(report.end)).all()
    assert stored.index[-1] == pd.Timestamp("2020-03-04 15:00", tz="UTC")


def test_backfill_needs_a_store_and_providers(tmp_path: Path) -> None:
    no_store = DataManager(clock=FixedClock(NOW), aggregator=aggregator(FakeProvider()))
    with pytest.raises(DataError, match="no bar store"):
        no_store.backfill("SPY", "1h", utc(2020, 1, 1), NOW)
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    no_providers = DataManager(clock=FixedClock(NOW), store=SqlBarStore(database))
    try:
        with pytest.raises(DataError, match="no price providers"):
            no_providers.backfill("SPY", "1h", utc(2020, 1, 1), NOW)
    finally:
        database.close()
