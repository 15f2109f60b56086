"""``to_decimal`` takes a float first (a strategy's stop or target): the Decimal of its shortest
repr, as the general path gives it; a non-finite float is refused in the same words; a float's
subclass (NumPy's) still goes by the float's own repr."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperdesk.domain import InvalidInputError
from paperdesk.domain.money import plain_whole, round_to_increment, to_decimal


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_the_decimal_of_its_shortest_repr(value: float) -> None:
    result = to_decimal(value, "stop")
    expected = Decimal(float.__repr__(value))
    assert result == expected
    assert str(result) == str(expected)  # digit for digit: same exponent and sign
    assert str(to_decimal(np.float64(value))) == str(expected)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_a_non_finite_float_is_refused_in_the_same_words(value: float) -> None:
    with pytest.raises(InvalidInputError, match=f"stop must be a finite number, got {value!r}"):
        to_decimal(value, "stop")
    with pytest.raises(InvalidInputError, match="stop must be a finite number"):
        to_decimal(np.float64(value), "stop")


def test_compared_with_zero_as_with_the_integer() -> None:
    digits = "1" * getcontext().prec  # the most a whole number may have
    for text in ("1", "0", "-0", "1.0", "-3", digits, digits + "1"):
        value = Decimal(text)
        assert plain_whole(value) == (
            value > 0 and value.same_quantum(Decimal(0)) and value.adjusted() < getcontext().prec
        )
    assert round_to_increment(Decimal("1.234"), Decimal("-0.01")) == Decimal("1.234")
    assert str(round_to_increment(Decimal("1.235"), Decimal("0.01"))) == "1.24"
