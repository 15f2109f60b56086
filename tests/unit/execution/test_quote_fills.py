"""Fills on quoted bars: buys at the ask, sells at the bid, triggers on the side that trades,
no slippage on top of a quoted price; bars without a quote fill as before."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from paperdesk.data import find_bundled, find_bundled_quotes, load_bars, merge_quotes, read_quotes
from paperdesk.data.bar_convert import bar_at
from paperdesk.domain import Bar, OrderFilled, OrderType, Quote, Side
from paperdesk.execution import FixedBasisPoints

from ._support import SYMBOL, before, make_bar, make_intent, make_manager

D = Decimal
SPY_RTH_OPEN = pd.Timestamp("2013-10-07 13:30", tz="UTC")  # 09:30 New York


def fills(events: list[object]) -> list[OrderFilled]:
    return [event for event in events if isinstance(event, OrderFilled)]


@pytest.fixture(scope="module")
def spy_minutes() -> pd.DataFrame:
    """Lean's SPY trade minutes with their quote minutes (bundled, raw prices)."""
    quotes = find_bundled_quotes("SPY", "1m")
    assert quotes is not None
    return merge_quotes(load_bars(find_bundled("SPY", "1m")), read_quotes(quotes))


def spy_bar(frame: pd.DataFrame, label: pd.Timestamp) -> Bar:
    """The SPY bar at ``label``, under the test book's equity symbol."""
    return bar_at(frame, int(frame.index.get_loc(label)))._replace(symbol=SYMBOL)


def quoted(bar: Bar, quote: tuple[str, ...]) -> Bar:
    return bar._replace(quote=Quote(*(D(value) for value in quote)))


def test_the_real_0930_bar_carries_its_quote(spy_minutes: pd.DataFrame) -> None:
    # lean_SPY_1m.csv 2013-10-07T13:30:00Z,167.43,167.52,167.41,167.44,816453 and
    # lean_SPY_1m_quotes.csv ...,167.41,167.52,167.41,167.44,4400,167.41,167.53,167.41,167.45,1400
    bar = spy_bar(spy_minutes, SPY_RTH_OPEN)
    assert (bar.open, bar.close) == (D("167.43"), D("167.44"))
    assert bar.quote == Quote(
        D("167.41"), D("167.52"), D("167.41"), D("167.44"), D("4400"),
        D("167.41"), D("167.53"), D("167.41"), D("167.45"), D("1400"),
    )  # fmt: skip


@pytest.mark.parametrize(("side", "price"), [(Side.BUY, "167.45"), (Side.SELL, "167.44")])
def test_market_order_at_the_close_fills_at_the_ask_or_bid_close(
    spy_minutes: pd.DataFrame, side: Side, price: str
) -> None:
    # Lean's BasicTemplateAlgorithm buys its 688 SPY at this bar's ask close, 167.45 (raw);
    # the trade close is 167.44, the bid close 167.44. 5 bps slippage is not added on top.
    bar = spy_bar(spy_minutes, SPY_RTH_OPEN)
    manager = make_manager(slippage_model=FixedBasisPoints(D(5)))
    [accepted] = manager.submit(make_intent(side, "688"), bar.ts_close)
    [filled] = fills(manager.fill_at_close(accepted.order.order_id, bar))
    assert filled.fill.price == D(price)
    assert filled.fill.slippage == 0
    assert filled.fill.ts == bar.ts_close


@pytest.mark.parametrize(("side", "price"), [(Side.BUY, "167.45"), (Side.SELL, "167.44")])
def test_market_order_at_the_next_open_fills_at_the_ask_or_bid_open(
    spy_minutes: pd.DataFrame, side: Side, price: str
) -> None:
    # the 13:31 bar: trade open 167.47; bid open 167.44, ask open 167.45
    signal_bar = spy_bar(spy_minutes, SPY_RTH_OPEN)
    next_bar = spy_bar(spy_minutes, SPY_RTH_OPEN + pd.Timedelta(minutes=1))
    assert next_bar.open == D("167.47")
    manager = make_manager(slippage_model=FixedBasisPoints(D(5)))
    manager.submit(make_intent(side, "10"), signal_bar.ts_close)
    [filled] = fills(manager.on_bar(next_bar))
    assert filled.fill.price == D(price)
    assert filled.fill.ts == next_bar.ts_open


def test_a_bar_without_a_quote_fills_at_its_trade_price_with_slippage() -> None:
    bar = make_bar(1, "100", "105", "95", "102")
    manager = make_manager(slippage_model=FixedBasisPoints(D(5)))
    manager.submit(make_intent(Side.BUY, "10"), before(1))
    [filled] = fills(manager.on_bar(bar))
    assert filled.fill.price == D("100.05")  # 100 + 5 bps, as without quotes today


# A trade bar 100/101/99.50/100.50 whose quotes range wider than its trades
TRADES = ("100", "101", "99.50", "100.50")
QUOTE = ("99.98", "100.99", "99.40", "100.48", "300", "100.02", "101.02", "99.55", "100.52", "200")


@pytest.mark.parametrize(
    ("side", "order_type", "price", "with_quote", "without_quote"),
    [
        # buy stop 101.01: the trades top out at 101, the ask reaches 101.02
        (Side.BUY, OrderType.STOP, "101.01", "101.01", None),
        # buy limit 99.50: the trades reach 99.50, the ask only 99.55
        (Side.BUY, OrderType.LIMIT, "99.50", None, "99.50"),
        # sell limit 101: the trades reach 101, the bid only 100.99
        (Side.SELL, OrderType.LIMIT, "101", None, "101"),
        # sell stop 99.45: the trades bottom at 99.50, the bid reaches 99.40
        (Side.SELL, OrderType.STOP, "99.45", "99.45", None),
    ],
)
def test_stops_and_limits_trigger_on_the_side_that_trades(
    side: Side,
    order_type: OrderType,
    price: str,
    with_quote: str | None,
    without_quote: str | None,
) -> None:
    plain = make_bar(1, *TRADES)
    for bar, expected in ((quoted(plain, QUOTE), with_quote), (plain, without_quote)):
        manager = make_manager()
        limit = price if order_type is OrderType.LIMIT else None
        stop = price if order_type is OrderType.STOP else None
        manager.submit(make_intent(side, "10", order_type, limit=limit, stop=stop), before(1))
        filled = fills(manager.on_bar(bar))
        assert [f.fill.price for f in filled] == ([] if expected is None else [D(expected)])


def test_buy_limit_gapped_through_by_the_ask_fills_at_the_ask_open() -> None:
    # limit 100.10: the ask opens at 100.02, below it, so the whole bar came after: 100.02
    bar = quoted(make_bar(1, *TRADES), QUOTE)
    manager = make_manager()
    manager.submit(make_intent(Side.BUY, "10", OrderType.LIMIT, limit="100.10"), before(1))
    [filled] = fills(manager.on_bar(bar))
    assert filled.fill.price == D("100.02")
