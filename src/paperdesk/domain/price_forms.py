"""How an exact bar price or volume is written in documents (the prices API, ``--json``), one
form for each whatever the layer that served it: a bar's Decimal is its float's shortest text
(``398.0`` for a file's ``398.00`` or ``398``), a form no file or feed writes.

- A price has its instrument's tick's decimals when that is exact (``398.00`` for SPY,
  ``1.10000`` for EURUSD), else every digit it holds and no trailing zero (an adjusted
  ``333.6584517059265``): never rounded, never an exponent.
- A volume (a quantity) keeps every digit and no trailing zero (``1500``, ``0.25``).
"""

from __future__ import annotations

from decimal import Decimal

_ONE = Decimal(1)


def tick_form(value: Decimal, tick: Decimal) -> Decimal:
    """``value`` written with ``tick``'s decimals when that keeps it exact, else plainly."""
    if not value.is_finite():
        return value
    exponent = tick.normalize().as_tuple().exponent
    places = max(-exponent, 0) if isinstance(exponent, int) else 0
    at_tick = value.quantize(_ONE.scaleb(-places))
    return at_tick if at_tick == value else plain_form(value)


def plain_form(value: Decimal) -> Decimal:
    """``value`` with no trailing zero and no exponent (``1.5E+3`` is ``1500``)."""
    if not value.is_finite():
        return value
    if value == value.to_integral_value():
        return value.quantize(_ONE)
    return value.normalize()
