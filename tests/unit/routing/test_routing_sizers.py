"""Sizers: quantities rounded down to whole lots, fee-aware percent-of-equity, risk math."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from paperdesk.domain import Direction, Instrument, InvalidInputError
from paperdesk.domain.money import floor_to_increment
from paperdesk.routing import (
    FeeFunction,
    FixedQuantity,
    ForexLots,
    PercentOfEquity,
    Rejection,
    RiskPerTrade,
    max_affordable_quantity,
)

EQUITY = Instrument.equity("AAPL")
CRYPTO = Instrument.crypto("BTCUSD")
EURUSD = Instrument.forex("EURUSD")
D = Decimal


def percent_fee(rate: str):
    r = D(rate)

    def fee(quantity: Decimal, price: Decimal) -> Decimal:
        return quantity * price * r

    return FeeFunction(fee)


def test_fixed_quantity_rounds_down_to_lots(make_signal, make_view) -> None:
    sizer = FixedQuantity(D("10.7"))
    assert sizer.size(make_signal(), make_view(), EQUITY, D(100)) == D(10)
    assert sizer.size(make_signal(), make_view(), CRYPTO, D(100)) == D("10.7")


def test_percent_of_equity_without_fee(make_signal, make_view) -> None:
    sizer = PercentOfEquity(D(50))
    assert sizer.size(make_signal(), make_view("10000"), EQUITY, D(100)) == D(50)
    assert sizer.size(make_signal(), make_view("10000"), EQUITY, D(300)) == D(16)


def test_percent_of_equity_crypto_keeps_eight_decimals(make_signal, make_view) -> None:
    sizer = PercentOfEquity(D(50))
    quantity = sizer.size(make_signal(symbol="BTCUSD"), make_view("10000"), CRYPTO, D(30000))
    assert quantity == D("0.16666666")


@pytest.mark.parametrize(
    ("equity", "price", "percent"),
    [
        ("10000", "100", "100"),
        ("10000", "99.99", "100"),
        ("12345.67", "187.31", "80"),
        ("1000000", "3.07", "100"),
        ("10000", "10020", "100"),
        ("10020", "100", "100"),
    ],
)
def test_percent_of_equity_with_a_percent_fee_is_floor_budget_over_price_plus_fee(
    make_signal, make_view, equity, price, percent
) -> None:
    sizer = PercentOfEquity(D(percent), percent_fee("0.002"))
    budget = D(equity) * D(percent) / 100
    expected = math.floor(budget / (D(price) * D("1.002")))
    assert sizer.size(make_signal(), make_view(equity), EQUITY, D(price)) == expected


def test_percent_of_equity_crypto_with_fee_is_the_largest_lot_that_fits(
    make_signal, make_view
) -> None:
    fee = percent_fee("0.001")
    price = D("43210.57")
    quantity = PercentOfEquity(D(100), fee).size(make_signal(), make_view("10000"), CRYPTO, price)
    assert quantity == floor_to_increment(D(10000) / (price * D("1.001")), CRYPTO.lot_size)
    assert quantity * price + fee(quantity, price) <= 10000
    bigger = quantity + CRYPTO.lot_size
    assert bigger * price + fee(bigger, price) > 10000


def test_percent_of_equity_nothing_affordable_is_zero(make_signal, make_view) -> None:
    sizer = PercentOfEquity(D(10))
    assert sizer.size(make_signal(), make_view("500"), EQUITY, D(100)) == 0
    assert sizer.size(make_signal(), make_view("0"), EQUITY, D(100)) == 0
    assert sizer.size(make_signal(), make_view("-5", equity="-5"), EQUITY, D(100)) == 0


def test_risk_per_trade_long_and_short(make_signal, make_view) -> None:
    sizer = RiskPerTrade(D(1))
    long = make_signal(stop=D(95))
    short = make_signal(Direction.SHORT, stop=D(104))
    assert sizer.size(long, make_view("10000"), EQUITY, D(100)) == D(20)
    assert sizer.size(short, make_view("10000"), EQUITY, D(100)) == D(25)
    crypto = make_signal(symbol="BTCUSD", stop=D(29300))
    assert sizer.size(crypto, make_view("10000"), CRYPTO, D(30000)) == D("0.14285714")


def test_risk_per_trade_needs_a_stop(make_signal, make_view) -> None:
    outcome = RiskPerTrade(D(1)).size(make_signal(), make_view(), EQUITY, D(100))
    assert outcome == Rejection("risk-per-trade sizing needs a stop; the AAPL signal has none")


def test_risk_per_trade_rejects_a_stop_on_the_wrong_side(make_signal, make_view) -> None:
    sizer = RiskPerTrade(D(1))
    long = sizer.size(make_signal(stop=D(105)), make_view(), EQUITY, D(100))
    assert long == Rejection("stop 105 must be below the entry price 100 for a long AAPL signal")
    short = sizer.size(make_signal(Direction.SHORT, stop=D(100)), make_view(), EQUITY, D(100))
    assert short == Rejection("stop 100 must be above the entry price 100 for a short AAPL signal")


def test_forex_lots_use_the_contract_size(make_signal, make_view) -> None:
    signal = make_signal(symbol="EURUSD")
    assert ForexLots(D(1)).size(signal, make_view(), EURUSD, D("1.1")) == D(100000)
    assert ForexLots(D("0.1")).size(signal, make_view(), EURUSD, D("1.1")) == D(10000)
    assert ForexLots(D("0.123456")).size(signal, make_view(), EURUSD, D("1.1")) == D(12345)


@pytest.mark.parametrize(
    ("factory", "name"),
    [
        (FixedQuantity, "quantity"),
        (PercentOfEquity, "percent"),
        (RiskPerTrade, "risk_percent"),
        (ForexLots, "lots"),
    ],
)
@pytest.mark.parametrize("value", ["0", "-1"])
def test_sizers_reject_non_positive_options(factory, name, value) -> None:
    with pytest.raises(InvalidInputError, match=name):
        factory(D(value))


def test_max_affordable_handles_a_minimum_fee_by_search() -> None:
    def fee(quantity: Decimal, price: Decimal) -> Decimal:
        return max(D(5), quantity * price * D("0.001"))

    quantity = max_affordable_quantity(D(1000), D(10), EQUITY, FeeFunction(fee))
    assert quantity == D(99)  # 99*10 + 5 = 995 fits, 100*10 + 5 does not


def test_max_affordable_handles_a_steep_fixed_fee() -> None:
    def fee(quantity: Decimal, price: Decimal) -> Decimal:
        return D(400)

    # the rate estimate at q=1000 misses by far; the bisection finds the exact answer
    assert max_affordable_quantity(D(1000), D(1), EQUITY, FeeFunction(fee)) == D(600)
    assert max_affordable_quantity(D(300), D(1), EQUITY, FeeFunction(fee)) == 0
