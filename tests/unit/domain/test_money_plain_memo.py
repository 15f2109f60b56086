"""``plain_whole`` with its memo of the last plain value, and ``plus`` with its ``ZERO`` amount
checked first, give what the code before them gave (kept here as the reference): the same verdict,
the same digits, exponent and sign, the same operand's object, and the same exception, for any
sequence of values (the same objects again, NaN, infinities, signed zeros, any exponent) under any
precision, changed between calls."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal, getcontext, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain.money import ONE, ZERO, minus, plain_whole, plus


def reference_plain_whole(value: Decimal) -> bool:
    """``plain_whole`` before the memo."""
    return value > ZERO and value.same_quantum(ZERO) and value.adjusted() < getcontext().prec


def reference_plus(total: Decimal, amount: Decimal) -> Decimal:
    """``plus`` before ``ZERO`` was checked first."""
    if total is ZERO and reference_plain_whole(amount):
        return amount
    if amount is ZERO and (total is ZERO or reference_plain_whole(total)):
        return total
    return total + amount


def reference_minus(total: Decimal, amount: Decimal) -> Decimal:
    if amount is ZERO and reference_plain_whole(total):
        return total
    return total - amount


finite = st.builds(
    lambda sign, digits, exponent: Decimal((sign, tuple(int(c) for c in str(digits)), exponent)),
    st.integers(0, 1),
    st.integers(0, 10**12),
    st.sampled_from([0, 0, 0, -1, -2, 1, 3]),
)
special = st.sampled_from(
    [ZERO, ONE, Decimal("0"), Decimal("-0"), Decimal("NaN"), Decimal("Infinity"), Decimal("-Inf")]
)
values = st.lists(st.one_of(finite, special), min_size=1, max_size=6)
steps = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 14), st.integers(0, 2)),
    min_size=1,
    max_size=40,
)


def outcome(operation: Callable[..., object], *operands: Decimal) -> tuple[str, object]:
    """What a call gives: the value's repr and which operand's object it is, or the exception."""
    try:
        result = operation(*operands)
    except Exception as error:  # the exception's type is the outcome
        return ("raised", type(error))
    shared = next((index for index, operand in enumerate(operands) if result is operand), None)
    return (repr(result), shared)


@settings(max_examples=300, deadline=None)
@given(values, steps)
def test_plain_whole_plus_and_minus_equal_the_code_before(
    pool: list[Decimal], calls: list[tuple[int, int, int, int]]
) -> None:
    for first, second, precision, kind in calls:
        value, other = pool[first % len(pool)], pool[second % len(pool)]
        with localcontext() as context:
            context.prec = precision
            if kind == 0:
                assert outcome(plain_whole, value) == outcome(reference_plain_whole, value)
            elif kind == 1:
                for pair in ((value, other), (ZERO, value), (value, ZERO), (ZERO, ZERO)):
                    assert outcome(plus, *pair) == outcome(reference_plus, *pair)
            else:
                for pair in ((value, other), (value, ZERO)):
                    assert outcome(minus, *pair) == outcome(reference_minus, *pair)


def test_the_same_object_under_a_smaller_precision_is_no_longer_plain() -> None:
    quantity = Decimal(12_300)
    assert plain_whole(quantity)
    with localcontext() as context:
        context.prec = 3  # 0 + 12300 rounds to 1.23E+4
        assert not plain_whole(quantity)
        assert repr(plus(ZERO, quantity)) == "Decimal('1.23E+4')"
    assert plain_whole(quantity)
    assert plus(ZERO, quantity) is quantity


def test_zero_is_not_plain_after_one_was() -> None:
    assert plain_whole(ONE)
    assert not plain_whole(ZERO)
    assert not plain_whole(Decimal("-0"))
    assert plus(ZERO, ZERO) is ZERO


def test_a_fresh_process_first_asked_about_zero_says_no() -> None:
    """The memo's starting entry is itself plain (a ``ZERO`` there would make ``ZERO`` plain
    until the first plain value replaced it)."""
    first_calls = (
        "from decimal import Decimal; from paperdesk.domain.money import ZERO, plain_whole, plus; "
        "print(plain_whole(ZERO), plain_whole(Decimal('-0')), plus(ZERO, ZERO) is ZERO)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", first_calls], capture_output=True, text=True, check=True
    )
    assert ran.stdout.split() == ["False", "False", "True"]
