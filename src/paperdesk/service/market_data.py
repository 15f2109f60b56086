"""The market-data service: what the ``paperdesk data ...`` commands (and later the API) call.

``build_data_manager`` assembles the ``DataManager`` from ``Settings`` (default ``Settings()``,
the environment): the configured database, the Parquet cache under ``<home>/cache/bars``, the
recent-bars cache (Redis when ``REDIS_URL`` answers) and the provider aggregator (its quota store
in ``<home>``). ``providers()`` reports every configured price provider without any network
request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports
from paperdesk.data.bar_store import SeriesInfo
from paperdesk.data.cache import MarketCache, open_market_cache
from paperdesk.data.clock import Clock
from paperdesk.data.csv_import import CsvImportError
from paperdesk.data.importer import ImportReport
from paperdesk.data.manager import DataManager
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.data.quality import QualityReport
from paperdesk.domain import InvalidInputError, UnknownNameError, limits
from paperdesk.domain.fields import field_mark
from paperdesk.service.market_documents import (
    backfill_document,
    import_document,
    provider_status_document,
    series_document,
)
from paperdesk.settings import Settings

if TYPE_CHECKING:
    import httpx

    from paperdesk.data.backfill import BackfillProgress, BackfillReport, ChunkReport
    from paperdesk.data.providers import ProviderAggregator, ProviderStatus, QuotaStore
    from paperdesk.store import Database, SqlBarStore
    from paperdesk.store.sqlite_bars import SqliteBarWriter

# The price providers (httpx, the aggregator, its Prometheus counters) and the backfill load
# when a command asks the providers, not for an import or a listing of the bars held.
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.data.backfill": ("BackfillProgress", "BackfillReport", "ChunkReport"),
        "paperdesk.data.providers.aggregator": ("ProviderStatus",),
    },
)

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
    settings: Settings | None = None,
    clock: Clock | None = None,
    cache: MarketCache | None = None,
    aggregator: ProviderAggregator | None = None,
    client: httpx.Client | None = None,
    quota_store: QuotaStore | None = None,
    writer: SqliteBarWriter | None = None,
) -> DataManager:
    """A DataManager on the configured database, caches and providers (each part may be
    given instead). The aggregator's stale fallback is the database's bars; the Parquet folder
    and the Redis key prefix are the database's own (``Settings.parquet_root``). The asset
    classes series were imported with are remembered for this process. ``writer`` (a CSV
    import's, ``store/sqlite_bars.py``) is the store instead of the database's."""
    settings = settings or Settings()

    def providers() -> ProviderAggregator:
        """Made when the manager first asks a provider (``DataManager.aggregator``)."""
        from paperdesk.data.providers import ProviderAggregator
        from paperdesk.data.providers.base import utc_now

        # the providers' breakers and quotas keep the run's time (a test clock moves them too)
        return ProviderAggregator.from_settings(
            settings.provider_settings(),
            client=client,
            quota_store=quota_store,
            clock=utc_now if clock is None else clock.now,
        )

    store: SqlBarStore | SqliteBarWriter
    if writer is not None:
        url, store = writer.url, writer
    else:
        from paperdesk.store import Database, SqlBarStore

        ledger = database or Database(settings.database_url_value())
        url, store = ledger.url, SqlBarStore(ledger)
    if cache is None:
        prefix = settings.redis_prefix_for(url)
        cache = open_market_cache(settings.redis_url_value(), prefix=prefix)
    store.remember_stored_classes()  # series imported with --asset-class get their instrument
    return DataManager(
        clock=clock,
        store=store,
        parquet=ParquetBarCache(settings.parquet_root(url)),
        cache=cache,
        aggregator=aggregator,
        aggregator_factory=None if aggregator is not None else providers,
    )


class MarketDataService:
    """One door to market data for the interfaces.

    ``settings`` default to ``Settings()`` (the environment). Pass the long-lived
    ``aggregator`` of a running process to see its live circuit states; without one, a fresh
    aggregator is built for each call, so circuits show closed (breakers live in memory) while
    quotas come from the persisted store. ``manager`` (or the parts for
    ``build_data_manager``: ``database``, ``clock``) serves the bar commands; a database the
    service opened itself is closed by ``close()``.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        aggregator: ProviderAggregator | None = None,
        database: Database | None = None,
        manager: DataManager | Callable[[], DataManager] | None = None,
        clock: Clock | None = None,
        live_portfolios: Callable[[str, str], tuple[int, ...]] | None = None,
    ) -> None:
        """``manager`` may be a function that makes it (the container's, made on first use:
        listing the providers opens no database). ``live_portfolios`` names the live
        portfolios trading a symbol on a timeframe (the container's ledger): with it, ``check``
        judges staleness only for such a feed; any other series is history."""
        self._settings = settings
        self._aggregator = aggregator
        self._database = database
        self._owned_database: Database | None = None
        self._manager = manager
        self._clock = clock
        self._live_portfolios = live_portfolios

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings()
        return self._settings

    @property
    def manager(self) -> DataManager:
        """The DataManager (built on first use)."""
        if callable(self._manager) and not isinstance(self._manager, DataManager):
            self._manager = self._manager()
        if self._manager is None:
            database = self._database
            if database is None:
                from paperdesk.store import Database

                database = self._owned_database = Database(self.settings.database_url_value())
            self._manager = build_data_manager(
                database, settings=self.settings, clock=self._clock,
                aggregator=self._aggregator,
            )  # fmt: skip
        assert isinstance(self._manager, DataManager)
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
        import httpx

        from paperdesk.data.providers import ProviderAggregator

        with httpx.Client() as client:  # never used: status() sends no request
            providers = self.settings.provider_settings()
            aggregator = ProviderAggregator.from_settings(providers, client=client)
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
        adjusted: bool = False,
        asset_class: str | None = None,
        quotes: bool = False,
    ) -> ImportReport:
        """Import a CSV file (all or nothing; ``CsvImportError`` lists the problems), stored
        with ``asset_class`` when given (an unknown symbol without one is refused). A quote
        file (``quotes``, or a file whose header names the quote columns) adds its bid and
        ask to the stored bars of the series instead."""
        symbol = limits.symbol_value(symbol, field_mark("symbol"))
        if quotes or _has_quote_header(Path(path)):
            return self.manager.import_quotes(path, symbol, timeframe, timezone=timezone)
        return self.manager.import_csv(
            path, symbol, timeframe, timezone=timezone, sort=sort, drop_duplicates=drop_duplicates,
            adjusted=adjusted, asset_class=asset_class,
        )  # fmt: skip

    def check(
        self,
        symbol: str,
        timeframe: str,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
    ) -> QualityReport:
        """The quality report of a series (closed bars in ``[start, end]``; a date ``end``
        covers its whole day). A series no live portfolio trades (a bundled sample, an import)
        is history: where it ends and how long ago, never stale (``QualityReport.of_feed``)."""
        if "\x00" in symbol or "\x00" in timeframe:  # no series is named so (nor can be stored)
            raise UnknownNameError(f"no {symbol.upper()!r} {timeframe!r} bars are held anywhere")
        low = None if start is None else _instant(start)
        high = None if end is None else _instant(end, end_of_day=True)
        if low is not None and high is not None and low > high:
            raise InvalidInputError(
                f"{field_mark('start', '--from')} {start} is after {field_mark('end', '--to')} "
                f"{end}"
            )
        report = self.manager.check_quality(symbol, timeframe, low, high)
        if self._live_portfolios is None:
            return report
        return report.of_feed(self._live_portfolios(report.symbol, report.timeframe))

    def backfill(
        self,
        symbol: str,
        timeframe: str,
        start: date | datetime,
        end: date | datetime,
        *,
        progress: BackfillProgress | None = None,
        force: bool = False,
        asset_class: str | None = None,
    ) -> BackfillReport:
        """Fetch ``[start, end]`` from the providers into the database, resumably (stored with
        ``asset_class`` when given; an unknown symbol without one is refused)."""
        symbol = limits.symbol_value(symbol, "SYM")
        return self.manager.backfill(
            symbol, timeframe, start, end, progress=progress, force=force, asset_class=asset_class
        )


def _instant(value: date | datetime, *, end_of_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    moment = datetime.combine(value, time(0), tzinfo=UTC)
    return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment


def _has_quote_header(path: Path) -> bool:
    from paperdesk.data.quote_csv import is_quote_header, read_header

    return is_quote_header(read_header(path))
