"""The proof of issue 11's Alpaca item: the official alpaca-py SDK (TradingClient and
TradingStream, unchanged but for the base URL and keys) trades a replayed SPY portfolio through
a real paperdesk server (uvicorn on a free 127.0.0.1 port), on SQLite and PostgreSQL.

Fills are driven by the replay's ticks (``services.portfolios.tick``), on the bundled
lean_SPY_1d.csv: the orders are placed after the 2020-01-02 bar closed, so a market order fills
at the 2020-01-03 open, 321.19, plus 5 bps slippage rounded against the buyer to the 0.01 tick:
321.36 (the figure tests/unit/api/test_api_orders.py derives).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderClass, OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.models import TradeUpdate
from alpaca.trading.requests import (
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLossRequest,
    TakeProfitRequest,
)
from alpaca.trading.stream import TradingStream

from paperdesk.api import create_app
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.service import Services
from paperdesk.store import Database
from quiet_strategy import QUIET
from table_dump import dump_all_tables

WAIT_SECONDS = 60.0  # a bound against hanging, never a speed claim
CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]


@dataclass
class Server:
    services: Services
    app: Any
    base: str
    portfolio: int
    key_name: str
    token: str

    def client(self) -> TradingClient:
        return TradingClient(self.key_name, self.token, url_override=f"{self.base}/alpaca")

    def listening(self) -> int:
        [mount] = [r for r in self.app.routes if getattr(r, "path", "") == "/alpaca"]
        counts = getattr(mount.app.state, "alpaca_streams", None)
        return 0 if counts is None else int(counts.listening)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def replay_portfolio(services: Services) -> tuple[int, str]:
    """A portfolio replaying SPY whose clock stands after the 2020-01-02 bar, and the token
    of a trade key limited to it, named ``alpaca-bot``."""
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2)), **QUIET
    )
    portfolio = services.portfolios.create_portfolio("bot", Decimal(10000), settings=settings)
    services.portfolios.tick(portfolio, "SPY")
    return portfolio, services.api_keys.create("alpaca-bot", "trade", [portfolio]).token


@pytest.fixture
def server(database: Database) -> Iterator[Server]:
    services = Services(database=database)
    portfolio, token = replay_portfolio(services)
    app = create_app(services)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [listener]})
    thread.start()
    wait_until(lambda: uvicorn_server.started, "the server to start")
    try:
        yield Server(services, app, f"http://127.0.0.1:{port}", portfolio, "alpaca-bot", token)
    finally:
        uvicorn_server.should_exit = True
        thread.join(WAIT_SECONDS)
        listener.close()


class Updates:
    """The trade updates a TradingStream received, in a thread of its own."""

    def __init__(self, server: Server) -> None:
        self.received: list[TradeUpdate] = []
        self.stream = TradingStream(
            server.key_name,
            server.token,
            url_override=server.base.replace("http", "ws", 1) + "/alpaca/stream",
        )
        self.stream.subscribe_trade_updates(self._on_update)
        self.thread = threading.Thread(target=self.stream.run, daemon=True)

    async def _on_update(self, update: TradeUpdate) -> None:
        self.received.append(update)

    def events(self) -> list[tuple[str, str]]:
        return [(str(u.event), u.order.client_order_id) for u in self.received]


def test_an_alpaca_py_bot_trades_and_streams_against_paperdesk(server: Server) -> None:
    client = server.client()
    account = client.get_account()
    assert (account.cash, account.equity, account.status) == ("10000", "10000", "ACTIVE")

    updates = Updates(server)
    updates.thread.start()
    wait_until(lambda: server.listening() == 1, "the trade_updates subscription")

    market = client.submit_order(
        MarketOrderRequest(
            symbol="SPY",
            qty=3,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.DAY,
            client_order_id="market-1",
        )
    )
    # the replay's clock stands at the 2020-01-02 close: Alpaca's "received, not routed yet"
    queued = (OrderStatus.ACCEPTED, "3", "market-1")
    assert (market.status, market.qty, market.client_order_id) == queued
    limit = client.submit_order(
        LimitOrderRequest(
            symbol="SPY",
            qty=1,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            limit_price=300.5,
            client_order_id="limit-1",
        )
    )
    assert (limit.limit_price, limit.order_class) == ("300.5", OrderClass.SIMPLE)
    bracket = client.submit_order(
        LimitOrderRequest(
            symbol="SPY",
            qty=2,
            side=OrderSide.BUY,
            time_in_force=TimeInForce.GTC,
            limit_price=280,
            order_class=OrderClass.BRACKET,
            take_profit=TakeProfitRequest(limit_price=340.25),
            stop_loss=StopLossRequest(stop_price=250),
            client_order_id="bracket-1",
        )
    )
    assert bracket.order_class == OrderClass.BRACKET
    assert bracket.legs is not None
    assert [(leg.type, leg.limit_price, leg.stop_price, leg.status) for leg in bracket.legs] == [
        ("stop", None, "250", OrderStatus.HELD),
        ("limit", "340.25", None, OrderStatus.HELD),
    ]

    before = dump_all_tables(server.services.database.url)
    with pytest.raises(APIError) as duplicate:
        client.submit_order(
            MarketOrderRequest(
                symbol="SPY",
                qty=1,
                side=OrderSide.BUY,
                time_in_force=TimeInForce.DAY,
                client_order_id="market-1",
            )
        )
    assert (duplicate.value.status_code, duplicate.value.code) == (422, 40010001)
    assert "market-1" in duplicate.value.message
    assert dump_all_tables(server.services.database.url) == before

    listed = client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, direction="asc"))
    assert [o.client_order_id for o in listed][:3] == ["market-1", "limit-1", "bracket-1"]
    assert client.get_order_by_id(limit.id).client_order_id == "limit-1"
    assert client.get_order_by_client_id("bracket-1").id == bracket.id

    replaced = client.replace_order_by_id(limit.id, ReplaceOrderRequest(limit_price=301))
    assert (replaced.id, replaced.limit_price, replaced.status) == (
        limit.id,
        "301",
        OrderStatus.ACCEPTED,
    )
    client.cancel_order_by_id(limit.id)
    assert client.get_order_by_id(limit.id).status == OrderStatus.CANCELED
    with pytest.raises(APIError) as again:
        client.cancel_order_by_id(limit.id)
    assert (again.value.status_code, again.value.code) == (422, 42210000)

    server.services.portfolios.tick(server.portfolio, "SPY")  # 2020-01-03: the market order fills
    filled = client.get_order_by_id(market.id)
    assert (filled.status, filled.filled_qty, filled.filled_avg_price) == (
        OrderStatus.FILLED,
        "3",
        "321.36",
    )
    [position] = client.get_all_positions()
    assert (position.symbol, position.qty, position.avg_entry_price, position.side) == (
        "SPY",
        "3",
        "321.36",
        "long",
    )
    assert client.get_open_position("SPY").cost_basis == str(Decimal("321.36") * 3)
    account = client.get_account()
    assert Decimal(account.cash) == Decimal(10000) - Decimal("321.36") * 3

    closing = client.close_position("SPY")
    assert (closing.side, closing.qty, closing.type, closing.status) == (
        OrderSide.SELL,
        "3",
        "market",
        OrderStatus.ACCEPTED,
    )
    server.services.portfolios.tick(server.portfolio, "SPY")  # 2020-01-06: the close fills
    assert client.get_all_positions() == []

    closing_id = closing.client_order_id
    wait_until(lambda: ("fill", closing_id) in updates.events(), "the closing fill's update")
    updates.stream.stop()
    events = updates.events()
    assert events == [
        ("accepted", "market-1"),
        ("accepted", "limit-1"),
        ("accepted", "bracket-1"),
        ("new", bracket.legs[0].client_order_id),
        ("new", bracket.legs[1].client_order_id),
        ("replaced", "limit-1"),
        ("canceled", "limit-1"),
        ("fill", "market-1"),
        ("canceled", "bracket-1"),
        ("canceled", bracket.legs[0].client_order_id),
        ("canceled", bracket.legs[1].client_order_id),
        ("accepted", closing_id),
        ("fill", closing_id),
    ], events
    fill = updates.received[7]
    assert (fill.price, fill.qty, fill.position_qty) == (321.36, 3, 3)
    assert fill.order.id == market.id


# Concurrent order placements on PostgreSQL: the service holds a pooled connection for the
# order's transaction (waiting on the portfolio's row lock) and the lock holder opens a second
# one to read bars, so more concurrent placements than the pool holds (2 + 4 overflow) starve
# it (a 30 s pool timeout, then a 500) on every API, not only this one: reported, kept out of
# this test, which stays within the pool.
CONCURRENT_BOTS = 4


def test_concurrent_retries_of_one_client_order_id_place_one_order(server: Server) -> None:
    """Bots send the same order with the same client order id at once (a retry storm):
    exactly one is placed, the others get Alpaca's duplicate refusal, never a server error."""
    request = MarketOrderRequest(
        symbol="SPY",
        qty=1,
        side=OrderSide.BUY,
        time_in_force=TimeInForce.DAY,
        client_order_id="retried",
    )
    outcomes: list[object] = []
    start = threading.Barrier(CONCURRENT_BOTS)

    def submit() -> None:
        client = server.client()
        start.wait()
        try:
            outcomes.append(client.submit_order(request).client_order_id)
        except APIError as error:
            outcomes.append((error.status_code, error.code))

    threads = [threading.Thread(target=submit) for _ in range(CONCURRENT_BOTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert sorted(outcomes, key=str) == sorted(
        ["retried"] + [(422, 40010001)] * (CONCURRENT_BOTS - 1), key=str
    )
    orders = server.services.portfolios.orders(server.portfolio)
    assert [o.client_order_id for o in orders] == ["retried"]


def test_alpaca_py_trades_against_a_running_paperdesk_serve(tmp_path: Path) -> None:
    """The command a user runs: ``paperdesk serve`` in its own process on a SQLite ledger the
    test shares; the replay's tick (run here) fills the bot's order, and the bot's stream and
    positions show it."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    database = Database(url)
    services = Services(database=database)
    portfolio, token = replay_portfolio(services)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "PAPERDESK_HOME": str(tmp_path), "DATABASE_URL": url}
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    client = TradingClient("alpaca-bot", token, url_override=f"{base}/alpaca")
    try:
        wait_until(lambda: _answers(client) or process.poll() is not None, "paperdesk serve")
        assert process.poll() is None, process.communicate()
        updates: list[TradeUpdate] = []

        async def on_update(update: TradeUpdate) -> None:
            updates.append(update)

        stream = TradingStream(
            "alpaca-bot", token, url_override=f"ws://127.0.0.1:{port}/alpaca/stream"
        )
        stream.subscribe_trade_updates(on_update)
        threading.Thread(target=stream.run, daemon=True).start()
        probe_order = MarketOrderRequest(
            symbol="SPY", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
        )
        # The stream's subscription is not visible from another process: orders placed (one
        # every half second, at most 20: the cash pays for 25) until the first update arrives
        # prove it listens; each is a real order and every one of them fills below.
        for _ in range(20):
            client.submit_order(probe_order)
            time.sleep(0.5)
            if updates:
                break
        assert updates, "the stream never delivered an update"
        services.portfolios.tick(portfolio, "SPY")
        wait_until(lambda: any(str(u.event) == "fill" for u in updates), "a fill update")
        stream.stop()
        [position] = client.get_all_positions()
        placed = len(services.portfolios.orders(portfolio))
        assert (position.symbol, position.qty) == ("SPY", str(placed))
        fills = [u for u in updates if str(u.event) == "fill"]
        assert {(u.price, u.qty) for u in fills} == {(321.36, 1)}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        database.close()


def _answers(client: TradingClient) -> bool:
    try:
        return client.get_account().status == "ACTIVE"
    except Exception:  # not listening yet
        return False
