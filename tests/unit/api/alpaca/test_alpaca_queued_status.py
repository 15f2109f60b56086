"""Alpaca's ``accepted`` status read by the official alpaca-py client (SQLite and PostgreSQL,
a fixed clock): a working order none of which has filled is ``accepted`` (received, not routed
yet) while its market is closed at the portfolio's clock, intraday and daily portfolios alike,
and ``new`` once the market opens; a 24/7 market is never closed; an extended-session
portfolio is judged by its extended hours. The trade_updates messages say the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.models import Order, TradeUpdate
from alpaca.trading.requests import GetOrdersRequest, LimitOrderRequest, MarketOrderRequest

from paperdesk.api.alpaca.trade_updates import trade_update_messages
from paperdesk.config import RunConfig
from paperdesk.config.run import ExecutionConfig, TradingSession
from paperdesk.data.clock import FixedClock
from paperdesk.service import Services
from paperdesk.service.alpaca_support import closed_markets, order_events
from paperdesk.store import Database
from stream_support import serving

SATURDAY = datetime(2024, 12, 7, 15, 0, tzinfo=UTC)
MONDAY_PRE_MARKET = datetime(2024, 12, 9, 11, 0, tzinfo=UTC)  # 06:00 New York
MONDAY_IN_SESSION = datetime(2024, 12, 9, 15, 0, tzinfo=UTC)  # 10:00 New York


class Desk:
    """alpaca-py clients, one a portfolio, against a served paperdesk on a fixed clock."""

    def __init__(self, services: Services, base: str) -> None:
        self.services = services
        self.base = base
        self.portfolios: dict[str, int] = {}
        self.clients: dict[str, TradingClient] = {}

    @property
    def clock(self) -> FixedClock:
        clock = self.services.clock
        assert isinstance(clock, FixedClock)
        return clock

    def add(self, name: str, settings: RunConfig) -> TradingClient:
        portfolio = self.services.portfolios.create_portfolio(
            name, Decimal(100000), settings=settings
        )
        token = self.services.api_keys.create(f"alpaca-{name}", "trade", [portfolio]).token
        self.portfolios[name] = portfolio
        self.clients[name] = TradingClient(
            f"alpaca-{name}", token, url_override=f"{self.base}/alpaca"
        )
        return self.clients[name]


@pytest.fixture
def desk(database: Database) -> Iterator[Desk]:
    services = Services(database=database, clock=FixedClock(SATURDAY))
    with serving(services) as url:
        yield Desk(services, url.replace("ws", "http", 1))


def day_order(symbol: str = "SPY", quantity: float = 1) -> MarketOrderRequest:
    return MarketOrderRequest(
        symbol=symbol, qty=quantity, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
    )


def listed(client: TradingClient) -> list[Order]:
    orders = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN))
    assert isinstance(orders, list)
    return orders


@pytest.mark.parametrize("timeframe", ["1h", "1d"])
def test_an_order_queued_while_closed_is_accepted_then_new_at_the_open(
    desk: Desk, timeframe: str
) -> None:
    client = desk.add("spy", RunConfig(symbols=("SPY",), timeframe=timeframe))
    placed = client.submit_order(day_order())
    assert isinstance(placed, Order)
    resting = client.submit_order(
        LimitOrderRequest(
            symbol="SPY", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=1
        )
    )
    assert isinstance(resting, Order)
    assert placed.status == resting.status == OrderStatus.ACCEPTED
    assert client.get_order_by_id(placed.id).status == OrderStatus.ACCEPTED
    assert [order.status for order in listed(client)] == [OrderStatus.ACCEPTED] * 2

    desk.clock.set(MONDAY_IN_SESSION)
    assert client.get_order_by_id(placed.id).status == OrderStatus.NEW
    assert [order.status for order in listed(client)] == [OrderStatus.NEW] * 2


def test_a_24_7_market_is_never_closed(desk: Desk) -> None:
    client = desk.add("coin", RunConfig(symbols=("BTCUSD",), timeframe="1m"))
    placed = client.submit_order(day_order("BTCUSD", 0.01))
    assert isinstance(placed, Order)
    assert placed.status == OrderStatus.NEW
    assert client.get_order_by_id(placed.id).status == OrderStatus.NEW


def test_an_extended_session_portfolio_is_judged_by_its_extended_hours(desk: Desk) -> None:
    regular = desk.add("regular", RunConfig(symbols=("SPY",), timeframe="1h"))
    extended = desk.add(
        "extended",
        RunConfig(
            symbols=("SPY",),
            timeframe="1h",
            execution=ExecutionConfig(session=TradingSession.EXTENDED),
        ),
    )
    desk.clock.set(MONDAY_PRE_MARKET)
    before_the_open = regular.submit_order(day_order())
    pre_market = extended.submit_order(day_order())
    assert isinstance(before_the_open, Order)
    assert isinstance(pre_market, Order)
    assert (before_the_open.status, pre_market.status) == (OrderStatus.ACCEPTED, OrderStatus.NEW)


def test_trade_updates_announce_a_queued_order_as_accepted(desk: Desk) -> None:
    client = desk.add("stream", RunConfig(symbols=("SPY",), timeframe="1h"))
    queued = client.submit_order(day_order())
    desk.clock.set(MONDAY_IN_SESSION)
    routed = client.submit_order(day_order())
    assert isinstance(queued, Order)
    assert isinstance(routed, Order)
    portfolio = desk.portfolios["stream"]
    found, _ = order_events(desk.services, portfolio, 0)
    closed_at, _ = closed_markets(desk.services, portfolio)
    updates = [
        TradeUpdate(**message["data"])
        for message in trade_update_messages(portfolio, found, closed_at)
    ]
    seen = [(str(update.event), update.order.id, update.order.status) for update in updates]
    assert seen == [
        ("accepted", queued.id, OrderStatus.ACCEPTED),
        ("new", routed.id, OrderStatus.NEW),
    ]
    # without a judge of market hours every accepted order is announced as before
    plain = [message["data"]["event"] for message in trade_update_messages(portfolio, found)]
    assert plain == ["new", "new"]
