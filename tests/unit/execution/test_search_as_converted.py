"""The skip-ahead search (``actionable``: the book's ``actionable_index`` on its dicts and the run's
views, and ``first_actionable_index`` on any mapping) finds the bar the search found when it
converted every order's Decimal level and times at each search, for random resting orders
(limits, stops, stop-limits triggered or not, DAY expiries, eligibility times, buys and sells,
pending legs, market, IOC, FOK and partly filled orders), and again after each order changes
(a trigger, a modify, a partial fill, a cancel): whatever a search keeps of an order must follow
it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import cast

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import OrderRole, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.execution.actionable import actionable_index, first_actionable_index
from paperdesk.execution.live_order import LiveOrder, live_order
from paperdesk.execution.scan import ScanColumns, Thresholds, first_hit

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_START = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
_MINUTE_NS = 60 * 10**9
_ZERO = Decimal(0)


def _ns(ts: datetime) -> int:
    return (ts - _EPOCH) // timedelta(microseconds=1) * 1000


def converted_each_search(
    order_ids: list[str],
    orders: Mapping[str, LiveOrder],
    eligible_from: Mapping[str, datetime],
    highs: np.ndarray,
    lows: np.ndarray,
    times: np.ndarray,
    start: int,
    stop: int,
) -> int:
    """The search as it was: each order's level ``float(Decimal)`` and its times converted at
    every search, the thresholds grouped by eligibility, each group scanned by ``first_hit``."""
    if start >= stop:
        return stop
    groups: dict[int, Thresholds] = {}
    for order_id in order_ids:
        order = orders[order_id]
        if order.status is OrderStatus.PENDING:
            continue
        if (
            order.order_type is OrderType.MARKET
            or order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK)
            or order.status is OrderStatus.PARTIALLY_FILLED
        ):
            return start
        eligible = max(_ns(eligible_from[order_id]), int(times[start]))
        thresholds = groups.setdefault(eligible, Thresholds(eligible_from=eligible))
        if order.ts_expire is not None:
            thresholds.time_reached(_ns(order.ts_expire))
        buy = order.side is Side.BUY
        if order.order_type is OrderType.LIMIT or order.triggered:
            level = float(cast(Decimal, order.limit_price))
            thresholds.lower_touch(level) if buy else thresholds.upper_touch(level)
        else:
            level = float(cast(Decimal, order.stop_price))
            thresholds.upper_touch(level) if buy else thresholds.lower_touch(level)
    found = stop
    for thresholds in groups.values():
        found = first_hit(thresholds, highs, lows, times, start, found)
    return found


def _record(
    order_id: str,
    side: Side,
    order_type: OrderType,
    limit: Decimal | None,
    stop: Decimal | None,
    time_in_force: TimeInForce,
    status: OrderStatus,
    triggered: bool,
    ts_expire: datetime | None,
) -> LiveOrder:
    return LiveOrder(
        order_id, order_id, "AAA", side, order_type, Decimal(10), _START, limit, stop,
        time_in_force, OrderRole.ENTRY, None, status, _ZERO, None, triggered, ts_expire, None,
        None, "", "", (),
    )  # fmt: skip


_PRICES = st.integers(40, 500).map(lambda cents: Decimal(cents).scaleb(-2))
_HUNDRED = Decimal("100.00")
_THREE = Decimal(3)
# orders that act at once (market, IOC, FOK, partly filled) end a search at its start: rare
_KINDS = st.sampled_from(
    [*[OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT] * 12, OrderType.MARKET]
)
_ORDER = st.tuples(
    st.sampled_from([Side.BUY, Side.SELL]),
    _KINDS,
    _PRICES,
    _PRICES,
    st.sampled_from([*[TimeInForce.GTC, TimeInForce.DAY] * 18, TimeInForce.IOC, TimeInForce.FOK]),
    st.sampled_from(
        [OrderStatus.ACCEPTED, OrderStatus.ACCEPTED, OrderStatus.ACCEPTED, OrderStatus.PENDING]
    ),
    st.booleans(),  # a stop-limit already triggered
    st.integers(0, 80),  # the DAY expiry, in minutes from the first bar
    st.integers(-5, 60),  # eligible from, in minutes from the first bar (before it: at once)
    st.integers(0, 59_999_999),  # microseconds past the minute of either time (off the bars)
)
# one change per step: (kind, which order, a new price, a time in minutes)
_CHANGE = st.tuples(
    st.sampled_from([*["trigger", "modify", "eligible"] * 4, "cancel", "partial"]),
    st.integers(0, 7),
    _PRICES,
    st.integers(-5, 60),
)


def _bars(moves: list[int], gaps: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Highs, lows (two-decimal prices around 100) and open times one minute or more apart."""
    mids = 100.0 + np.cumsum(np.array(moves, dtype=np.float64)) / 100.0
    highs = np.round(mids + 0.35, 2)
    lows = np.round(mids - 0.35, 2)
    start = _ns(_START)
    times = start + np.cumsum(np.array([0, *gaps[1:]], dtype=np.int64)) * _MINUTE_NS
    return highs, lows, times.astype(np.int64)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_ORDER, min_size=1, max_size=5),
    st.lists(st.integers(-40, 40), min_size=20, max_size=80),
    st.data(),
    st.lists(_CHANGE, max_size=6),
)
def test_the_search_finds_what_converting_at_each_search_found(
    specs: list[
        tuple[Side, OrderType, Decimal, Decimal, TimeInForce, OrderStatus, bool, int, int, int]
    ],
    moves: list[int],
    data: st.DataObject,
    changes: list[tuple[str, int, Decimal, int]],
) -> None:
    count = len(moves)
    gaps = data.draw(st.lists(st.integers(1, 3), min_size=count, max_size=count))
    highs, lows, times = _bars(moves, gaps)
    orders: dict[str, LiveOrder] = {}
    eligible: dict[str, datetime] = {}
    for number, spec in enumerate(specs):
        side, kind, price, other, tif, status, triggered, expiry, from_minute, micros = spec
        # ``price`` and ``other`` are distances from 100.00: the level rests away from the price
        # (a buy limit below, a buy stop above), ``triggered`` orders aside; a stop-limit's
        # limit is on either side of its stop
        below = (side is Side.BUY) is (kind is OrderType.LIMIT)
        level = _HUNDRED - price if below else _HUNDRED + price
        limit = (
            level
            if kind is OrderType.LIMIT
            else level + other - _THREE
            if kind is OrderType.STOP_LIMIT
            else None
        )
        stop = level if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None
        ts_expire = (
            _START + timedelta(minutes=expiry, microseconds=micros)
            if tif is TimeInForce.DAY
            else None
        )
        order_id = f"O{number + 1}"
        orders[order_id] = _record(
            order_id,
            side,
            kind,
            limit,
            stop,
            tif,
            status,
            triggered and kind is OrderType.STOP_LIMIT,
            ts_expire,
        )
        eligible[order_id] = _START + timedelta(minutes=from_minute, microseconds=micros // 7)
    book = dict.fromkeys(orders)
    run_columns = ScanColumns(highs, lows, times, indexed=True)  # a run's, made once
    ranges = [  # [start, stop): a search from a bar up to the next signal's (or none)
        (start, min(count, start + length))
        for start, length in data.draw(
            st.lists(
                st.tuples(st.integers(0, count - 1), st.integers(1, count)),
                min_size=len(changes) + 1,
                max_size=len(changes) + 1,
            )
        )
    ]

    def agree(start: int, stop: int) -> None:
        for order_id in book:  # each order alone (an order acting at once ends a search)
            alone = {order_id: None}
            assert actionable_index(
                alone, orders, eligible, highs, lows, times, start, stop, run_columns
            ) == converted_each_search(
                [order_id], orders, eligible, highs, lows, times, start, stop
            )
        expected = converted_each_search(
            list(book), orders, eligible, highs, lows, times, start, stop
        )
        assert (
            actionable_index(book, orders, eligible, highs, lows, times, start, stop, run_columns)
            == expected
        )
        assert actionable_index(book, orders, eligible, highs, lows, times, start, stop) == (
            expected
        )
        assert (
            first_actionable_index(  # any iterable and mappings: another caller's
                list(book),
                MappingProxyType(orders),
                MappingProxyType(eligible),
                highs,
                lows,
                times,
                start,
                stop,
            )
            == expected
        )

    agree(*ranges[0])
    for (change, which, price, minute), (first, end) in zip(changes, ranges[1:], strict=True):
        # the change's order: one it applies to where there is one
        fits = [
            order_id
            for order_id, record in orders.items()
            if change != "trigger"
            or (record.order_type is OrderType.STOP_LIMIT and not record.triggered)
        ]
        order_id = fits[which % len(fits)] if fits else "O1"
        record = orders[order_id]
        moment = _START + timedelta(minutes=minute)
        if change == "trigger" and record.order_type is OrderType.STOP_LIMIT:
            record.trigger(moment)  # now a limit: the level searched is the limit
        elif change == "modify" and record.order_type is not OrderType.MARKET:
            # the book's modify: a new record of the changed order, the level searched moved
            field = (
                "limit_price"
                if record.order_type is OrderType.LIMIT or record.triggered
                else "stop_price"
            )
            changed = record.snapshot().evolve(ts_updated=moment, **{field: _HUNDRED - price})
            orders[order_id] = live_order(changed)
            eligible[order_id] = max(eligible[order_id], moment)
        elif change == "partial" and record.status is OrderStatus.ACCEPTED:
            record.fill(OrderStatus.PARTIALLY_FILLED, Decimal(1), price, moment)
        elif change == "cancel" and record.status in (OrderStatus.ACCEPTED, OrderStatus.PENDING):
            record.close(OrderStatus.CANCELED, moment)
            del book[order_id]
        elif change == "eligible":
            eligible[order_id] = moment  # a leg activated from another bar
        agree(first, end)
