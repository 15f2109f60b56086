"""Exact decimal helpers: parsing, rounding to tick and lot size."""

from __future__ import annotations

from collections.abc import Callable
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    InvalidOperation,
    getcontext,
)
from math import isfinite
from typing import Final

from paperdesk.domain.errors import InvalidInputError

# Final: compiled, a constant is read from a C variable, not looked up in the module's dict
ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
_context: Final = getcontext  # compiled: a C variable, not a look-up in the module's dict
# The last value ``plain_whole`` found positive and of exponent 0, with its ``adjusted()``: a
# Decimal is immutable, so both stay true of that object while the memo holds it (its identity
# cannot pass to another object); the precision, which a user may change at any time, is read at
# every call. One tuple, replaced whole, so no reader (another thread) sees half of one; ``ONE``
# (positive, exponent 0, adjusted 0) to start with.
_last_plain: Final[list[tuple[Decimal, int]]] = [(ONE, 0)]


def _integral_by(rounding: str) -> Callable[[Decimal], Decimal]:
    # A context's own ``to_integral_value``, bound: no argument parser, no rounding name to read.
    # Rounding to an integer reads only the rounding (and, for a NaN's payload, a precision and
    # clamp these never cut) and signals nothing for a quiet NaN or a number, so the result is
    # ``x.to_integral_value(rounding)``'s in any context; the traps are off, for the flags.
    context = Context(
        prec=MAX_PREC, rounding=rounding, Emax=MAX_EMAX, Emin=MIN_EMIN, clamp=0, traps=[], flags=[]
    )
    return context.to_integral_value


# ``x.to_integral_value(mode)`` for an ``x`` no sNaN (tests/unit/domain/test_money_integral_by.py)
INTEGRAL_BY: Final[dict[str, Callable[[Decimal], Decimal]]] = {
    mode: _integral_by(mode)
    for mode in (
        ROUND_DOWN,
        ROUND_HALF_UP,
        ROUND_HALF_EVEN,
        ROUND_CEILING,
        ROUND_FLOOR,
        ROUND_UP,
        ROUND_HALF_DOWN,
        ROUND_05UP,
    )
}
INTEGRAL_DOWN: Final = INTEGRAL_BY[ROUND_DOWN]
# The last increment found positive: a Decimal is immutable, so it stays positive (one slot).
_last_positive: Final[list[Decimal]] = [ONE]


def to_decimal(value: object, name: str = "value") -> Decimal:
    """Convert ints, strings, floats (via their shortest repr) and Decimals to a finite Decimal."""
    if type(value) is float:  # the common case first (a strategy's stop or target)
        if isfinite(value):
            return Decimal(repr(value))  # a float's own repr (its subclasses' may differ)
        raise InvalidInputError(f"{name} must be a finite number, got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise InvalidInputError(f"{name} must be a number, got {value!r}")
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise InvalidInputError(f"{name} must be a number, got {value!r}") from None
    elif isinstance(value, float):
        result = Decimal(float.__repr__(value))  # numpy scalars repr as "np.float64(x)"
    else:
        try:
            result = Decimal(repr(float(value)))  # type: ignore[arg-type]
        except (TypeError, ValueError, InvalidOperation):
            raise InvalidInputError(f"{name} must be a number, got {value!r}") from None
    if not result.is_finite():
        raise InvalidInputError(f"{name} must be a finite number, got {value!r}")
    return result


def round_to_increment(
    value: Decimal, increment: Decimal, rounding: str = ROUND_HALF_EVEN
) -> Decimal:
    """Round ``value`` to a multiple of ``increment`` (a tick or lot size)."""
    if increment is not _last_positive[0]:
        if increment <= ZERO:
            return value
        _last_positive[0] = increment
    integral = INTEGRAL_BY.get(rounding)
    if integral is None:  # None (the context's rounding) or no mode: as Decimal decides
        return (value / increment).to_integral_value(rounding) * increment
    # the quotient comes from a division, so it is no sNaN
    return integral(value / increment) * increment


def floor_to_increment(value: Decimal, increment: Decimal) -> Decimal:
    """Round a magnitude down to a whole number of increments (never sizes above what was asked)."""
    return round_to_increment(value, increment, ROUND_DOWN)


def plus(total: Decimal, amount: Decimal) -> Decimal:
    """``total + amount``, as the other operand itself when one is ``ZERO`` and the sum is
    that operand digit for digit (``plain_whole``, or both ``ZERO``): a running total's first
    amount then shares the object instead of holding an equal copy (a long backtest keeps
    hundreds of thousands of them)."""
    if amount is ZERO:  # first: ``ZERO`` is never ``plain_whole``, so both ZERO is ``total``
        if total is ZERO or plain_whole(total):
            return total
        return total + amount
    if total is ZERO and plain_whole(amount):
        return amount
    return total + amount


def minus(total: Decimal, amount: Decimal) -> Decimal:
    """``total - amount``, as ``total`` itself when ``amount`` is ``ZERO`` and the difference is
    ``total`` digit for digit (``plain_whole``; an order's remaining quantity before a fill)."""
    if amount is ZERO and plain_whole(total):
        return total
    return total - amount


def plain_whole(value: Decimal) -> bool:
    """Whether ``value`` is a positive whole number of exponent 0 within the context's precision:
    then ``0 + value`` and ``value - 0`` are ``value`` digit for digit (same exponent, no
    rounding), so the sum may be ``value`` itself."""
    last = _last_plain[0]
    if value is last[0]:  # the same object as last time: only the precision is read again
        return last[1] < _context().prec
    if value > ZERO and value.same_quantum(ZERO):
        adjusted = value.adjusted()
        _last_plain[0] = (value, adjusted)
        return adjusted < _context().prec
    return False


def shared(value: Decimal, candidate: Decimal | None) -> Decimal:
    """``candidate`` when it is ``value`` digit for digit (equal, same exponent and sign), else
    ``value``: a computed figure that equals a price already held keeps one object for both."""
    if (
        candidate is not None
        and value == candidate
        and value.same_quantum(candidate)
        # equal and nonzero: the same sign, so only zeros (+0 == -0) are asked their signs
        and (value or value.is_signed() == candidate.is_signed())
    ):
        return candidate
    return value


def figure_text(value: float | Decimal | str, digits: int = 2) -> str:
    """A statistic as every surface prints it (the CLI's tables, the HTML reports, the
    dashboard): rounded half-up on its shortest decimal text (a float's ``repr``, not its
    binary value: 1.005 is 1.01, 0.125 is 0.13) to ``digits`` decimals, thousands grouped,
    never ``-0.00``."""
    exact = Decimal(float.__repr__(value)) if isinstance(value, float) else Decimal(value)
    rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)
    return f"{rounded:,.{digits}f}"
