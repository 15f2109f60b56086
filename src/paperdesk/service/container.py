"""The service container: built once per process, handed to the CLI, the API and the worker.

``Services`` holds the database, ONE clock shared by the data manager and the runner, the
DataManager (the one door to market data) and the services built on them. Parts are made on
first use, so a command that needs no database (``paperdesk strategies``) opens none.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from paperdesk.service.backtests import BacktestService

if TYPE_CHECKING:
    from paperdesk.data.clock import Clock
    from paperdesk.data.manager import DataManager
    from paperdesk.service.market_data import MarketDataService
    from paperdesk.service.portfolios import PortfolioService
    from paperdesk.store import Database


class Services:
    """The platform's services on one database and one clock (see the module docstring)."""

    def __init__(
        self,
        *,
        database: Database | None = None,
        clock: Clock | None = None,
        data: DataManager | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._data = data
        self._owns_database = database is None

    @cached_property
    def database(self) -> Database:
        if self._database is None:
            from paperdesk.service.admin import open_database

            self._database = open_database()
        return self._database

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
            from paperdesk.data.cache import InProcessCache
            from paperdesk.service.market_data import build_data_manager

            # The runner reads whole histories every tick: an in-process cache serves them
            # faster than decoding them from Redis.
            self._data = build_data_manager(self.database, clock=self.clock, cache=InProcessCache())
        return self._data

    @cached_property
    def portfolios(self) -> PortfolioService:
        from paperdesk.service.portfolios import PortfolioService

        return PortfolioService(self.database, data=self.data, clock=self.clock)

    @cached_property
    def backtests(self) -> BacktestService:
        return BacktestService(lambda: self.data)

    @cached_property
    def market_data(self) -> MarketDataService:
        from paperdesk.service.market_data import MarketDataService

        return MarketDataService(database=self.database, clock=self.clock)

    def close(self) -> None:
        """Close what this container opened (a database handed in stays open)."""
        if self._owns_database and "database" in self.__dict__:
            self.database.close()
