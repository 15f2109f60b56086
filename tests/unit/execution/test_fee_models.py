"""Fee models and the ``--commission`` parser."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import AssetClass, Instrument, InvalidInputError
from paperdesk.execution import (
    NoFee,
    PercentOfNotional,
    PerContract,
    PerLot,
    PerShare,
    parse_fee_model,
)

D = Decimal
EQUITY = Instrument.equity("AAA")
FOREX = Instrument.forex("EURUSD")


def test_no_fee_is_zero() -> None:
    assert NoFee().fee(D("10"), D("100"), EQUITY) == 0


def test_percent_of_notional_is_exact_and_unrounded() -> None:
    assert PercentOfNotional(D("0.2")).fee(D("3"), D("33.33"), EQUITY) == D("0.19998")


def test_per_share_charges_rate_times_quantity() -> None:
    assert PerShare(D("0.005")).fee(D("1000"), D("50"), EQUITY) == D("5")


def test_per_share_charges_at_least_the_minimum() -> None:
    assert PerShare(D("0.005"), minimum=D("1")).fee(D("10"), D("50"), EQUITY) == D("1")


def test_per_share_charges_at_most_the_maximum_percent_of_notional() -> None:
    model = PerShare(D("0.005"), minimum=D("1"), maximum_percent=D("1"))
    # rate 0.05 and minimum 1, capped at 1% of 10 * 2 = 0.2
    assert model.fee(D("10"), D("2"), EQUITY) == D("0.2")


def test_per_lot_charges_pro_rata_of_contract_size() -> None:
    assert PerLot(D("7")).fee(D("50000"), D("1.1"), FOREX) == D("3.5")


def test_negative_fee_parameters_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="rate"):
        PerShare(D("-1"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("none", NoFee()),
        (" None ", NoFee()),
        ("percent:0.1", PercentOfNotional(D("0.1"))),
        ("per-share:0.005", PerShare(D("0.005"))),
        ("per-share:0.005:min=1", PerShare(D("0.005"), D("1"))),
        ("per-share:0.005:min=1:max-pct=1", PerShare(D("0.005"), D("1"), D("1"))),
        ("per-share:0.005:max-pct=0.5", PerShare(D("0.005"), D("0"), D("0.5"))),
        ("per-lot:7", PerLot(D("7"))),
        ("0", NoFee()),
    ],
)
def test_parse_fee_model_accepts_documented_forms(text: str, expected: object) -> None:
    assert parse_fee_model(text) == expected


def test_parse_fee_model_bare_number_is_a_fraction_of_notional() -> None:
    model = parse_fee_model("0.002")
    assert model.fee(D("10"), D("100"), EQUITY) == D("2")  # 0.2% of 1000


@pytest.mark.parametrize(
    "text",
    [
        "",
        "free",
        "percent",
        "percent:",
        "percent:abc",
        "percent:-1",
        "per-share:0.1:min",
        "per-share:0.1:foo=1",
        "per-share:0.1:min=1:min=2",
        "per-lot:1:2",
        "nan",
        "-0.002",
        "percent:inf",
    ],
)
def test_parse_fee_model_rejects_other_text_naming_it_and_listing_forms(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_fee_model(text)
    message = str(caught.value)
    assert repr(text) in message
    assert "per-share:RATE" in message


def test_per_contract_charges_each_contract_whatever_the_price() -> None:
    model = parse_fee_model("per-contract:2")
    assert model == PerContract(D("2"))
    future = Instrument("ES", AssetClass.FUTURE, multiplier=D(50))
    assert model.fee(D(3), D("3604.08"), future) == D(6)
    assert model.fee(D(1), D("1"), future) == D(2)
