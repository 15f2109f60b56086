"""The pure fill-price rules over one bar."""

from __future__ import annotations

from decimal import Decimal

from paperdesk.domain import Side
from paperdesk.execution import (
    limit_fill_price,
    market_fill_price,
    stop_limit_fill_price,
    stop_trigger_price,
)

from ._support import make_bar

D = Decimal
BAR = make_bar(0, "100", "105", "95", "102")


def test_market_order_fills_at_bar_open() -> None:
    assert market_fill_price(BAR) == D("100")


def test_limit_buy_fills_at_open_when_bar_gaps_below_limit() -> None:
    assert limit_fill_price(Side.BUY, D("101"), BAR) == D("100")


def test_limit_buy_fills_at_limit_when_low_touches_it() -> None:
    assert limit_fill_price(Side.BUY, D("95"), BAR) == D("95")


def test_limit_buy_does_not_fill_when_low_stays_above_limit() -> None:
    assert limit_fill_price(Side.BUY, D("94.99"), BAR) is None


def test_limit_sell_fills_at_open_when_bar_gaps_above_limit() -> None:
    assert limit_fill_price(Side.SELL, D("99"), BAR) == D("100")


def test_limit_sell_fills_at_limit_when_high_touches_it() -> None:
    assert limit_fill_price(Side.SELL, D("105"), BAR) == D("105")


def test_limit_sell_does_not_fill_when_high_stays_below_limit() -> None:
    assert limit_fill_price(Side.SELL, D("105.01"), BAR) is None


def test_stop_buy_fills_at_open_when_bar_gaps_above_stop() -> None:
    assert stop_trigger_price(Side.BUY, D("99"), BAR) == D("100")


def test_stop_buy_triggers_at_stop_when_high_touches_it() -> None:
    assert stop_trigger_price(Side.BUY, D("105"), BAR) == D("105")


def test_stop_buy_not_triggered_when_high_stays_below_stop() -> None:
    assert stop_trigger_price(Side.BUY, D("105.01"), BAR) is None


def test_stop_sell_fills_at_open_when_bar_gaps_below_stop() -> None:
    assert stop_trigger_price(Side.SELL, D("101"), BAR) == D("100")


def test_stop_sell_triggers_at_stop_when_low_touches_it() -> None:
    assert stop_trigger_price(Side.SELL, D("95"), BAR) == D("95")


def test_stop_sell_not_triggered_when_low_stays_above_stop() -> None:
    assert stop_trigger_price(Side.SELL, D("94.99"), BAR) is None


def test_stop_limit_not_touched_neither_triggers_nor_fills() -> None:
    assert stop_limit_fill_price(Side.BUY, D("106"), D("107"), BAR) == (False, None)


def test_stop_limit_buy_triggered_at_open_fills_at_open_when_limit_above_open() -> None:
    assert stop_limit_fill_price(Side.BUY, D("99"), D("101"), BAR) == (True, D("100"))


def test_stop_limit_buy_triggered_at_open_fills_at_limit_when_low_reaches_it() -> None:
    assert stop_limit_fill_price(Side.BUY, D("99"), D("97"), BAR) == (True, D("97"))


def test_stop_limit_buy_triggered_at_open_rests_when_limit_below_low() -> None:
    assert stop_limit_fill_price(Side.BUY, D("99"), D("94"), BAR) == (True, None)


def test_stop_limit_buy_triggered_intrabar_fills_at_stop_when_limit_at_or_above_it() -> None:
    assert stop_limit_fill_price(Side.BUY, D("103"), D("104"), BAR) == (True, D("103"))
    assert stop_limit_fill_price(Side.BUY, D("103"), D("103"), BAR) == (True, D("103"))


def test_stop_limit_buy_triggered_intrabar_rests_when_limit_below_stop() -> None:
    # the low (95) may have come before the trigger, so it cannot fill at 101 on this bar
    assert stop_limit_fill_price(Side.BUY, D("103"), D("101"), BAR) == (True, None)


def test_stop_limit_sell_triggered_at_open_fills_as_limit() -> None:
    assert stop_limit_fill_price(Side.SELL, D("101"), D("99"), BAR) == (True, D("100"))
    assert stop_limit_fill_price(Side.SELL, D("101"), D("104"), BAR) == (True, D("104"))


def test_stop_limit_sell_triggered_intrabar_fills_at_stop_or_rests() -> None:
    assert stop_limit_fill_price(Side.SELL, D("97"), D("96"), BAR) == (True, D("97"))
    assert stop_limit_fill_price(Side.SELL, D("97"), D("98"), BAR) == (True, None)
