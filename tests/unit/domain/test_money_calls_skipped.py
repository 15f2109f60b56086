"""``shared`` asks the signs of zeros only, and ``lots_in_quotient`` remembers the last lot found
to be exactly 1: both give what the formulas they replaced give, digit for digit (exponent and
sign), and the same object where they hand one back."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, getcontext, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain.money import shared
from paperdesk.routing.affordability import lots_in_quotient

D = Decimal
PRECISION = getcontext().prec


def shared_before(value: Decimal, candidate: Decimal | None) -> Decimal:
    """``shared`` as it was: four calls on every equal pair."""
    if (
        candidate is not None
        and value == candidate
        and value.same_quantum(candidate)
        and value.is_signed() == candidate.is_signed()
    ):
        return candidate
    return value


def lots_in_quotient_before(quotient: Decimal, lot: Decimal) -> Decimal:
    """``lots_in_quotient`` as it was: the lot compared with 1 at every call."""
    if lot == D(1) and lot.same_quantum(D(1)):
        return quotient.to_integral_value(ROUND_DOWN)
    return (quotient / lot).to_integral_value(ROUND_DOWN) * lot


def decimals() -> st.SearchStrategy[Decimal]:
    """Finite Decimals of either sign (zeros of both signs), from 1 digit to past the context's
    precision, with small and large exponents."""
    return st.builds(
        lambda sign, coefficient, exponent: D((sign, tuple(map(int, str(coefficient))), exponent)),
        st.integers(0, 1),
        st.one_of(
            st.just(0),
            st.integers(0, 10**4),
            st.integers(10 ** (PRECISION - 1), 10**PRECISION - 1),  # the context's precision
            st.integers(0, 10 ** (PRECISION + 6)),
        ),
        st.one_of(st.integers(-6, 3), st.integers(-400, 400)),
    )


def twins(value: Decimal) -> st.SearchStrategy[Decimal]:
    """Candidates ``shared`` may meet: an equal copy, the same value with more places or with
    the other sign, a neighbour, or an unrelated value."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    return st.one_of(
        st.just(D(value.as_tuple())),
        st.just(D((sign, (*digits, 0), exponent - 1))),
        st.just(D((1 - sign, digits, exponent))),
        st.just(value.next_plus()),
        decimals(),
    )


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), value=decimals())
def test_shared_is_the_formula_it_replaced(data: st.DataObject, value: Decimal) -> None:
    candidate = data.draw(st.one_of(st.none(), twins(value)))
    got = shared(value, candidate)
    expected = shared_before(value, candidate)
    assert got is expected  # the candidate exactly when it was, else the value itself
    assert got.as_tuple() == expected.as_tuple()


def test_shared_tells_the_zeros_apart_by_sign_and_exponent() -> None:
    zero, negative = D("0.00"), D("-0.00")
    assert shared(D("0.00"), zero) is zero
    assert shared(negative, zero) is negative
    assert shared(zero, negative) is zero
    assert shared(D("0.0"), zero).as_tuple() == D("0.0").as_tuple()
    assert shared(D("-7.5"), D("-7.5")).as_tuple() == D("-7.5").as_tuple()


LOTS = [D(1), D("1.0"), D("1E+0"), D("1E+1"), D("0.01"), D(3), D("0.5"), D(-1), D("1.00")]


@settings(max_examples=1500, deadline=None)
@given(
    calls=st.lists(
        st.tuples(decimals(), st.sampled_from(LOTS), st.booleans()), min_size=1, max_size=8
    ),
    precision=st.sampled_from([PRECISION, 6, 40]),
)
def test_lots_in_quotient_is_the_formula_it_replaced_call_after_call(
    calls: list[tuple[Decimal, Decimal, bool]], precision: int
) -> None:
    """Any order of lots (a unit lot remembered, then another lot of 1 or not, a fresh copy of
    ``1`` or the same object again) at any precision."""
    with localcontext() as context:
        context.prec = precision
        for quotient, lot, fresh in calls:
            asked = D(lot.as_tuple()) if fresh else lot
            expected = lots_in_quotient_before(quotient, asked)
            assert lots_in_quotient(quotient, asked).as_tuple() == expected.as_tuple()


def test_a_lot_of_one_point_zero_is_divided_after_a_lot_of_one() -> None:
    quotient = D(7) / D(2)
    assert str(lots_in_quotient(quotient, D(1))) == "3"
    assert str(lots_in_quotient(quotient, D("1.0"))) == "3.0"
    assert str(lots_in_quotient(quotient, D("1E+0"))) == "3"
