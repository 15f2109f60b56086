"""Paging through orders that share a ``submitted_at`` with alpaca-py against a running
paperdesk (uvicorn on 127.0.0.1), SQLite and PostgreSQL. ``until`` is exclusive, as Alpaca
documents it: a bot that pages backwards with ``until=<the last submitted_at>`` skips the orders
of the same moment that did not fit on the page, on Alpaca as here. Alpaca's cursor
``before_order_id`` (``after_order_id`` going forwards) names the last order seen instead, and
pages through every order once; orders of one moment keep the order they were placed in."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, QueryOrderStatus, TimeInForce
from alpaca.trading.models import Order
from alpaca.trading.requests import GetOrdersRequest, MarketOrderRequest
from alpaca_fixtures import NOW

from paperdesk.config import RunConfig
from paperdesk.data.clock import FixedClock
from paperdesk.service import Services
from paperdesk.store import Database
from stream_support import serving

PLACED = 7  # orders submitted at one moment (a fixed clock: one submitted_at for all)


class CursorRequest(GetOrdersRequest):
    """alpaca-py's request with Alpaca's order cursors (alpaca-py 0.44 does not name them)."""

    before_order_id: str | None = None
    after_order_id: str | None = None


@pytest.fixture
def bot(database: Database) -> Iterator[tuple[TradingClient, list[Order]]]:
    services = Services(database=database, clock=FixedClock(NOW))
    settings = RunConfig(symbols=("SPY",))
    portfolio = services.portfolios.create_portfolio("bot", Decimal(10000), settings=settings)
    token = services.api_keys.create("alpaca-bot", "trade", [portfolio]).token
    with serving(services) as url:
        base = url.replace("ws", "http", 1)
        client = TradingClient("alpaca-bot", token, url_override=f"{base}/alpaca")
        placed = [
            client.submit_order(
                MarketOrderRequest(
                    symbol="SPY", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC
                )
            )
            for _ in range(PLACED)
        ]
        yield client, placed  # type: ignore[misc]


def _page(client: TradingClient, **fields: Any) -> list[Order]:
    request = CursorRequest(status=QueryOrderStatus.ALL, limit=3, **fields)
    orders = client.get_orders(filter=request)
    assert isinstance(orders, list)
    return orders


def _walk(client: TradingClient, page: list[Order], cursor: str, **fields: Any) -> list[str]:
    """The ids of ``page`` and of the pages after it, each asked for with ``cursor`` set to
    the last id seen, until an empty page (at most one page an order: a cursor that is not
    read would page forever)."""
    seen: list[str] = []
    for _ in range(PLACED + 1):
        if not page:
            return seen
        seen += [str(order.id) for order in page]
        page = _page(client, **fields, **{cursor: str(page[-1].id)})
    return seen


def test_paging_by_the_order_cursor_gets_every_order_of_one_moment_once(
    bot: tuple[TradingClient, list[Order]],
) -> None:
    client, placed = bot
    assert len({order.submitted_at for order in placed}) == 1
    newest_first = [str(order.id) for order in reversed(placed)]
    # until=<the last submitted_at> (exclusive, as Alpaca's): the orders after the first page
    # share its submitted_at, so none is left
    first = _page(client)
    assert [str(order.id) for order in first] == newest_first[:3]
    assert _page(client, until=first[-1].submitted_at) == []
    # before_order_id=<the last id>: the rest, in the same order, each once
    assert _walk(client, first, "before_order_id") == newest_first
    # forwards: after_order_id with direction asc, oldest first
    oldest = _page(client, direction="asc")
    assert _walk(client, oldest, "after_order_id", direction="asc") == newest_first[::-1]


def test_a_cursor_naming_no_order_or_mixed_with_times_is_refused_by_name(
    bot: tuple[TradingClient, list[Order]],
) -> None:
    client, placed = bot
    last = str(placed[-1].id)
    cases = [
        ({"before_order_id": "00000000-0000-0000-0000-000000000000"}, "before_order_id: no order"),
        ({"before_order_id": last, "after_order_id": last}, "before_order_id and after_order_id"),
        ({"after_order_id": last, "until": NOW}, "after_order_id: not with after or until"),
    ]
    for fields, words in cases:
        with pytest.raises(APIError) as refused:
            _page(client, **fields)
        assert refused.value.status_code == 422
        assert refused.value.code == 40010001
        assert words in str(refused.value)
