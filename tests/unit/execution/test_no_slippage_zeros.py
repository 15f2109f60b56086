"""A fill without slippage keeps one zero per price exponent (``SimulatedVenue._no_slippage``):
the zero it hands back for a price is the one the list, asked in its first order, gave, whatever
order the exponents come in."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ._support import make_venue

D = Decimal


class ZerosBefore:
    """``_no_slippage`` as it was: the zeros in the order they were first met."""

    def __init__(self) -> None:
        self.zeros: list[Decimal] = []

    def zero(self, price: Decimal) -> Decimal:
        for zero in self.zeros:
            if zero.same_quantum(price):
                return zero
        zero = price - price
        self.zeros.append(zero)
        return zero


prices = st.builds(
    lambda coefficient, exponent: D((0, tuple(map(int, str(coefficient))), exponent)),
    st.integers(1, 10**12),
    st.integers(-6, 2),
)


@settings(max_examples=500, deadline=None)
@given(asked=st.lists(prices, min_size=1, max_size=40))
def test_each_price_gets_the_same_zero_as_before(asked: list[Decimal]) -> None:
    venue = make_venue()
    before = ZerosBefore()
    given_zeros: dict[int, Decimal] = {}
    for price in asked:
        got = venue._no_slippage(price)
        expected = before.zero(price)
        assert got.as_tuple() == expected.as_tuple()
        assert got.same_quantum(price)
        assert got.is_zero()
        # one object per exponent, the first one made
        exponent = price.as_tuple().exponent
        assert isinstance(exponent, int)
        assert given_zeros.setdefault(exponent, got) is got
