"""The book's records of router intents: what the book refuses, bracket legs and their prices.

The records (``LiveOrder``) are built straight from the intent's fields; the public ``Order`` of
one is built when a reader asks (``LiveOrder.snapshot``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Final

from paperdesk.domain import (
    ZERO,
    Instrument,
    OrderIntent,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.domain.money import round_to_increment
from paperdesk.domain.order_fields import validate_order_fields
from paperdesk.execution.live_order import LiveOrder

_STOP_LOSS: Final = OrderRole.STOP_LOSS
_TAKE_PROFIT: Final = OrderRole.TAKE_PROFIT
_STOP: Final = OrderType.STOP
_LIMIT: Final = OrderType.LIMIT
_GTC: Final = TimeInForce.GTC
_PENDING: Final = OrderStatus.PENDING
_BUY: Final = Side.BUY
_SELL: Final = Side.SELL
_ENTRY: Final = OrderRole.ENTRY
_LEG_REASONS: Final = {role: role.value.replace("_", " ") for role in (_STOP_LOSS, _TAKE_PROFIT)}


def record_from_intent(
    intent: OrderIntent,
    order_id: str,
    client_id: str,
    ts: datetime,
    status: OrderStatus,
    ts_expire: datetime | None = None,
    children: tuple[str, ...] = (),
) -> LiveOrder:
    """The record of an order for ``intent``, whose fields the intent's constructor
    validated."""
    # two unpackings (compiled: an item read each) instead of eleven attribute lookups
    symbol, side, quantity, order_type, limit_price, stop_price, time_in_force, role = intent[:8]
    size_fraction, strategy, reason = intent[10:]
    return LiveOrder(
        order_id,
        client_id,
        symbol,
        side,
        order_type,
        quantity,
        ts,
        limit_price,
        stop_price,
        time_in_force,
        role,
        None,
        status,
        ZERO,
        None,
        False,
        ts_expire,
        ts,
        size_fraction,
        strategy,
        reason,
        children,
    )


def rejection_reason(
    intent: OrderIntent, instrument: Instrument | None, instruments: Mapping[str, Instrument]
) -> str | None:
    """Why the venue refuses ``intent``, or None when it is acceptable."""
    # the intent's fields by position (compiled: an item read each, not an attribute lookup)
    if instrument is None:
        known = ", ".join(sorted(instruments)[:10]) or "none"
        return f"unknown symbol {intent[0]!r} (known: {known})"
    quantity = intent[2]
    if intent[10] is None and quantity % instrument.lot_size != ZERO:
        return f"quantity {quantity} is not a multiple of the lot size {instrument.lot_size}"
    stop_loss, take_profit = intent[8], intent[9]
    if stop_loss is None and take_profit is None:
        return None
    role = intent[7]
    if role is not _ENTRY:
        return f"stop_loss/take_profit only apply to entry orders, not to {role.value}"
    if stop_loss is not None and stop_loss <= ZERO:
        return f"stop_loss must be positive, got {stop_loss}"
    if take_profit is not None and take_profit <= ZERO:
        return f"take_profit must be positive, got {take_profit}"
    if stop_loss is not None and take_profit is not None:
        side = intent[1]
        below = stop_loss < take_profit if side is _BUY else stop_loss > take_profit
        if not below:
            where = "below" if side is _BUY else "above"
            return (
                f"a {side.value} bracket needs stop_loss {stop_loss} {where} "
                f"take_profit {take_profit}"
            )
    return None


def bracket_leg_records(
    intent: OrderIntent,
    parent_id: str,
    leg_ids: Sequence[str],
    instrument: Instrument,
    ts: datetime,
) -> tuple[LiveOrder, ...]:
    """The records of the pending stop-loss and take-profit legs of a bracket entry, with
    ``leg_ids`` in that order (one id per price the intent sets), at prices rounded against the
    trader."""
    # the intent's fields by position (compiled: an item read each, not an attribute lookup)
    symbol, entry_side, quantity = intent[0], intent[1], intent[2]
    stop_loss, take_profit, strategy = intent[8], intent[9], intent[11]
    # pending legs are sized at the parent's fill; until then they hold a placeholder quantity
    if quantity <= ZERO:
        quantity = instrument.lot_size
    side = _SELL if entry_side is _BUY else _BUY  # ``Side.opposite`` without its frame
    stop, target = levels_on_the_tick(entry_side, stop_loss, take_profit, instrument)
    if stop is None:
        if target is None:
            return ()
        return (
            _leg(leg_ids[0], _TAKE_PROFIT, target, symbol, side, quantity, parent_id, strategy, ts),
        )
    stop_leg = _leg(leg_ids[0], _STOP_LOSS, stop, symbol, side, quantity, parent_id, strategy, ts)
    if target is None:
        return (stop_leg,)
    return (
        stop_leg,
        _leg(leg_ids[1], _TAKE_PROFIT, target, symbol, side, quantity, parent_id, strategy, ts),
    )


def _leg(
    leg_id: str,
    role: OrderRole,
    price: Decimal,
    symbol: str,
    side: Side,
    quantity: Decimal,
    parent_id: str,
    strategy: str,
    ts: datetime,
) -> LiveOrder:
    """One pending leg of ``bracket_leg_records``: a stop-loss stops at ``price``, a take-profit
    limits."""
    is_stop = role is _STOP_LOSS
    limit_price, stop_price = (None, price) if is_stop else (price, None)
    order_type = _STOP if is_stop else _LIMIT
    # the checks of Order's constructor (a price rounded to the tick can reach zero)
    validate_order_fields(symbol, quantity, order_type, limit_price, stop_price)
    return LiveOrder(
        leg_id,
        leg_id,
        symbol,
        side,
        order_type,
        quantity,
        ts,
        limit_price,
        stop_price,
        _GTC,
        role,
        parent_id,
        _PENDING,
        ZERO,
        None,
        False,
        None,
        ts,
        None,
        strategy,
        _LEG_REASONS[role],
        (),
    )


def levels_on_the_tick(
    entry_side: Side,
    stop_loss: Decimal | None,
    take_profit: Decimal | None,
    instrument: Instrument,
) -> tuple[Decimal | None, Decimal | None]:
    """A bracket's stop-loss and take-profit (of an entry on ``entry_side``) rounded to the
    tick against the trader: the prices ``bracket_leg_records`` gives its legs."""
    legs = _SELL if entry_side is _BUY else _BUY
    return (
        None if stop_loss is None else round_against_trader(stop_loss, legs, True, instrument),
        None if take_profit is None else round_against_trader(take_profit, legs, False, instrument),
    )


def round_against_trader(
    price: Decimal, leg_side: Side, is_stop: bool, instrument: Instrument
) -> Decimal:
    """Round a bracket price to the tick in the trader's disfavour: a selling stop and a buying
    target round down, a buying stop and a selling target round up."""
    rounds_down = (leg_side is _SELL) == is_stop
    return round_to_increment(
        price, instrument.tick_size, ROUND_FLOOR if rounds_down else ROUND_CEILING
    )
