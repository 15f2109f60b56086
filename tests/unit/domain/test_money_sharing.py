"""plus, minus and shared give what the plain Decimal operation gives, digit for digit (exponent
and sign included), and hand back an operand's own object only when that is the same value."""

from __future__ import annotations

import random
from decimal import Decimal, getcontext, localcontext

from paperdesk.domain.money import ZERO, minus, plain_whole, plus, shared

D = Decimal


def random_decimals(seed: int, count: int) -> list[Decimal]:
    """Whole numbers, prices with 1-4 places, positive exponents, zeros of several exponents,
    negatives, and numbers with more digits than the context holds."""
    generator = random.Random(seed)
    precision = getcontext().prec
    values = [ZERO, D("0"), D("0.00"), D("-0"), D("1E+2"), D("5.0")]
    values += [D(10) ** precision, D(10) ** (precision - 1)]
    for _ in range(count):
        digits = generator.randint(1, precision + 4)
        coefficient = generator.randint(0, 10**digits)
        exponent = generator.choice([0, 0, 0, -1, -2, -4, 1, 3])
        sign = generator.choice([0, 0, 0, 1])
        values.append(D((sign, tuple(int(c) for c in str(coefficient)), exponent)))
    return values


def test_plus_and_minus_are_the_plain_operations_digit_for_digit() -> None:
    values = random_decimals(11, 300)
    for value in values:
        for other in (ZERO, *values[:20]):
            assert repr(plus(other, value)) == repr(other + value)
            assert repr(plus(value, other)) == repr(value + other)
            assert repr(minus(value, other)) == repr(value - other)


def test_the_same_operations_under_a_smaller_precision() -> None:
    with localcontext() as context:
        context.prec = 6
        for value in random_decimals(12, 200):
            assert repr(plus(ZERO, value)) == repr(ZERO + value)
            assert repr(minus(value, ZERO)) == repr(value - ZERO)


def test_a_plain_whole_number_is_shared_with_a_zero_start() -> None:
    quantity = D(8123)
    assert plus(ZERO, quantity) is quantity
    assert plus(quantity, ZERO) is quantity
    assert minus(quantity, ZERO) is quantity
    assert plus(ZERO, ZERO) is ZERO
    # an equal zero that is not ZERO itself, or a value with places, is computed as before
    assert plus(D(0), quantity) is not quantity
    assert plus(ZERO, D("5.0")) is not D("5.0")
    assert not plain_whole(D("1E+2"))
    assert not plain_whole(D(-3))
    assert not plain_whole(D(10) ** getcontext().prec)  # beyond the context: it would round


def test_shared_keeps_the_candidate_only_when_it_is_the_same_digits() -> None:
    price = D("101.25")
    assert shared(D("101.25"), price) is price
    assert shared(D("101.250"), price) == price
    assert repr(shared(D("101.250"), price)) == "Decimal('101.250')"
    assert repr(shared(D("-0"), D("0"))) == "Decimal('-0')"
    assert shared(D("101.26"), price) == D("101.26")
    assert shared(price, None) is price
