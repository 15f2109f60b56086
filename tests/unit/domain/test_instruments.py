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


@pytest.mark.parametrize(
    ("field", "given", "taken"),
    [
        ("lot_size", 1, D(1)),
        ("lot_size", "0.001", D("0.001")),
        ("tick_size", " 0.05 ", D("0.05")),
        ("multiplier", 50, D(50)),
        ("initial_margin", "1200.50", D("1200.50")),
    ],
)
def test_a_whole_number_or_a_numeric_string_is_taken_as_its_exact_decimal(
    field: str, given: object, taken: Decimal
) -> None:
    instrument = Instrument("ES", AssetClass.FUTURE, **{field: given})  # type: ignore[arg-type]
    value = getattr(instrument, field)
    assert type(value) is Decimal
    assert (value, value.as_tuple()) == (taken, taken.as_tuple())


@pytest.mark.parametrize(
    ("field", "given", "message"),
    [
        ("lot_size", 0.1, "lot_size must be a Decimal, a whole number or a numeric string"),
        ("pip_size", 0.0001, "pip_size must be a Decimal"),
        ("lot_size", True, "got bool True"),
        ("tick_size", "a cent", "tick_size must be a number, got 'a cent'"),
        ("multiplier", "inf", "multiplier must be a finite number"),
        ("lot_size", D("NaN"), "lot_size must be a finite number"),
        ("tick_size", D("-Infinity"), "tick_size must be a finite number"),
    ],
)
def test_an_inexact_or_not_a_number_increment_is_refused_by_name(
    field: str, given: object, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        Instrument("ES", AssetClass.FUTURE, **{field: given})  # type: ignore[arg-type]
