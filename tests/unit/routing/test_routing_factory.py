"""build_router: every user option is validated and wired to the right stage."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from router_options import router_with

from paperdesk.domain import Direction, Instrument, InvalidInputError, OrderType
from paperdesk.routing import SIZING_METHODS, FeeFunction

D = Decimal
AAPL = Instrument.equity("AAPL")
EURUSD = Instrument.forex("EURUSD")
PRICE = D(100)


def quantity_of(decision) -> Decimal:
    (intent,) = decision.intents
    return intent.quantity


def test_defaults_buy_80_percent_and_refuse_to_pyramid(make_view, make_signal) -> None:
    router = router_with()
    assert quantity_of(router.route(make_signal(), make_view(), AAPL, PRICE)) == D(80)
    held = make_view("2000", positions={"AAPL": ("80", "100")})
    assert router.route(make_signal(), held, AAPL, PRICE).rejection == (
        "already long 80 AAPL; pyramiding is disabled"
    )
    assert router.route(make_signal(Direction.SHORT), make_view(), AAPL, PRICE).rejection == (
        "short selling is disabled"
    )


def test_unknown_sizing_method_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidInputError) as raised:
        router_with(sizing_method="kelly")
    assert "'kelly'" in str(raised.value)
    assert "percent-equity or fixed or risk or lots or target-percent" in str(raised.value)
    assert SIZING_METHODS == ("percent-equity", "fixed", "risk", "lots", "target-percent")


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"min_confidence": 1.5}, "min_confidence"),
        ({"cooldown_bars": -1}, "cooldown_bars"),
        ({"exposure_cap_percent": D(0)}, "exposure_cap_percent"),
        ({"exposure_cap_percent": D(-5)}, "exposure_cap_percent"),
        ({"max_position_percent": D(0)}, "max_position_percent"),
        ({"max_open_positions": 0}, "max_open_positions"),
        ({"daily_loss_limit_percent": D(0)}, "daily_loss_limit_percent"),
        ({"daily_loss_limit_percent": D(150)}, "daily_loss_limit_percent"),
        ({"percent": D(0)}, "percent"),
        ({"percent": D(-10)}, "percent"),
        ({"percent": D(101)}, "percent"),
        ({"quantity": D(0)}, "quantity"),
        ({"risk_percent": D(0)}, "risk_percent"),
        ({"lots": D(-1)}, "lots"),
        ({"allowed_symbols": "AAPL"}, "allowed_symbols"),
        ({"sizing_method": "fixed", "size_at_fill": True}, "size_at_fill"),
    ],
)
def test_bad_options_name_the_option(options, name) -> None:
    with pytest.raises(InvalidInputError, match=name):
        router_with(**options)


def test_filter_options_are_wired(make_view, make_signal) -> None:
    router = router_with(min_confidence=0.6, allowed_symbols=("AAPL",), cooldown_bars=2)
    view = make_view()
    assert router.route(make_signal(confidence=0.5), view, AAPL, PRICE).rejection == (
        "confidence 0.50 is below the minimum 0.60"
    )
    assert router.route(make_signal(symbol="MSFT"), view, AAPL, PRICE).rejection == (
        "symbol MSFT is not among the allowed symbols: AAPL"
    )
    assert router.route(make_signal(), view, AAPL, PRICE, bar_index=10).accepted
    assert not router.route(make_signal(), view, AAPL, PRICE, bar_index=11).accepted
    assert router.route(make_signal(), view, AAPL, PRICE, bar_index=12).accepted


def test_pyramiding_and_shorts(make_view, make_signal) -> None:
    router = router_with(
        pyramiding=True, allow_short=True, exposure_cap_percent=None, percent=D(10)
    )
    held = make_view("9000", positions={"AAPL": ("10", "100")})
    assert quantity_of(router.route(make_signal(), held, AAPL, PRICE)) == D(10)
    assert router.route(make_signal(Direction.SHORT), make_view(), AAPL, PRICE).accepted


def test_risk_options_are_wired(make_view, make_signal) -> None:
    capped = router_with(exposure_cap_percent=D(30))
    assert quantity_of(capped.route(make_signal(), make_view(), AAPL, PRICE)) == D(30)
    sized = router_with(max_position_percent=D(20))
    assert quantity_of(sized.route(make_signal(), make_view(), AAPL, PRICE)) == D(20)
    limited = router_with(max_open_positions=1)
    other = make_view(positions={"MSFT": ("1", "100")})
    assert limited.route(make_signal(), other, AAPL, PRICE).rejection == (
        "1 positions are open and the maximum is 1; not opening AAPL"
    )
    losing = router_with(daily_loss_limit_percent=D(2))
    down = make_view("9700", day_start_equity="10000")
    assert "daily loss limit is 2%" in losing.route(make_signal(), down, AAPL, PRICE).rejection


def test_cash_check_is_on_unless_disabled(make_view, make_signal) -> None:
    view = make_view("500", positions={"MSFT": ("95", "100")}, equity="100000")
    assert quantity_of(router_with().route(make_signal(), view, AAPL, PRICE)) == D(5)
    unchecked = router_with(check_cash=False, exposure_cap_percent=None)
    assert quantity_of(unchecked.route(make_signal(), view, AAPL, PRICE)) == D(800)


def test_sizing_methods(make_view, make_signal) -> None:
    fixed = router_with(sizing_method="fixed", quantity=D(7))
    assert quantity_of(fixed.route(make_signal(), make_view(), AAPL, PRICE)) == D(7)
    risk = router_with(sizing_method="risk", risk_percent=D(2))
    signal = make_signal(stop=D(96))
    assert quantity_of(risk.route(signal, make_view(), AAPL, PRICE)) == D(50)
    lots = router_with(sizing_method="lots", lots=D("0.05"), exposure_cap_percent=None)
    fx = make_signal(symbol="EURUSD")
    assert quantity_of(lots.route(fx, make_view(), EURUSD, D("1.1"))) == D(5000)


def test_limit_orders(make_view, make_signal) -> None:
    router = router_with(order_type=OrderType.LIMIT)
    (intent,) = router.route(make_signal(entry=D(95)), make_view(), AAPL, PRICE).intents
    assert (intent.order_type, intent.limit_price) == (OrderType.LIMIT, D(95))


@pytest.mark.parametrize(
    ("equity", "price"),
    [("10000", "100"), ("10000", "1.23"), ("123456.78", "543.21"), ("10000", "9999")],
)
def test_backtesting_py_all_in_parity(make_view, make_signal, equity, price) -> None:
    router = router_with(
        percent=D(100),
        size_at_fill=True,
        exposure_cap_percent=None,
        fee_estimator=FeeFunction(lambda quantity, fill: quantity * fill * D("0.002")),
    )
    (intent,) = router.route(make_signal(), make_view(equity), AAPL, PRICE).intents
    assert intent.size_fraction == D(1)
    expected = math.floor(D(equity) / (D(price) * D("1.002")))
    assert router.size_at_fill(intent, make_view(equity), AAPL, D(price)) == expected
