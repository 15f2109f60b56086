"""Fast copies of frozen orders for the fill hot path (``dataclasses.replace`` is slow)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from paperdesk.domain import Order, OrderStatus

_NAMES = tuple(field.name for field in fields(Order))
_READ_ALL = attrgetter(*_NAMES)
_SETTERS: tuple[Callable[[Order, Any], None], ...] = tuple(
    getattr(Order, name).__set__ for name in _NAMES
)
_STATUS = _NAMES.index("status")
_FILLED = _NAMES.index("filled_quantity")
_AVERAGE = _NAMES.index("average_price")
_UPDATED = _NAMES.index("ts_updated")
_new_order: Callable[[type[Order]], Order] = object.__new__


def with_fill(
    order: Order, status: OrderStatus, filled: Decimal, average: Decimal, ts: datetime
) -> Order:
    """``order`` after a fill, copied slot by slot: only fill fields change, so the field
    validation already passed by ``order`` still holds and is not run again."""
    values = list(_READ_ALL(order))
    values[_STATUS] = status
    values[_FILLED] = filled
    values[_AVERAGE] = average
    values[_UPDATED] = ts
    copy = _new_order(Order)
    for setter, value in zip(_SETTERS, values, strict=True):
        setter(copy, value)
    return copy
