"""Instruments' contract terms: a multiplier and margins per contract, checked when made."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import AssetClass, Instrument, InvalidInputError

D = Decimal


def test_spot_instruments_have_multiplier_one_and_no_margins() -> None:
    spy = Instrument.equity("SPY")
    assert (spy.multiplier, spy.initial_margin, spy.maintenance_margin) == (D(1), None, None)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"multiplier": D(-10)}, "multiplier must be positive, got -10"),
        ({"multiplier": D(0)}, "multiplier must be positive, got 0"),
        ({"initial_margin": D(-1)}, "initial_margin must be zero or positive, got -1"),
        (
            {"initial_margin": D(3000), "maintenance_margin": D(4000)},
            "maintenance_margin 4000 is above initial_margin 3000",
        ),
    ],
)
def test_bad_contract_terms_are_refused(terms: dict[str, Decimal], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Instrument("ES", AssetClass.FUTURE, **terms)  # type: ignore[arg-type]
