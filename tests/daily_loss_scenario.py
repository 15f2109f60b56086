"""A replay portfolio whose equity fell beyond its daily loss limit today, for the tests of
manual orders meeting the limit (REST, CLI).

SPY's bundled daily bars close at 21:00 UTC, so each tick is a new day: ``HELD`` SPY bought by
hand fill at 2020-01-23's open, and 2020-01-24's 0.9% fall takes about 0.74% of the equity,
beyond ``LIMIT``. No exposure cap, and pyramiding on (a one-click long while long), so the
small entries the tests place meet only the limit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from paperdesk.config import RiskConfig, RunConfig, SourceConfig, SourceKind
from paperdesk.domain import OrderType, Side
from paperdesk.service.order_requests import OrderRequest
from paperdesk.service.portfolios import PortfolioService
from quiet_strategy import QUIET

HELD = Decimal(25)  # about 83% of the cash at SPY's ~330
LIMIT = Decimal("0.5")  # percent of the day's start equity


WORKING_LIMIT = Decimal(100)  # a buy limit far below SPY's ~330: it rests through the fall


class FallenPortfolio(NamedTuple):
    """The portfolio and the equity its day started with (the last tick before the fall's),
    and the id of its resting buy entry when one was asked for."""

    portfolio_id: int
    day_start: Decimal
    working_entry: str | None = None


def replay_with_a_loss(
    portfolios: PortfolioService, limit: Decimal | None, *, working_entry: bool = False
) -> FallenPortfolio:
    """A replay portfolio (daily loss limit ``limit`` percent, or none) holding ``HELD`` SPY,
    its clock at 2020-01-24's close, a day its equity fell; with ``working_entry``, also a buy
    limit of 1 SPY at ``WORKING_LIMIT`` placed before the fall and resting since."""
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig(kind=SourceKind.REPLAY, replay_from=date(2020, 1, 22)),
        risk=RiskConfig(daily_loss_limit_percent=limit, exposure_cap_percent=None, pyramiding=True),
        **QUIET,
    )
    portfolio = portfolios.create_portfolio("fallen", Decimal(10000), settings=settings)
    portfolios.tick(portfolio, "SPY")  # 2020-01-22
    portfolios.place_order(portfolio, OrderRequest("SPY", Side.BUY, HELD))
    resting = None
    if working_entry:
        (order,) = portfolios.place_order(
            portfolio,
            OrderRequest("SPY", Side.BUY, Decimal(1), OrderType.LIMIT, limit_price=WORKING_LIMIT),
        )
        resting = order.order_id
    (rose,) = portfolios.tick(portfolio, "SPY")  # 2020-01-23: filled at the open
    (fell,) = portfolios.tick(portfolio, "SPY")  # 2020-01-24: SPY falls 0.9%
    assert rose.equity is not None
    assert fell.equity is not None
    assert fell.equity < rose.equity * (1 - LIMIT / 100)  # the premise: beyond the limit
    return FallenPortfolio(portfolio, rose.equity, resting)


def money_words(amount: Decimal) -> str:
    """``amount`` as the refusal writes money (``10,023.75``)."""
    return f"{amount:,.2f}"
