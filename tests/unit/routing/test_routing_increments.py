"""The pre-trade increment check's words for a quantity off the step: an equity's lot, and a
forex pair's unit step (a forex "lot" is 100,000 units for the per-lot fee and the lots sizer,
so calling the unit step a "lot size 1" read as one lot of 100,000)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.data.instruments import instrument_for
from paperdesk.routing.pretrade import OrderRefusedError, check_increments


def test_a_forex_quantity_off_its_step_is_named_in_units() -> None:
    eurusd = instrument_for("EURUSD")
    assert (eurusd.lot_size, eurusd.contract_size) == (Decimal(1), Decimal(100000))
    with pytest.raises(OrderRefusedError) as refused:
        check_increments(eurusd, Decimal("1500.5"))
    assert str(refused.value) == (
        "quantity 1500.5 is not a whole number of EURUSD steps of 1 unit(s) (quantities are "
        "units; a lot is 100000 units)"
    )
    assert refused.value.code == "lot_size"
    check_increments(eurusd, Decimal(1500))  # whole units pass


def test_an_equity_quantity_off_its_lot_is_named_as_before() -> None:
    with pytest.raises(OrderRefusedError, match=r"^quantity 2.5 is not a whole number of SPY lots"):
        check_increments(instrument_for("SPY"), Decimal("2.5"))


def test_tiny_quantities_and_ticks_are_printed_without_an_exponent() -> None:
    """A crypto lot of 1e-8: Decimal's own text said "quantity 1E-9 ... (lot size 1E-8)"."""
    btcusd = instrument_for("BTCUSD")
    with pytest.raises(OrderRefusedError) as refused:
        check_increments(btcusd, Decimal("0.000000001"))
    assert str(refused.value) == (
        "quantity 0.000000001 is not a whole number of BTCUSD lots (lot size 0.00000001)"
    )
    eurusd = instrument_for("EURUSD")
    with pytest.raises(OrderRefusedError) as off_tick:
        check_increments(eurusd, None, limit=Decimal("0.0000001"))
    assert str(off_tick.value) == (
        "limit price 0.0000001 is not a whole tick of EURUSD (tick size 0.00001)"
    )
