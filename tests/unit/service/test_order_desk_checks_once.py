"""A placement runs the pre-trade checks once: the order desk checks the order before it reads
the portfolio's clock (so a refusal comes before "the replay has not started") and submits the
intent it checked (``TradingKernel.submit_checked``) instead of checking it again at the
clock's time; refusals, their order and what is written stay as they were (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from interpreted import INTERPRETED_ONLY
from ledger_support import dump
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import InvalidInputError, OrderType, Side
from paperdesk.live import FixedClock
from paperdesk.routing.router import SignalRouter
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database

NOW = datetime(2020, 3, 3, 12, tzinfo=UTC)

pytestmark = INTERPRETED_ONLY  # a fake book / a spy: see tests/interpreted.py


def _buy(quantity: str, client_order_id: str | None = None) -> OrderRequest:
    return OrderRequest(
        "SPY",
        Side.BUY,
        Decimal(quantity),
        OrderType.LIMIT,
        limit_price=Decimal(50),
        client_order_id=client_order_id,
    )


@pytest.fixture
def risk_checks(monkeypatch: pytest.MonkeyPatch) -> list[Decimal]:
    """The quantity of every order the risk chain checks, in turn."""
    seen: list[Decimal] = []
    original = SignalRouter.check_order

    def counted(self: SignalRouter, intent: Any, *arguments: Any) -> None:
        seen.append(intent.quantity)
        original(self, intent, *arguments)

    monkeypatch.setattr(SignalRouter, "check_order", counted)
    return seen


def test_a_placement_is_checked_once(database: Database, risk_checks: list[Decimal]) -> None:
    service = PortfolioService(database, clock=FixedClock(NOW))
    portfolio = service.create_portfolio(
        "once", Decimal(10_000), settings=RunConfig(symbols=("SPY",))
    )
    service.place_order(portfolio, _buy("1"))
    service.place_order(portfolio, _buy("2", "mine"))
    with service.order_desk(portfolio, ("SPY",)) as desk:  # a plan's unit: one check an order
        desk.place(_buy("3"))
        desk.place(_buy("4"))
    assert risk_checks == [Decimal(1), Decimal(2), Decimal(3), Decimal(4)]
    orders = service.orders(portfolio)
    assert [order.quantity for order in orders] == [Decimal(n) for n in (1, 2, 3, 4)]


def test_a_refused_order_changes_nothing(database: Database, risk_checks: list[Decimal]) -> None:
    service = PortfolioService(database, clock=FixedClock(NOW))
    portfolio = service.create_portfolio(
        "refused", Decimal(1_000), settings=RunConfig(symbols=("SPY",))
    )
    service.place_order(portfolio, _buy("1"))
    before = dump(database)
    with pytest.raises(InvalidInputError, match="insufficient cash"):
        service.place_order(portfolio, _buy("100"))
    assert dump(database) == before
    assert risk_checks == [Decimal(1), Decimal(100)]


def test_a_refusal_still_comes_before_the_replays_clock(
    database: Database, risk_checks: list[Decimal]
) -> None:
    service = PortfolioService(database)
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2))
    )
    portfolio = service.create_portfolio("early", Decimal(1_000), settings=settings)
    before = dump(database)
    with pytest.raises(InvalidInputError, match="insufficient cash"):
        service.place_order(portfolio, _buy("100"))
    with pytest.raises(InvalidInputError, match="replay has not started: run a tick first"):
        service.place_order(portfolio, _buy("1"))
    assert dump(database) == before
    assert risk_checks == [Decimal(100), Decimal(1)]
