"""Limit orders under a forex spread (``--spread-pips``) and no quote: a buy limit triggers and
fills against the ask (bar price plus half the spread, rounded up to the tick), a sell limit
against the bid; never worse than the limit, at the better ask or bid when the bar gaps through;
market-like fills still pay the half spread as slippage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import Bar, OrderFilled, OrderRole, OrderType, Side
from paperdesk.execution import FixedBasisPoints
from paperdesk.execution.costs import BySpreadOrBasisPoints
from paperdesk.execution.slippage import HalfSpread

from ._support import ExecutionDesk, before, make_bar, make_intent, make_manager

D = Decimal
ONE_PIP = BySpreadOrBasisPoints(HalfSpread(D(1)), FixedBasisPoints(D(5)))  # half: 0.00005


def fills(events: list[object]) -> list[OrderFilled]:
    return [event for event in events if isinstance(event, OrderFilled)]


def bar(index: int = 0, open_: str = "1.16890", high: str = "1.17000", low: str = "1.16850") -> Bar:
    return make_bar(index, open_, high, low, "1.16900", symbol="EURUSD")


def limit_fill(
    side: Side, limit: str, order_type: OrderType = OrderType.LIMIT, stop: str | None = None
) -> OrderFilled | None:
    manager = make_manager(slippage_model=ONE_PIP)
    intent = make_intent(side, "10000", order_type, limit=limit, stop=stop, symbol="EURUSD")
    manager.submit(intent, before(0))
    found = fills(manager.on_bar(bar()))
    return found[0] if found else None


def test_a_buy_limit_fills_at_its_limit_when_the_ask_reaches_it() -> None:
    # ask low 1.16855 <= 1.16860: filled at the limit, no slippage on top
    filled = limit_fill(Side.BUY, "1.16860")
    assert filled is not None
    assert (filled.fill.price, filled.fill.slippage) == (D("1.16860"), 0)


def test_a_buy_limit_the_mid_reaches_but_the_ask_does_not_stays_working() -> None:
    # the bar's low 1.16850 is below 1.16852, its ask low 1.16855 is not
    assert limit_fill(Side.BUY, "1.16852") is None


def test_a_buy_limit_gapped_through_fills_at_the_ask_open() -> None:
    # the open 1.16890 is below the limit: filled at the ask open 1.16895, not the bar's open
    filled = limit_fill(Side.BUY, "1.16950")
    assert filled is not None
    assert filled.fill.price == D("1.16895")
    assert filled.fill.ts == bar().ts_open


def test_a_buy_limit_never_fills_above_its_limit() -> None:
    # the ask open 1.16895 is above a limit at the open 1.16890; the ask low reaches it
    filled = limit_fill(Side.BUY, "1.16890")
    assert filled is not None
    assert filled.fill.price == D("1.16890")


@pytest.mark.parametrize(("limit", "price"), [("1.16990", "1.16990"), ("1.16800", "1.16885")])
def test_a_sell_limit_trades_the_bid(limit: str, price: str) -> None:
    # bid high 1.16995 reaches 1.16990; a limit below the bid open 1.16885 gaps through to it
    filled = limit_fill(Side.SELL, limit)
    assert filled is not None
    assert filled.fill.price == D(price)


def test_a_sell_limit_the_mid_reaches_but_the_bid_does_not_stays_working() -> None:
    assert limit_fill(Side.SELL, "1.16998") is None  # high 1.17000, bid high 1.16995


def test_a_stop_limit_triggers_and_fills_on_the_ask() -> None:
    # the bar's high 1.17000 is below the stop 1.17003, its ask high 1.17005 is not
    filled = limit_fill(Side.BUY, "1.17010", OrderType.STOP_LIMIT, stop="1.17003")
    assert filled is not None
    assert filled.fill.price == D("1.17003")


def test_a_market_order_still_pays_half_the_spread_as_slippage() -> None:
    manager = make_manager(slippage_model=ONE_PIP)
    manager.submit(make_intent(Side.BUY, "10000", symbol="EURUSD"), before(0))
    [filled] = fills(manager.on_bar(bar()))
    assert (filled.fill.price, filled.fill.slippage) == (D("1.16895"), D("0.00005"))


def long_bracket(stop_loss: str, take_profit: str, open_: str) -> tuple[ExecutionDesk, D]:
    """A long of 10,000 EURUSD with its legs, entered on a narrow bar 0 opening at ``open_``
    (no leg touched); the entry's fill price."""
    manager = make_manager(slippage_model=ONE_PIP)
    entry = make_intent(
        Side.BUY, "10000", symbol="EURUSD", stop_loss=stop_loss, take_profit=take_profit
    )
    manager.submit(entry, before(0))
    low, high = D(open_) - D("0.00005"), D(open_) + D("0.00005")
    narrow = make_bar(0, open_, str(high), str(low), open_, symbol="EURUSD")
    [entered] = fills(manager.on_bar(narrow))
    return manager, entered.fill.price


def test_a_take_profit_trades_the_bid_and_a_stop_loss_the_bar() -> None:
    manager, entry_price = long_bracket("1.16000", "1.16998", "1.16890")
    assert entry_price == D("1.16895")
    assert fills(manager.on_bar(bar(1))) == []  # high 1.17000, bid high 1.16995 < 1.16998
    [target] = fills(manager.on_bar(bar(2, high="1.17010")))  # bid high 1.17005
    assert target.fill.price == D("1.16998")
    assert manager.get(target.fill.order_id).role is OrderRole.TAKE_PROFIT


def test_a_bar_touching_both_legs_reads_the_target_on_the_bid() -> None:
    manager, _ = long_bracket("1.16860", "1.16880", "1.16870")
    # opens at 1.16890 (through the target), bid open 1.16885 >= 1.16880: the target, at the bid
    [target] = fills(manager.on_bar(bar(1)))
    assert manager.get(target.fill.order_id).role is OrderRole.TAKE_PROFIT
    assert target.fill.price == D("1.16885")
