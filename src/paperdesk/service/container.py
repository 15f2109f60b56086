"""The service container: built once per process, handed to the CLI, the API and the worker.

``Services`` holds the settings, the database, ONE clock shared by the data manager and the
runner, ONE DataManager (the door to market data: a near in-process cache in front of Redis when
``REDIS_URL`` answers) and the services built on them. Parts are made on first use, so a command
that needs no database (``paperdesk strategies``) opens none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperdesk.data.cache import MarketCache
    from paperdesk.data.clock import Clock
    from paperdesk.data.manager import DataManager
    from paperdesk.domain.records import OutboxEntry
    from paperdesk.service import sweeps as sweep_service
    from paperdesk.service.api_keys import ApiKeyService
    from paperdesk.service.backtests import BacktestService
    from paperdesk.service.jobs import JobRegistry
    from paperdesk.service.market_data import MarketDataService
    from paperdesk.service.operations import OperationsService
    from paperdesk.service.outbox import OutboxService
    from paperdesk.service.plans import PlanService
    from paperdesk.service.portfolios import PortfolioService
    from paperdesk.service.result_reports import ResultReportService
    from paperdesk.service.simulations import SimulationService
    from paperdesk.service.transfers import TransferService
    from paperdesk.service.walk_forward import WalkForwardService
    from paperdesk.service.walk_forward_runs import WalkForwardRuns
    from paperdesk.service.webhook_delivery import WebhookDispatcher
    from paperdesk.service.webhooks import WebhookService
    from paperdesk.settings import Settings
    from paperdesk.store import Database
    from paperdesk.store.sqlite_bars import SqliteBarWriter

log = logging.getLogger(__name__)


def count_committed(entries: Sequence[OutboxEntry]) -> None:
    """``paperdesk.service.metrics.count_committed``, imported at the first commit with outbox
    entries: a command that only reads loads no Prometheus client."""
    count = _counting.get("count")
    if count is None:
        from paperdesk.service import metrics

        count = _counting["count"] = metrics.count_committed
    count(entries)


_counting: dict[str, Callable[[Sequence[OutboxEntry]], None]] = {}  # the import, once


class Services:
    """The platform's services on one database and one clock (see the module docstring)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        database: Database | None = None,
        clock: Clock | None = None,
        data: DataManager | None = None,
        on_database: Callable[[str], None] | None = None,
    ) -> None:
        self._settings = settings
        self._on_database = on_database  # told which database (password hidden) is opened
        self._database = database
        self._clock = clock
        self._data = data
        self._owns_database = database is None
        self._bar_writer: SqliteBarWriter | None = None  # a CSV import's (``bar_import``)

    @cached_property
    def settings(self) -> Settings:
        if self._settings is not None:
            return self._settings
        from paperdesk.settings import Settings  # read when a command runs, not for its --help

        return Settings()

    @cached_property
    def database(self) -> Database:
        if self._database is None:
            from paperdesk.service.admin import open_database

            self._database = open_database(self.settings.database_url_value())
            if self._on_database is not None:
                self._on_database(self._database.describe())
            log.info("ledger: %s", self._database.describe())
        self._database.on_commit(count_committed)  # once per database (listeners are a set)
        self._announce_commits(self._database)
        return self._database

    def _announce_commits(self, database: Database) -> None:
        """With ``REDIS_URL``, every commit that adds outbox entries wakes the API processes'
        stream tailers (whichever process commits: the CLI, the API or a worker)."""
        url = self.settings.redis_url_value()
        if url is not None:
            from paperdesk.service.outbox import RedisWake, wake_channel

            channel = wake_channel(self.settings.redis_prefix_for(database.url))
            database.after_commit(RedisWake(url, channel))

    @cached_property
    def clock(self) -> Clock:
        if self._clock is None:
            from paperdesk.data.clock import WallClock

            self._clock = WallClock()
        return self._clock

    @cached_property
    def data(self) -> DataManager:
        """The DataManager on this database, with this clock."""
        if self._data is None:
            from paperdesk.service.market_data import build_data_manager

            cache = self._market_cache(self.database.url)
            self._data = build_data_manager(
                self.database, settings=self.settings, clock=self.clock, cache=cache
            )
        return self._data

    def _market_cache(self, database_url: str) -> MarketCache:
        """The recent-bars cache of the ledger at ``database_url``: Redis with a near
        in-process cache in front when ``REDIS_URL`` answers, else the in-process one."""
        from paperdesk.data.cache import InProcessCache, open_market_cache
        from paperdesk.data.tiered_cache import TieredCache

        settings = self.settings
        prefix = settings.redis_prefix_for(database_url)
        shared = open_market_cache(settings.redis_url_value(), prefix=prefix)
        return shared if isinstance(shared, InProcessCache) else TieredCache(shared)

    @cached_property
    def portfolios(self) -> PortfolioService:
        from paperdesk.service.portfolios import PortfolioService

        return PortfolioService(self.database, data=lambda: self.data, clock=self.clock)

    @cached_property
    def plans(self) -> PlanService:
        """Trade plans: read, filter, execute into a portfolio, reconcile."""
        from paperdesk.service.plans import PlanService

        return PlanService(self.portfolios, lambda: self.data)

    @cached_property
    def backtests(self) -> BacktestService:
        from paperdesk.service.backtests import BacktestService

        return BacktestService(lambda: self.data)

    @cached_property
    def sweeps(self) -> sweep_service.SweepService:
        """Parameter sweeps: a grid of backtests with overfitting diagnostics."""
        from paperdesk.service.sweeps import SweepService

        return SweepService(lambda: self.data)

    @cached_property
    def simulations(self) -> SimulationService:
        """Trade plans simulated over the DataManager's bars (nothing written to the ledger)."""
        from paperdesk.service.simulations import SimulationService

        return SimulationService(lambda: self.data)

    @cached_property
    def walk_forward(self) -> WalkForwardService:
        """Walk-forward evidence: daily plans filtered and simulated day by day."""
        from paperdesk.service.walk_forward import WalkForwardService

        return WalkForwardService(lambda: self.data)

    @cached_property
    def walk_forward_runs(self) -> WalkForwardRuns:
        """Walk-forwards started through the API: background jobs, evidence in the home."""
        from paperdesk.service.walk_forward_runs import WalkForwardRuns, runs_root

        root = runs_root(self.settings.home, self.database.url)
        return WalkForwardRuns(root, self.walk_forward, self.jobs)

    @cached_property
    def result_reports(self) -> ResultReportService:
        """Reports of a walk-forward evidence folder or a backtest result (JSON and HTML)."""
        from paperdesk.service.result_reports import ResultReportService

        return ResultReportService()

    @cached_property
    def market_data(self) -> MarketDataService:
        from paperdesk.service.market_data import MarketDataService

        def live_portfolios(symbol: str, timeframe: str) -> tuple[int, ...]:
            # loaded when a report asks: the live feed's modules (providers, httpx) stay
            # unloaded for an import
            from paperdesk.service.live_feeds import live_portfolios_on

            return live_portfolios_on(self.database, symbol, timeframe)

        return MarketDataService(
            self.settings, manager=lambda: self.data, clock=self.clock,
            live_portfolios=live_portfolios,
        )  # fmt: skip

    @cached_property
    def bar_import(self) -> MarketDataService:
        """The market-data service of ``paperdesk data import``: on a SQLite ledger at the
        newest schema (or a new one) the bars are written through the standard library's
        ``sqlite3`` (``store/sqlite_bars.py``: the same rows, one transaction, the same write
        queue and sync), and SQLAlchemy is not loaded; on any other ledger, or in a container
        handed a database or a DataManager, ``market_data``."""
        if self._database is None and self._data is None and "database" not in self.__dict__:
            from paperdesk.service.market_data import MarketDataService, build_data_manager
            from paperdesk.store.sqlite_bars import open_current

            writer = open_current(self.settings.database_url_value())
            if writer is not None:
                self._bar_writer = writer
                if self._on_database is not None:
                    self._on_database(writer.describe())
                log.info("ledger: %s", writer.describe())
                data = build_data_manager(
                    settings=self.settings, clock=self.clock,
                    cache=self._market_cache(writer.url), writer=writer,
                )  # fmt: skip
                return MarketDataService(self.settings, manager=data, clock=self.clock)
        return self.market_data

    @cached_property
    def outbox(self) -> OutboxService:
        """The committed events the streams send, and the wake-ups between processes."""
        from paperdesk.service.outbox import OutboxService, wake_channel

        settings = self.settings
        return OutboxService(
            self.database,
            redis_url=settings.redis_url_value(),
            channel=wake_channel(settings.redis_prefix_for(self.database.url)),
            poll_seconds=settings.stream_poll_seconds,
        )

    @cached_property
    def transfers(self) -> TransferService:
        """A portfolio's export and import (folders for the CLI, zip archives for the API)."""
        from paperdesk.service.transfers import TransferService

        return TransferService(self.database, attachments_home=self.settings.home / "imports")

    @cached_property
    def api_keys(self) -> ApiKeyService:
        from paperdesk.service.api_keys import ApiKeyService

        return ApiKeyService(self.database)

    @cached_property
    def webhooks(self) -> WebhookService:
        from paperdesk.service.webhooks import WebhookService

        return WebhookService(self.database)

    @cached_property
    def webhook_dispatcher(self) -> WebhookDispatcher:
        """Delivers due webhook events: the worker calls ``deliver_due(now)`` each interval."""
        from paperdesk.service.webhook_delivery import WebhookDispatcher

        return WebhookDispatcher(self.database)

    @cached_property
    def operations(self) -> OperationsService:
        from paperdesk.service.operations import OperationsService
        from paperdesk.settings import hide_password

        return OperationsService(
            lambda: self.database, self.settings.redis_url_value(), hide_password
        )

    @cached_property
    def jobs(self) -> JobRegistry:
        """Background jobs of this process (long simulations, walk-forwards) for the API."""
        from paperdesk.service.jobs import JobRegistry

        return JobRegistry()

    def close(self) -> None:
        """Close what this container opened (a database handed in stays open)."""
        if "webhook_dispatcher" in self.__dict__:
            self.webhook_dispatcher.close()
        if "jobs" in self.__dict__:
            self.jobs.close()
        if self._owns_database and "database" in self.__dict__:
            self.database.close()
        if self._bar_writer is not None:
            self._bar_writer.close()
            self._bar_writer = None
