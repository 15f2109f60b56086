"""A ``source=live`` portfolio ticked through the service container against the local fake
provider server (``provider_server``), on a simulated clock the test moves.

Yahoo is the first provider and Polygon the second; both serve the real bundled SPY daily bars.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd

from market_fakes import bundled
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.data.clock import SimulatedClock
from paperdesk.domain.records import OutboxEntry
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.service.container import Services
from paperdesk.settings import Settings
from paperdesk.store import Database, SqlBarStore
from provider_server import FakeProviders, Series, provider_server

SPY = bundled("SPY", "1d")
MACD = (StrategySpec("macd-cross"),)


def close_of(label: str) -> datetime:
    """When the SPY bar labelled ``label`` (a trade date) closed."""
    closes = pd.DatetimeIndex(SPY["ts_close"])
    position = int(SPY.index.get_loc(pd.Timestamp(label, tz="UTC")))
    moment: datetime = closes[position].to_pydatetime()
    return moment


def trade_dates(first: str, last: str) -> list[str]:
    """The SPY trade dates from ``first`` to ``last`` (the bars that should trade)."""
    chosen = SPY.index[(SPY.index >= pd.Timestamp(first, tz="UTC"))]
    chosen = chosen[chosen <= pd.Timestamp(last, tz="UTC")]
    return [stamp.date().isoformat() for stamp in chosen]


@dataclass
class LiveDesk:
    """The services, the clock, the fake providers and one live portfolio."""

    services: Services
    clock: SimulatedClock
    providers: FakeProviders
    database: Database
    portfolio_id: int = 0

    def create(self, **source: object) -> int:
        settings = RunConfig(
            symbols=("SPY",), strategies=MACD, source=SourceConfig("live", **source)
        )
        self.portfolio_id = self.services.portfolios.create_portfolio(
            "live desk", Decimal(10000), settings=settings
        )
        return self.portfolio_id

    def tick_at(self, moment: datetime) -> list[BarTick]:
        """Move the clock to ``moment`` and tick SPY as ``paperdesk run`` and the worker do."""
        self.clock.set(moment)
        return self.services.portfolios.tick(self.portfolio_id, "SPY")

    def processed(self) -> list[str]:
        """The trade dates of the bars the portfolio's ticks recorded, in order."""
        runs = self.services.portfolios.tick_runs(self.portfolio_id)
        return [run.ts_bar.date().isoformat() for run in runs]

    def stored(self) -> pd.DataFrame:
        """The SPY bars in the store, with their provenance (source, fetched_at)."""
        return SqlBarStore(self.database).read_bars("SPY", "1d", None, None)

    def feed_events(self) -> list[OutboxEntry]:
        with self.database.reading() as repository:
            entries = repository.outbox(portfolio_id=self.portfolio_id)
        return [entry for entry in entries if entry.kind.startswith("feed.")]


def processed_bars(ticks: list[BarTick]) -> list[str]:
    return [
        tick.ts_bar.date().isoformat()
        for tick in ticks
        if tick.status is TickStatus.PROCESSED and tick.ts_bar is not None
    ]


@contextmanager
def live_desk(
    database: Database, home: Path, start: datetime, **settings: object
) -> Iterator[LiveDesk]:
    """The desk on ``database`` with its home in ``home``, the clock at ``start``."""
    clock = SimulatedClock(start.astimezone(UTC))
    providers = FakeProviders(clock.now, {"SPY": Series(SPY, daily=True)})
    with provider_server(providers) as url:
        chosen = Settings(
            home=home,
            providers="yahoo,polygon",
            yahoo_url=f"{url}/yahoo",
            polygon_url=f"{url}/polygon",
            polygon_api_key="test-key",
            **settings,
        )
        services = Services(chosen, database=database, clock=clock)
        try:
            yield LiveDesk(services, clock, providers, database)
        finally:
            services.close()


AFTER_PUBLISH = timedelta(minutes=5)
