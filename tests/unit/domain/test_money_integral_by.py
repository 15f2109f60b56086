"""``round_to_increment``, ``whole_lots`` and ``lots_in_quotient`` round to an integer with a
bound context method (``money.INTEGRAL_BY``) instead of ``to_integral_value(rounding)``: the
same Decimal (sign, digits, exponent), the same flags in the caller's context and the same
exception as the formula they replaced, in any context."""

from __future__ import annotations

import decimal
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    Context,
    Decimal,
    Inexact,
    Rounded,
    localcontext,
)
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import money, order_fields
from paperdesk.domain.money import INTEGRAL_BY, round_to_increment
from paperdesk.domain.order_fields import whole_lots
from paperdesk.routing.affordability import lots_in_quotient

if TYPE_CHECKING:
    from collections.abc import Callable

# every rounding mode Decimal has, read from the module (not from ``money``'s table)
MODES = tuple(getattr(decimal, name) for name in dir(decimal) if name.startswith("ROUND_"))
assert len(MODES) == 8


def old_round_to_increment(value: Decimal, increment: Decimal, rounding: str) -> Decimal:
    """``round_to_increment`` as it was (the formula the fast form must match)."""
    if increment <= Decimal(0):
        return value
    return (value / increment).to_integral_value(rounding) * increment


def old_whole_lots(quantity: Decimal, lot: Decimal) -> Decimal:
    magnitude = (
        abs(quantity) if lot <= 0 else (abs(quantity) / lot).to_integral_value(ROUND_DOWN) * lot
    )
    return magnitude if quantity >= 0 else -magnitude


def decimals(max_digits: int = 45) -> st.SearchStrategy[Decimal]:
    """Finite Decimals of every sign, coefficient length (past the precisions tried) and
    exponent, trailing zeros and both zeros included."""
    return st.builds(
        lambda sign, digits, exponent: Decimal((sign, digits, exponent)),
        st.integers(0, 1),
        st.one_of(
            st.just((0,)),
            st.lists(st.integers(0, 9), min_size=1, max_size=max_digits).map(tuple),
            st.tuples(st.integers(1, 9)).map(lambda head: head + (0,) * 3),
        ),
        st.integers(-40, 40),
    )


def increments() -> st.SearchStrategy[Decimal]:
    """Powers of ten (``1E-2``, ``1``, ``1E+1``), ones with trailing zeros (``0.010``, ``10``),
    others (``0.05``), zeros and negatives."""
    return st.one_of(
        st.builds(lambda exponent: Decimal((0, (1,), exponent)), st.integers(-8, 8)),
        st.builds(
            lambda head, zeros, exponent: Decimal((0, head + (0,) * zeros, exponent)),
            st.sampled_from(((1,), (5,), (2, 5))),
            st.integers(0, 3),
            st.integers(-8, 8),
        ),
        decimals(12),
    )


def contexts() -> st.SearchStrategy[Context]:
    return st.builds(
        lambda prec, rounding, traps, emax: Context(
            prec=prec, rounding=rounding, traps=traps, Emax=emax, Emin=-emax, flags=[]
        ),
        st.sampled_from((6, 28, 40)),
        st.sampled_from(MODES),
        st.sampled_from(
            (
                [decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
                [decimal.InvalidOperation, Inexact, Rounded],
                [Inexact],
                [],
            )
        ),
        st.sampled_from((999_999, 60, 12)),
    )


def outcome(
    function: Callable[..., Decimal], context: Context, *arguments: object
) -> tuple[object, list[str]]:
    """What ``function`` gives in (a copy of) ``context``: the Decimal's tuple or the exception's
    type, with the flags it raised."""
    with localcontext(context.copy()) as here:
        try:
            result: object = function(*arguments).as_tuple()
        except ArithmeticError as error:
            result = type(error)
        raised = sorted(signal.__name__ for signal, up in here.flags.items() if up)
    return result, raised


@settings(max_examples=1500, deadline=None)
@given(decimals(), increments(), st.sampled_from(MODES), contexts())
def test_round_to_increment_is_the_old_formula(
    value: Decimal, increment: Decimal, rounding: str, context: Context
) -> None:
    new = outcome(round_to_increment, context, value, increment, rounding)
    assert new == outcome(old_round_to_increment, context, value, increment, rounding)


@settings(max_examples=500, deadline=None)
@given(decimals(), increments(), contexts())
def test_whole_lots_is_the_old_formula(quantity: Decimal, lot: Decimal, context: Context) -> None:
    assert outcome(whole_lots, context, quantity, lot) == outcome(
        old_whole_lots, context, quantity, lot
    )


@settings(max_examples=500, deadline=None)
@given(decimals(), increments(), contexts())
def test_lots_in_quotient_is_the_old_formula(
    budget: Decimal, lot: Decimal, context: Context
) -> None:
    def old(quotient: Decimal, step: Decimal) -> Decimal:
        return (quotient / step).to_integral_value(ROUND_DOWN) * step

    def new_from_division(dividend: Decimal, step: Decimal) -> Decimal:
        return lots_in_quotient(dividend / Decimal(3), step)  # a quotient, as its callers pass

    def old_from_division(dividend: Decimal, step: Decimal) -> Decimal:
        return old(dividend / Decimal(3), step)

    budget, lot = abs(budget), abs(lot)
    if lot and budget:  # its callers' operands: positive
        assert outcome(new_from_division, context, budget, lot) == outcome(
            old_from_division, context, budget, lot
        )


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        decimals(),
        st.sampled_from(
            [Decimal("NaN"), Decimal("-NaN123"), Decimal("Infinity"), Decimal("-Infinity")]
        ),
    ),
    st.sampled_from(MODES),
    contexts(),
)
def test_integral_by_is_to_integral_value(value: Decimal, rounding: str, context: Context) -> None:
    """Any number or quiet NaN, in any context: the bound method's result and flags."""
    assert outcome(INTEGRAL_BY[rounding], context, value) == outcome(
        lambda x: x.to_integral_value(rounding), context, value
    )


def test_examples() -> None:
    """The bracket's levels (a float's digits, to the 0.01 tick), a negative zero, a rounding
    Decimal does not know (the formula's error) and a non-positive increment after a positive
    one (the memo holds positive increments only)."""
    tick = Decimal("0.01")
    assert round_to_increment(Decimal("101.23456789012345"), tick, ROUND_FLOOR).as_tuple() == (
        Decimal("101.23").as_tuple()
    )
    assert round_to_increment(Decimal("101.2"), tick, ROUND_CEILING).as_tuple() == (
        Decimal("101.2").as_tuple()
    )
    assert round_to_increment(Decimal("-0.001"), tick, ROUND_CEILING).as_tuple() == (
        Decimal("-0.00").as_tuple()
    )
    for function in (round_to_increment, old_round_to_increment):  # no such mode: the formula's
        with pytest.raises(TypeError):
            function(Decimal("0.001"), tick, "ROUND_SIDEWAYS")
    assert money._last_positive[0] is tick
    negative = Decimal(-1)
    for _ in range(2):  # the same object again: still no increment
        assert round_to_increment(Decimal("1.5"), negative) == Decimal("1.5")
        assert round_to_increment(Decimal("1.5"), Decimal(0)) == Decimal("1.5")
    assert money._last_positive[0] is tick


def test_whole_lots_lot_memo() -> None:
    """A lot found positive is remembered; a zero or negative lot, even the same object twice,
    keeps the magnitude unrounded."""
    lot = Decimal("0.5")
    assert whole_lots(Decimal("-1.75"), lot).as_tuple() == Decimal("-1.5").as_tuple()
    assert order_fields._last_lot[0] is lot
    for step in (Decimal(-1), Decimal(0)):
        for _ in range(2):
            assert whole_lots(Decimal("-1.75"), step).as_tuple() == Decimal("-1.75").as_tuple()
    assert order_fields._last_lot[0] is lot
    assert whole_lots(Decimal("1.75"), lot).as_tuple() == Decimal("1.5").as_tuple()
