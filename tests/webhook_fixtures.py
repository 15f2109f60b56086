"""A replayed SPY portfolio that buys and then closes by hand (bundled lean_SPY_1d.csv), so the
outbox holds fills, a closed trade and events a webhook does not ask for; and a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from paperdesk.config import RiskConfig, RunConfig, SourceConfig
from paperdesk.domain import Side
from paperdesk.service import Services
from paperdesk.service.portfolios import OrderRequest
from quiet_strategy import QUIET

SECRET = "whsec_test-secret-of-the-receiver"


def replay_portfolio(services: Services, name: str = "hooked") -> int:
    """A portfolio replaying SPY from 2020-01-02, one bar processed."""
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2)), **QUIET
    )
    portfolio = services.portfolios.create_portfolio(name, Decimal(10000), settings=settings)
    services.portfolios.tick(portfolio, "SPY")
    return portfolio


def both_ways_portfolio(services: Services, name: str = "both ways") -> int:
    """A replay of SPY from 2020-01-02 that may sell short, one bar processed."""
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        **QUIET,
    )
    portfolio = services.portfolios.create_portfolio(name, Decimal(10000), settings=settings)
    services.portfolios.tick(portfolio, "SPY")
    return portfolio


def short_round_trip(services: Services, portfolio: int) -> None:
    """Sell 2 SPY short (filled on the next bar), then buy them back (filled on the one after)."""
    for side in (Side.SELL, Side.BUY):
        services.portfolios.place_order(portfolio, OrderRequest("SPY", side, Decimal(2)))
        services.portfolios.tick(portfolio, "SPY")


def round_trip(services: Services, portfolio: int) -> None:
    """Buy 3 SPY (filled on the next bar), then close the position (filled on the one after):
    two ``order.filled`` events and one ``position.closed``, among others."""
    request = OrderRequest("SPY", Side.BUY, Decimal(3))
    services.portfolios.place_order(portfolio, request)
    services.portfolios.tick(portfolio, "SPY")
    services.portfolios.close_position(portfolio, "SPY")
    services.portfolios.tick(portfolio, "SPY")


class Clock:
    """A clock the test moves by hand: backoff is checked without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
