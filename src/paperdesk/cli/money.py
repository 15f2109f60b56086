"""How every command prints numbers: one place, so a trader reads the same figure everywhere.

- Money is printed exactly from its ``Decimal`` (``currencies.money_text``, the dashboard's
  rule too): thousands grouped, at least its currency's minor-unit decimals (USD 2, JPY 0) and
  every further decimal it has, trailing zeros beyond them dropped: ``24385.290`` USD prints
  ``24,385.29``, a fee of ``1.555`` prints ``1.555``, so printed figures add up exactly; an
  amount with more than three decimals past the minor unit (adjusted prices) is rounded
  half-up to it (``15,948.47``). A
  statistic in money held as a float (average win, best trade) is rounded half-up to the minor
  unit instead.
- Prices are rounded half-up to the instrument's tick (0.01 for US equities, 0.00001 for
  EURUSD) and printed with the tick's decimals.
- Quantities keep every digit they have and no trailing zeros (``30``, ``0.0015``).
- Percentages and ratios (analytics floats) have two decimals; an undefined statistic (None,
  or not a finite number) is ``n/a``.
- Durations read like ``3 d 4 h`` or ``12 min``.

``--json`` does not come through here: it stays exact (see ``service.documents``).
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from paperdesk.domain.currencies import minor_unit, money_text
from paperdesk.domain.durations import human_duration
from paperdesk.domain.money import figure_text, round_to_increment
from paperdesk.service.instruments import instrument_of

NOT_AVAILABLE = "n/a"
MISSING = "-"
DEFAULT_CURRENCY = "USD"


def money(value: Decimal | None, currency: str | None = DEFAULT_CURRENCY) -> str:
    """An amount exactly: grouped, the currency's decimals and every further one it has."""
    return MISSING if value is None else money_text(value, currency)


def price(value: Decimal | None, symbol: str) -> str:
    """A price rounded half-up to ``symbol``'s tick and shown with the tick's decimals."""
    if value is None:
        return MISSING
    tick = instrument_of(symbol).tick_size
    places = max(-tick.normalize().as_tuple().exponent, 0)  # type: ignore[operator]
    rounded = round_to_increment(value, tick, ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


def exact(text: str | None) -> Decimal | None:
    """A document's decimal string (``"-42.100"``) as the Decimal it writes; None stays None."""
    return None if text is None else Decimal(text)


def symbol_money(value: Decimal | None, symbol: str) -> str:
    """An amount in the currency ``symbol`` is quoted in (a fee, a trade's P&L)."""
    return money(value, instrument_of(symbol).currency)


def quantity(value: Decimal | None) -> str:
    """Every digit of a quantity, no trailing zeros, never an exponent."""
    if value is None:
        return MISSING
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,f}"
    return f"{value.normalize():,f}"


def _defined(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def percent(value: float | None, digits: int = 2) -> str:
    """A percentage (already times 100) with ``digits`` decimals, or ``n/a``."""
    if value is None or not _defined(value):
        return NOT_AVAILABLE
    return f"{figure_text(value, digits)}%"


def ratio(value: float | None, digits: int = 2) -> str:
    """A ratio such as Sharpe or the profit factor, or ``n/a``."""
    if value is None or not _defined(value):
        return NOT_AVAILABLE
    return figure_text(value, digits)


def float_money(value: float | None, currency: str | None = DEFAULT_CURRENCY) -> str:
    """A statistic in money (average win, best trade) held as a float, or ``n/a``."""
    if value is None or not _defined(value):
        return NOT_AVAILABLE
    return figure_text(Decimal(repr(value)), minor_unit(currency))


def duration(value: timedelta | None) -> str:
    """``3 d 4 h``, ``2 h 5 min``, ``12 min``, ``45 s``: the two largest units."""
    return MISSING if value is None else human_duration(value)
