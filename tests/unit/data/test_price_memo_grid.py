"""A feed's price memo (``bar_convert._PriceMemo``: prices on its grid found by their step in a
list, others by the float in a dict) answers as the memo by the float alone did (the Decimal
``exact_decimal`` gives the float first met of those equal to it: a signed zero answers as the
zero met first, as before), digit for digit, whatever the grid, the order of the prices and how
often they recur."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.bar_convert import _grid_scale, _PriceMemo, grid_decimal
from paperdesk.data.bar_rule import exact_decimal

_ON_A_GRID = st.builds(
    lambda steps, digits: steps / 10**digits,
    st.integers(0, 10**9),
    st.integers(0, 6),
)
_ANY = st.one_of(
    _ON_A_GRID,
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 5e-324, 2.0**52, 2.0**53 + 2, 0.1 + 0.2, 100.5, 1e22]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ON_A_GRID, min_size=1, max_size=5), st.lists(_ANY, max_size=60))
def test_every_price_is_the_decimal_of_its_shortest_repr(
    closes: list[float], prices: list[float]
) -> None:
    memo = _PriceMemo(np.array(closes, dtype=np.float64))
    by_float: dict[float, Decimal] = {}  # the memo before the grid
    for position, value in enumerate([*prices, *reversed(prices), *closes]):
        exact = memo.by_float(value) if position % 3 == 2 else memo.exact(value)  # as a volume
        expected = by_float.setdefault(value, exact_decimal(value))
        assert str(exact) == str(expected)  # same digits, exponent and sign
        if value != 0.0:  # NaN aside, the Decimal of the float itself
            assert str(exact) == str(exact_decimal(value))


def test_cents_go_on_the_grid_and_shared_decimals_come_back() -> None:
    closes = np.array([100.25, 100.5, 99.0, 101.75], dtype=np.float64)
    assert _grid_scale(closes) == 100.0
    memo = _PriceMemo(closes)
    first = memo.exact(100.5)
    assert memo.exact(100.5) is first  # memoised (on the grid: by its step)
    assert str(first) == "100.5"  # the repr's digits, not the grid's (100.50)
    assert str(memo.exact(-0.0)) == "-0.0"
    assert str(memo.exact(0.0)) == "-0.0"  # the first zero met, as the memo by float had it
    assert _grid_scale(np.array([1.23456789], dtype=np.float64)) == 0.0  # no grid: the dict
    assert _grid_scale(np.array([np.nan, 7.0], dtype=np.float64)) == 1.0


_STEPS = st.one_of(
    st.integers(1, 10**15 - 1),
    st.integers(1, 10**6),
    st.builds(lambda steps, zeros: steps * 10**zeros, st.integers(1, 10**4), st.integers(1, 10)),
    st.sampled_from([1, 9, 10, 100, 10**14, 10**15 - 1, 999_999_999_999_990]),
)


@settings(max_examples=1500, deadline=None)
@given(_STEPS, st.integers(0, 4))
def test_a_step_on_the_grid_gives_the_decimal_of_its_floats_repr(step: int, digits: int) -> None:
    """``grid_decimal`` (digits from the step) equals ``exact_decimal`` (the float's repr):
    the same sign, digits and exponent, for every step below 10**15 at every grid."""
    scale = 10.0**digits
    value = step / scale
    built = grid_decimal(step, digits)
    assert built is not None
    assert built.as_tuple() == exact_decimal(value).as_tuple(), (step, digits)


def test_the_grid_conversion_keeps_the_reprs_own_form() -> None:
    assert str(grid_decimal(1250, 2)) == "12.5"  # trailing zeros dropped
    assert str(grid_decimal(1200, 2)) == "12.0"  # a whole number keeps one decimal
    assert str(grid_decimal(7, 0)) == "7.0"
    assert str(grid_decimal(1, 4)) == "0.0001"
    assert grid_decimal(0, 2) is None
