"""The market-data service: the DataManager it builds, and list/import/check/backfill through it
(on SQLite and PostgreSQL; fake providers, no network)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from market_fakes import FakeProvider, aggregator, bundled, utc
from paperdesk.data.cache import InProcessCache
from paperdesk.data.clock import FixedClock
from paperdesk.data.providers import JsonFileQuotaStore
from paperdesk.service.market_data import (
    CsvImportError,
    MarketDataService,
    backfill_document,
    build_data_manager,
    import_document,
    series_document,
)
from paperdesk.store import Database, SqlBarStore


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "PAPERDESK_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_manager_is_built_on_the_configured_parts(home: Path, database: Database) -> None:
    manager = build_data_manager(database)
    assert isinstance(manager.store, SqlBarStore)
    assert manager.parquet is not None
    assert manager.parquet.root.parent == home / "cache"
    assert manager.parquet.root.name.startswith("bars-")  # not the home's own ledger
    default = build_data_manager(Database(f"sqlite:///{home / 'paperdesk.db'}"))
    assert default.parquet is not None
    assert default.parquet.root == home / "cache" / "bars"
    assert isinstance(manager.cache, InProcessCache)  # no REDIS_URL
    assert manager.aggregator is not None
    assert manager.aggregator.fallback is not None  # the stored bars, when providers fail
    quota_store = manager.aggregator.quota.store
    assert isinstance(quota_store, JsonFileQuotaStore)
    assert quota_store.path.parent == home


def test_the_default_database_lives_in_paperdesk_home(home: Path) -> None:
    service = MarketDataService()
    try:
        assert service.list_series()[0].where == "bundled"
        assert (home / "paperdesk.db").exists()
    finally:
        service.close()


def test_import_list_check_and_backfill(home: Path, database: Database) -> None:
    service = MarketDataService(
        database=database, aggregator=aggregator(FakeProvider()), clock=FixedClock(utc(2020, 7, 1))
    )
    source = bundled("SPY", "1d").loc["2020-01-01":"2020-03-31"]
    path = home / "spy.csv"
    source[["open", "high", "low", "close", "volume"]].to_csv(path, index_label="timestamp")
    report = service.import_file(path, "SPY", "1d")
    assert import_document(report)["rows_written"] == len(source)

    listed = [series_document(info) for info in service.list_series()]
    assert listed[0] == {
        "symbol": "SPY", "timeframe": "1d", "first": "2020-01-02T00:00:00+00:00",
        "last": "2020-03-31T00:00:00+00:00", "rows": len(source), "where": "store", "path": None,
    }  # fmt: skip
    assert {row["where"] for row in listed[1:]} == {"bundled"}

    quality = service.check("SPY", "1d", date(2020, 1, 1), date(2020, 3, 31))
    assert quality.bars == len(source)
    assert quality.feed_stale  # April to June are missing at 2020-07-01

    filled = service.backfill("SPY", "1d", date(2020, 1, 1), date(2020, 6, 30))
    document = backfill_document(filled)
    assert (document["planned"], document["fetched"], document["complete"]) == (1, 1, True)
    assert SqlBarStore(database).count("SPY", "1d") == len(
        bundled("SPY", "1d").loc["2020-01":"2020-06"]
    )
    assert service.check("SPY", "1d").bars == SqlBarStore(database).count("SPY", "1d")


def test_a_rejected_import_writes_nothing(home: Path, database: Database) -> None:
    service = MarketDataService(database=database, aggregator=aggregator(FakeProvider()))
    path = home / "bad.csv"
    path.write_text("timestamp,open,high,low,close,volume\n2020-01-02,1,0.5,1,1,1\n")
    with pytest.raises(CsvImportError) as caught:
        service.import_file(path, "SPY", "1d")
    assert caught.value.problems[0].line == 2
    assert SqlBarStore(database).count() == 0
    assert not (home / "cache" / "bars" / "SPY").exists()
