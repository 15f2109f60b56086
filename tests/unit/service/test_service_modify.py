"""Modifying an order passes the checks placing it would: no short sale in a long-only
portfolio, whole lots, no buy beyond the cash. A refused change writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger_support import dump
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import InvalidInputError, OrderType, Side
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database
from quiet_strategy import QUIET


def _holding_five(database: Database) -> tuple[PortfolioService, int, str]:
    """A quiet replay portfolio holding 5 SPY, with a resting limit sell of 5 (its id)."""
    service = PortfolioService(database)
    settings = RunConfig(
        **QUIET,  # trades by hand only (buy-and-hold would buy on the replay's first bar)
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
    )
    portfolio_id = service.create_portfolio("m", Decimal("10000"), settings=settings)
    service.tick(portfolio_id, "SPY")
    service.place_order(portfolio_id, OrderRequest("SPY", Side.BUY, Decimal("5")))
    service.tick(portfolio_id, "SPY")
    sell = OrderRequest(
        "SPY", Side.SELL, Decimal("5"), OrderType.LIMIT, limit_price=Decimal("9999")
    )
    (order,) = service.place_order(portfolio_id, sell)
    return service, portfolio_id, order.order_id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": Decimal("12")}, "cannot sell 12 SPY: the portfolio holds 5"),
        ({"quantity": Decimal("2.5")}, "not a whole number of SPY lots"),
        ({"quantity": Decimal("0")}, "must be positive"),
    ],
)
def test_a_sell_cannot_be_modified_into_a_short(
    database: Database, changes: dict[str, Decimal], message: str
) -> None:
    service, portfolio_id, order_id = _holding_five(database)
    before = dump(database)
    with pytest.raises(InvalidInputError, match=message):
        service.modify_order(portfolio_id, order_id, **changes)
    assert dump(database) == before


def test_a_sell_can_be_reduced_and_repriced(database: Database) -> None:
    service, portfolio_id, order_id = _holding_five(database)
    order = service.modify_order(
        portfolio_id, order_id, quantity=Decimal("3"), limit_price=Decimal("300")
    )
    assert (order.quantity, order.limit_price) == (Decimal("3"), Decimal("300"))


def test_a_buy_cannot_be_modified_beyond_the_cash(database: Database) -> None:
    service, portfolio_id, _ = _holding_five(database)
    buy = OrderRequest("SPY", Side.BUY, Decimal("1"), OrderType.LIMIT, limit_price=Decimal("100"))
    (order,) = service.place_order(portfolio_id, buy)
    before = dump(database)
    with pytest.raises(InvalidInputError, match="insufficient cash"):
        service.modify_order(portfolio_id, order.order_id, quantity=Decimal("1000"))
    assert dump(database) == before


def test_a_manual_order_before_the_replay_starts_is_refused(database: Database) -> None:
    service = PortfolioService(database)
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2))
    )
    portfolio_id = service.create_portfolio("early", Decimal("10000"), settings=settings)
    before = dump(database)
    with pytest.raises(InvalidInputError, match="replay has not started: run a tick first"):
        service.place_order(portfolio_id, OrderRequest("SPY", Side.BUY, Decimal("1")))
    assert dump(database) == before


def test_prices_must_be_whole_ticks(database: Database) -> None:
    service, portfolio_id, order_id = _holding_five(database)
    before = dump(database)
    with pytest.raises(InvalidInputError, match=r"limit price 300.005 is not a whole tick"):
        service.modify_order(portfolio_id, order_id, limit_price=Decimal("300.005"))
    off_tick = OrderRequest(
        "SPY", Side.BUY, Decimal("1"), OrderType.LIMIT, limit_price=Decimal("1E-7")
    )
    with pytest.raises(InvalidInputError, match="not a whole tick of SPY"):
        service.place_order(portfolio_id, off_tick)
    assert dump(database) == before
