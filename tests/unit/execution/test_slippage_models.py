"""Slippage models move the taker's price against it and round to the tick."""

from __future__ import annotations

from decimal import Decimal

from paperdesk.domain import Instrument, Side
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


def test_basis_points_round_to_the_instrument_tick() -> None:
    assert FixedBasisPoints().adjust(D("123.45"), Side.BUY, EQUITY) == D("123.51")


def test_half_spread_moves_half_the_spread_in_pips() -> None:
    model = HalfSpread(D("2"))
    assert model.adjust(D("1.10000"), Side.BUY, FOREX) == D("1.10010")
    assert model.adjust(D("1.10000"), Side.SELL, FOREX) == D("1.09990")
