"""``parsing.decimal_value``: exact amounts, refused with the option named when out of range,
however large or small the exponent (abs() of 1E+999999999 overflows the decimal context)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import parsing as values
from paperdesk.domain.errors import OptionError


@pytest.mark.parametrize("text", ["1E+999999999", "-1E+999999999", "1e15", "1e400", "1E-999999999"])
def test_amounts_with_extreme_exponents_are_refused_by_name(text: str) -> None:
    with pytest.raises(OptionError, match="QTY"):
        values.decimal_value(text, "QTY")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("999999999999999.99", Decimal("999999999999999.99")), ("0.000000000001", Decimal("1e-12"))],
)
def test_the_largest_and_finest_amounts_still_pass(text: str, expected: Decimal) -> None:
    assert values.decimal_value(text, "QTY") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" 0.1", Decimal("0.1")), ("+5", Decimal(5)), ("5.", Decimal(5)), (".5", Decimal("0.5")),
     ("1E+3", Decimal(1000))],
)  # fmt: skip
def test_plain_decimals_read_as_decimal_reads_them(text: str, expected: Decimal) -> None:
    assert values.plain_decimal(text) == expected


@pytest.mark.parametrize("text", ["1_000", "１０", "٣", "NaN", "Infinity", "0x10", "1 0", ""])
def test_other_spellings_are_not_numbers(text: str) -> None:
    with pytest.raises(OptionError, match="QTY"):
        values.decimal_value(text, "QTY")
