"""Slippage models move the taker's price against it and round to the tick."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import Instrument, InvalidInputError, Side
from paperdesk.execution import FixedBasisPoints, HalfSpread, NoSlippage

D = Decimal
EQUITY = Instrument.equity("AAA")
FOREX = Instrument.forex("EURUSD")


def test_no_slippage_keeps_the_price() -> None:
    assert NoSlippage().adjust(D("100"), Side.BUY, EQUITY) == D("100")


def test_basis_points_make_buys_pay_more() -> None:
    assert FixedBasisPoints(D("10")).adjust(D("100"), Side.BUY, EQUITY) == D("100.10")


def test_basis_points_make_sells_receive_less() -> None:
    assert FixedBasisPoints(D("10")).adjust(D("100"), Side.SELL, EQUITY) == D("99.90")


def test_basis_points_round_to_the_tick_against_the_taker() -> None:
    # 123.45 * 1.0005 = 123.511725: a buy rounds up, a sell (123.388275) rounds down
    assert FixedBasisPoints().adjust(D("123.45"), Side.BUY, EQUITY) == D("123.52")
    assert FixedBasisPoints().adjust(D("123.45"), Side.SELL, EQUITY) == D("123.38")


@pytest.mark.parametrize("quote", ["5.0001", "3.1234", "9.99", "0.05"])
def test_rounding_never_fills_better_than_the_quote(quote: str) -> None:
    model = FixedBasisPoints()
    assert model.adjust(D(quote), Side.BUY, EQUITY) > D(quote)
    assert model.adjust(D(quote), Side.SELL, EQUITY) < D(quote)


def test_half_a_sub_tick_spread_still_costs_a_tick_each_way() -> None:
    model = HalfSpread(D("0.5"))  # 0.25 pip = 2.5 ticks of 0.00001
    assert model.adjust(D("1.10000"), Side.BUY, FOREX) == D("1.10003")
    assert model.adjust(D("1.10000"), Side.SELL, FOREX) == D("1.09997")


def test_basis_points_of_10000_or_more_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="below 10000"):
        FixedBasisPoints(D("10000"))


def test_half_spread_moves_half_the_spread_in_pips() -> None:
    model = HalfSpread(D("2"))
    assert model.adjust(D("1.10000"), Side.BUY, FOREX) == D("1.10010")
    assert model.adjust(D("1.10000"), Side.SELL, FOREX) == D("1.09990")


def test_on_an_adjusted_series_basis_points_keep_every_digit() -> None:
    # tick 0: the adjusted prices are on no grid (Lean's AdjustedPriceVariationModel)
    adjusted = Instrument("SPY", EQUITY.asset_class, tick_size=D(0))
    price = D("167.45") * D("0.8646266")  # 144.781724170, Lean's SPY fill of 2013-10-08
    assert FixedBasisPoints(D("5")).adjust(price, Side.BUY, adjusted) == price * D("1.0005")
    assert FixedBasisPoints(D("5")).adjust(price, Side.SELL, adjusted) == price * D("0.9995")
    assert FixedBasisPoints(D("5")).adjust(price, Side.BUY, EQUITY) == D("144.86")
