"""``exact_decimal`` reads a float's ``repr`` (of the exact float ``float()`` makes): the text
``float.__repr__`` gives, for every float, numpy's and a subclass's."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.bar_rule import exact_decimal


class Shouting(float):
    def __repr__(self) -> str:
        return "LOUD"


def same(left: Decimal, right: Decimal) -> bool:
    """Digit for digit, NaN included (a NaN is not equal to itself)."""
    return left.as_tuple() == right.as_tuple() and left.is_nan() == right.is_nan()


@settings(max_examples=2000, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_exact_decimal_is_the_float_repr(value: float) -> None:
    expected = Decimal(float.__repr__(value))
    assert same(exact_decimal(value), expected)
    assert same(exact_decimal(np.float64(value)), expected)  # type: ignore[arg-type]
    assert same(exact_decimal(Shouting(value)), expected)


def test_the_edges() -> None:
    assert str(exact_decimal(-0.0)) == "-0.0"
    assert str(exact_decimal(1e300)) == "1E+300"
    assert str(exact_decimal(math.inf)) == "Infinity"
    assert exact_decimal(math.nan).is_nan()
    assert str(exact_decimal(np.float64(0.1))) == "0.1"
