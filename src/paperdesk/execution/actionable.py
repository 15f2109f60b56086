"""The first bar where a set of resting orders could act, found vectorised (for skipping bars)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final, cast

from paperdesk.domain import OrderStatus, OrderType, Side, TimeInForce
from paperdesk.execution.live_order import LiveOrder
from paperdesk.execution.scan import FloatArray, IntArray, ScanColumns, Thresholds, first_hit_in

# Enum member lookups cost a metaclass call each; the search reads these module constants
# (Final: compiled, read from C variables, not looked up in the module's dict).
_PENDING: Final = OrderStatus.PENDING
_PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
_MARKET: Final = OrderType.MARKET
_LIMIT: Final = OrderType.LIMIT
_IOC: Final = TimeInForce.IOC
_FOK: Final = TimeInForce.FOK
_BUY: Final = Side.BUY
_UTC: Final = UTC
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_EPOCH_ORDINAL: Final = _EPOCH.toordinal()
# the last time ``_nanoseconds`` converted, and its nanoseconds (one tuple, replaced whole)
_last_time: Final[list[tuple[datetime, int] | None]] = [None]


def first_actionable_index(
    order_ids: Iterable[str],
    orders: Mapping[str, LiveOrder],
    eligible_from: Mapping[str, datetime],
    highs: FloatArray,
    lows: FloatArray,
    ts_open_ns: IntArray,
    start: int,
    stop: int,
    columns: ScanColumns | None = None,
) -> int:
    """The first index in [start, stop) where one of the orders ``order_ids`` (each trading from
    the bar opening at its ``eligible_from``) could act on a bar venue, else ``stop``;
    ``columns``, when given, are ``highs``, ``lows`` and ``ts_open_ns`` with their views made
    once (a run's driver), else made here.

    Never later than the truth for a venue that fills by the rules of
    ``paperdesk.execution.fills``: a limit acts once touched, a stop once reached, a DAY order at
    its expiry, a market, IOC or FOK order, or a partly filled one (it fills under a volume cap),
    at once; pending bracket legs never (their parent acts first). Touches use a 1e-9 relative
    tolerance so float rounding cannot hide one; a gap through a level at the open is also a
    touch by the high or low, so the opens are not needed. (``actionable_index`` on the book's
    own dicts.)
    """
    return actionable_index(
        order_ids if isinstance(order_ids, dict) else dict.fromkeys(order_ids),
        orders if isinstance(orders, dict) else dict(orders),
        eligible_from if isinstance(eligible_from, dict) else dict(eligible_from),
        highs,
        lows,
        ts_open_ns,
        start,
        stop,
        columns,
    )


def actionable_index(
    order_ids: dict[str, None],
    orders: dict[str, LiveOrder],
    eligible_from: dict[str, datetime],
    highs: FloatArray,
    lows: FloatArray,
    ts_open_ns: IntArray,
    start: int,
    stop: int,
    columns: ScanColumns | None = None,
) -> int:
    """``first_actionable_index`` on dicts (the book's: typed, so that compiled, the lookups and
    the walk over the ids are the dict's own, not the generic protocol's)."""
    if start >= stop:
        return stop
    first_open = 0  # read with the first order that waits for a level
    have_open = False
    groups: list[Thresholds] = []  # by eligibility (each order acts only once eligible): few
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
        if not have_open:
            # a run's columns read the time through their view (an exact int, no NumPy scalar)
            if columns is not None and columns.exact:
                first_open = columns.times_seen[start]
            else:
                first_open = int(ts_open_ns[start])
            have_open = True
        eligible = max(_nanoseconds(eligible_from[order_id]), first_open)
        thresholds = _group(groups, eligible)
        if order.ts_expire is not None:
            thresholds.time_reached(_nanoseconds(order.ts_expire))
        is_buy = order.side is _BUY
        if order_type is _LIMIT or order.triggered:
            level = float(cast(Decimal, order.limit_price))
            thresholds.lower_touch(level) if is_buy else thresholds.upper_touch(level)
        else:
            level = float(cast(Decimal, order.stop_price))
            thresholds.upper_touch(level) if is_buy else thresholds.lower_touch(level)
    if not groups:
        return stop
    scanned = ScanColumns(highs, lows, ts_open_ns) if columns is None else columns
    found = stop
    for thresholds in groups:
        found = first_hit_in(thresholds, scanned, start, found)
    return found


def _group(groups: list[Thresholds], eligible: int) -> Thresholds:
    """The thresholds of the orders eligible from ``eligible``, added after the others when
    new (a bracket's legs share one: a list is cheaper than a dict of them)."""
    for thresholds in groups:
        if thresholds.eligible_from == eligible:
            return thresholds
    thresholds = Thresholds(eligible_from=eligible)
    groups.append(thresholds)
    return thresholds


def _nanoseconds(ts: datetime) -> int:
    """Epoch nanoseconds of ``ts`` (whole microseconds, as datetime holds them). The legs of a
    bracket share one eligibility, read one after the other: the last time converted is kept
    (by identity: hashing an aware datetime costs more than converting it)."""
    last = _last_time[0]
    if last is not None and last[0] is ts:
        return last[1]
    if ts.tzinfo is _UTC:  # from its fields (what ``ts - epoch`` computes, without a timedelta)
        seconds = (ts.toordinal() - _EPOCH_ORDINAL) * 86_400 + (
            ts.hour * 3600 + ts.minute * 60 + ts.second
        )
        ns = seconds * 1_000_000_000 + ts.microsecond * 1000
    else:
        ns = (ts - _EPOCH) // _MICROSECOND * 1000
    _last_time[0] = (ts, ns)
    return ns
