"""What the Alpaca endpoint reads beside the portfolio service: the market clock from the
XNYS calendar, the known instruments, and a portfolio's order events from the outbox (only its
own, only after a sequence, in sequence order)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperdesk.config import RunConfig
from paperdesk.data.clock import FixedClock
from paperdesk.domain import Side, UnknownNameError
from paperdesk.service import Services
from paperdesk.service.alpaca_support import (
    known_asset,
    known_assets,
    latest_sequence,
    market_clock,
    order_events,
)
from paperdesk.service.order_requests import OrderRequest
from paperdesk.store import Database

SATURDAY = datetime(2024, 7, 6, 12, 0, tzinfo=UTC)


def test_the_clock_on_a_weekend_names_mondays_session() -> None:
    clock = market_clock(Services(clock=FixedClock(SATURDAY)), "SPY")
    assert (clock.timestamp, clock.is_open) == (SATURDAY, False)
    assert clock.next_open == datetime(2024, 7, 8, 13, 30, tzinfo=UTC)  # 9:30 New York (EDT)
    assert clock.next_close == datetime(2024, 7, 8, 20, 0, tzinfo=UTC)


def test_known_assets_are_the_symbol_table_and_the_portfolios_symbols() -> None:
    symbols = [i.symbol for i in known_assets()]
    assert "SPY" in symbols
    assert symbols == sorted(symbols)
    assert known_asset(" spy ").symbol == "SPY"
    with pytest.raises(UnknownNameError, match="ZZTOP"):
        known_asset("ZZTOP")
    assert known_asset("ZZTOP", ("ZZTOP",)).symbol == "ZZTOP"


def test_order_events_are_the_portfolios_own_after_a_sequence(database: Database) -> None:
    services = Services(database=database)
    portfolios = services.portfolios
    mine = portfolios.create_portfolio("mine", Decimal(10000), settings=RunConfig(symbols=("SPY",)))
    theirs = portfolios.create_portfolio(
        "theirs", Decimal(10000), settings=RunConfig(symbols=("SPY",))
    )
    start = latest_sequence(services, mine)
    assert start > 0  # its creation is an outbox event
    assert order_events(services, mine, start) == ([], start)
    order = OrderRequest("SPY", Side.BUY, Decimal(1), client_order_id="mine-1")
    portfolios.place_order(mine, order)
    portfolios.place_order(theirs, OrderRequest("SPY", Side.BUY, Decimal(1)))
    portfolios.cancel_order(mine, "O1")
    found, after = order_events(services, mine, start)
    assert [(e.kind, e.payload["order"]["client_order_id"]) for e in found] == [
        ("order.accepted", "mine-1"),
        ("order.canceled", "mine-1"),
    ]
    assert {e.portfolio_id for e in found} == {mine}
    assert [e.sequence for e in found] == sorted(e.sequence for e in found)
    assert after == found[-1].sequence == latest_sequence(services, mine)
    assert order_events(services, mine, after) == ([], after)
