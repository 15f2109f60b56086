"""Exact decimal helpers: parsing, rounding to tick and lot size."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

from paperdesk.domain.errors import InvalidInputError

ZERO = Decimal(0)
ONE = Decimal(1)


def to_decimal(value: object, name: str = "value") -> Decimal:
    """Convert ints, strings, floats (via their shortest repr) and Decimals to a finite Decimal."""
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
    if increment <= 0:
        return value
    units = (value / increment).to_integral_value(rounding=rounding)
    return units * increment


def floor_to_increment(value: Decimal, increment: Decimal) -> Decimal:
    """Round a magnitude down to a whole number of increments (never sizes above what was asked)."""
    return round_to_increment(value, increment, ROUND_DOWN)
