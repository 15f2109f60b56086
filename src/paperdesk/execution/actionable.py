"""The first bar where a set of resting orders could act, found vectorised (for skipping bars)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import cast

from paperdesk.domain import Order, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.execution.scan import FloatArray, IntArray, Thresholds, first_hit

# Enum member lookups cost a metaclass call each; the search reads these module constants.
_PENDING, _PARTIALLY_FILLED = OrderStatus.PENDING, OrderStatus.PARTIALLY_FILLED
_MARKET, _LIMIT = OrderType.MARKET, OrderType.LIMIT
_IOC, _FOK = TimeInForce.IOC, TimeInForce.FOK
_BUY = Side.BUY
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_NANOSECONDS: dict[datetime, int] = {}  # recent times read, converted once (bounded)
_NANOSECONDS_KEPT = 4096


def first_actionable_index(
    order_ids: Iterable[str],
    orders: Mapping[str, Order],
    eligible_from: Mapping[str, datetime],
    highs: FloatArray,
    lows: FloatArray,
    ts_open_ns: IntArray,
    start: int,
    stop: int,
) -> int:
    """The first index in [start, stop) where one of the orders ``order_ids`` (each trading from
    the bar opening at its ``eligible_from``) could act on a bar venue, else ``stop``.

    Never later than the truth for a venue that fills by the rules of
    ``paperdesk.execution.fills``: a limit acts once touched, a stop once reached, a DAY order at
    its expiry, a market, IOC or FOK order, or a partly filled one (it fills under a volume cap),
    at once; pending bracket legs never (their parent acts first). Touches use a 1e-9 relative
    tolerance so float rounding cannot hide one; a gap through a level at the open is also a
    touch by the high or low, so the opens are not needed.
    """
    if start >= stop:
        return stop
    first_open = int(ts_open_ns[start])
    groups: dict[int, Thresholds] = {}  # by eligibility: each order acts only once eligible
    for order_id in order_ids:
        order = orders[order_id]
        status = order.status
        if status is _PENDING:
            continue
        order_type = order.order_type
        time_in_force = order.time_in_force
        if (
            order_type is _MARKET
            or time_in_force is _IOC
            or time_in_force is _FOK
            or status is _PARTIALLY_FILLED
        ):
            return start
        eligible = max(_nanoseconds(eligible_from[order_id]), first_open)
        thresholds = groups.get(eligible)
        if thresholds is None:
            thresholds = groups[eligible] = Thresholds(eligible_from=eligible)
        if order.ts_expire is not None:
            thresholds.time_reached(_nanoseconds(order.ts_expire))
        is_buy = order.side is _BUY
        if order_type is _LIMIT or order.triggered:
            level = float(cast(Decimal, order.limit_price))
            thresholds.lower_touch(level) if is_buy else thresholds.upper_touch(level)
        else:
            level = float(cast(Decimal, order.stop_price))
            thresholds.upper_touch(level) if is_buy else thresholds.lower_touch(level)
    found = stop
    for thresholds in groups.values():
        found = first_hit(thresholds, highs, lows, ts_open_ns, start, found)
    return found


def _nanoseconds(ts: datetime) -> int:
    """Epoch nanoseconds of ``ts`` (whole microseconds, as datetime holds them); an order's
    eligibility is read at every search while it rests, so conversions are kept."""
    known = _NANOSECONDS.get(ts)
    if known is None:
        if len(_NANOSECONDS) >= _NANOSECONDS_KEPT:
            _NANOSECONDS.clear()
        known = _NANOSECONDS[ts] = (ts - _EPOCH) // _MICROSECOND * 1000
    return known
