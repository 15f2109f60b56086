"""The market-data service: what the ``paperdesk data ...`` commands (and later the API) call.

``build_data_manager`` assembles the ``DataManager`` on the configured database (``Database()``:
``DATABASE_URL``, else the SQLite file in ``PAPERDESK_HOME``), the Parquet cache under
``PAPERDESK_HOME/cache/bars``, the recent-bars cache from ``cache_from_env()`` (Redis when
``REDIS_URL`` answers) and the provider aggregator from ``ProviderSettings.from_env()`` (its
quota store in ``PAPERDESK_HOME``). ``providers()`` reports every configured price provider
without any network request.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx

from paperdesk.data.backfill import BackfillProgress, BackfillReport, ChunkReport
from paperdesk.data.bar_store import SeriesInfo
from paperdesk.data.cache import MarketCache, cache_from_env
from paperdesk.data.clock import Clock
from paperdesk.data.csv_import import CsvImportError
from paperdesk.data.importer import ImportReport
from paperdesk.data.manager import DataManager
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.data.providers import (
    ProviderAggregator,
    ProviderSettings,
    ProviderStatus,
    QuotaStore,
)
from paperdesk.data.quality import QualityReport
from paperdesk.domain import InvalidInputError
from paperdesk.service.market_documents import (
    backfill_document,
    import_document,
    provider_status_document,
    series_document,
)
from paperdesk.store import Database, SqlBarStore

__all__ = [
    "BackfillProgress",
    "BackfillReport",
    "ChunkReport",
    "CsvImportError",
    "ImportReport",
    "MarketDataService",
    "ProviderStatus",
    "QualityReport",
    "SeriesInfo",
    "backfill_document",
    "build_data_manager",
    "import_document",
    "provider_status_document",
    "series_document",
]


def build_data_manager(
    database: Database | None = None,
    *,
    settings: ProviderSettings | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    cache: MarketCache | None = None,
    aggregator: ProviderAggregator | None = None,
    client: httpx.Client | None = None,
    quota_store: QuotaStore | None = None,
) -> DataManager:
    """A DataManager on the configured database, caches and providers (each part may be
    given instead). The aggregator's stale fallback is the database's bars."""
    provider_settings = settings or ProviderSettings.from_env(environ)
    parts = aggregator or ProviderAggregator.from_settings(
        provider_settings, client=client, quota_store=quota_store
    )
    ledger = database or Database()
    return DataManager(
        clock=clock,
        store=SqlBarStore(ledger),
        parquet=ParquetBarCache(parquet_root(provider_settings.home, ledger)),
        cache=cache if cache is not None else cache_from_env(_per_database(environ, ledger)),
        aggregator=parts,
    )


def parquet_root(home: Path, database: Database) -> Path:
    """``<home>/cache/bars`` for the home's own SQLite ledger; any other database gets a folder
    of its own, so bars imported into one ledger never answer for another."""
    default = f"sqlite:///{home / 'paperdesk.db'}"
    if database.url == default:
        return home / "cache" / "bars"
    return home / "cache" / f"bars-{_digest(database)}"


def _digest(database: Database) -> str:
    return hashlib.sha256(database.url.encode()).hexdigest()[:12]


def _per_database(environ: Mapping[str, str] | None, database: Database) -> dict[str, str]:
    """The environment with a Redis key prefix of this database's own (unless one is set), so
    two ledgers sharing a Redis never serve each other's cached bars."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("PAPERDESK_REDIS_PREFIX", "").strip():
        env["PAPERDESK_REDIS_PREFIX"] = f"paperdesk:{_digest(database)}:"
    return env


class MarketDataService:
    """One door to market data for the interfaces.

    ``settings`` default to ``ProviderSettings.from_env(environ)``. Pass the long-lived
    ``aggregator`` of a running process to see its live circuit states; without one, a fresh
    aggregator is built for each call, so circuits show closed (breakers live in memory) while
    quotas come from the persisted store. ``manager`` (or the parts for
    ``build_data_manager``: ``database``, ``clock``) serves the bar commands; a database the
    service opened itself is closed by ``close()``.
    """

    def __init__(
        self,
        settings: ProviderSettings | None = None,
        *,
        aggregator: ProviderAggregator | None = None,
        environ: Mapping[str, str] | None = None,
        database: Database | None = None,
        manager: DataManager | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._settings = settings
        self._environ = environ
        self._aggregator = aggregator
        self._database = database
        self._owned_database: Database | None = None
        self._manager = manager
        self._clock = clock

    @property
    def settings(self) -> ProviderSettings:
        if self._settings is None:
            self._settings = ProviderSettings.from_env(self._environ)
        return self._settings

    @property
    def manager(self) -> DataManager:
        """The DataManager (built on first use)."""
        if self._manager is None:
            database = self._database
            if database is None:
                database = self._owned_database = Database()
            self._manager = build_data_manager(
                database, settings=self.settings, environ=self._environ, clock=self._clock,
                aggregator=self._aggregator,
            )  # fmt: skip
        return self._manager

    def close(self) -> None:
        """Close the database this service opened (a given one stays open)."""
        if self._owned_database is not None:
            self._owned_database.close()
            self._owned_database = None
            self._manager = None

    def providers(self) -> list[ProviderStatus]:
        """The status of every provider in priority order, enabled ones first."""
        if self._aggregator is not None:
            return self._aggregator.status()
        with httpx.Client() as client:  # never used: status() sends no request
            aggregator = ProviderAggregator.from_settings(self.settings, client=client)
            return aggregator.status()

    def list_series(self) -> list[SeriesInfo]:
        """Every series held: stored ones, then the bundled sample files."""
        return self.manager.symbols()

    def import_file(
        self,
        path: str | Path,
        symbol: str,
        timeframe: str,
        *,
        timezone: str | None = None,
        sort: bool = False,
        drop_duplicates: bool = False,
    ) -> ImportReport:
        """Import a CSV file (all or nothing; ``CsvImportError`` lists the problems)."""
        return self.manager.import_csv(
            path, symbol, timeframe, timezone=timezone, sort=sort, drop_duplicates=drop_duplicates
        )

    def check(
        self,
        symbol: str,
        timeframe: str,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
    ) -> QualityReport:
        """The quality report of a series (closed bars in ``[start, end]``; a date ``end``
        covers its whole day)."""
        low = None if start is None else _instant(start)
        high = None if end is None else _instant(end, end_of_day=True)
        if low is not None and high is not None and low > high:
            raise InvalidInputError(f"--from {start} is after --to {end}")
        return self.manager.check_quality(symbol, timeframe, low, high)

    def backfill(
        self,
        symbol: str,
        timeframe: str,
        start: date | datetime,
        end: date | datetime,
        *,
        progress: BackfillProgress | None = None,
        force: bool = False,
    ) -> BackfillReport:
        """Fetch ``[start, end]`` from the providers into the database, resumably."""
        return self.manager.backfill(symbol, timeframe, start, end, progress=progress, force=force)


def _instant(value: date | datetime, *, end_of_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    moment = datetime.combine(value, time(0), tzinfo=UTC)
    return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
