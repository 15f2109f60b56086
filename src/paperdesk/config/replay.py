"""The replay clock's interval: ``manual`` or a duration of wall time per replayed bar."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from paperdesk.domain import parsing as values

MANUAL = "manual"
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
LONGEST = Decimal(366 * 86400)
EXPECTED = "manual or a positive duration such as 1s, 30s, 1m, 1h or 1d (at most 366d)"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$", re.IGNORECASE)


def replay_interval_value(value: object, label: str) -> Decimal | None:
    """Seconds of wall time per replayed bar (exact), or None for ``manual``.

    Accepts ``manual``, ``30s``, ``1m``, ``4h``, ``1d``, a plain number of seconds (text or a
    number, as the stored settings hold it)."""
    if isinstance(value, bool):
        raise values.invalid(label, value, EXPECTED)
    if isinstance(value, int | float | Decimal):
        seconds = _decimal(str(value))
    else:
        text = values.text_value(value, label).lower()
        if text == MANUAL:
            return None
        match = _DURATION.match(text)
        number = _decimal(match.group(1)) if match else None
        unit = UNIT_SECONDS[(match.group(2) or "s").lower()] if match else 1
        seconds = None if number is None else number * unit
    if seconds is None or not seconds.is_finite() or seconds <= 0 or seconds > LONGEST:
        raise values.invalid(label, value, EXPECTED)
    return Decimal(int(seconds)) if seconds == seconds.to_integral_value() else seconds.normalize()


def stale_after_value(value: object, label: str) -> Decimal:
    """Seconds a live feed may lag (a positive duration, as for the replay interval; ``manual``
    means nothing here and is refused)."""
    seconds = None
    if not (isinstance(value, str) and value.strip().lower() == MANUAL):
        seconds = replay_interval_value(value, label)
    if seconds is None:
        raise values.invalid(label, value, "a positive duration such as 30s, 5m or 1h")
    return seconds


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def describe_interval(seconds: Decimal | None) -> str:
    """``manual`` or the interval in the largest whole unit (``1m``, ``90s``)."""
    if seconds is None:
        return MANUAL
    for unit, size in sorted(UNIT_SECONDS.items(), key=lambda item: -item[1]):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
