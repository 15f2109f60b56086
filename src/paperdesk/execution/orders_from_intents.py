"""Building orders from router intents: what the book refuses, bracket legs and their prices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from paperdesk.domain import (
    ZERO,
    Instrument,
    Order,
    OrderIntent,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.domain.money import round_to_increment


def order_from_intent(
    intent: OrderIntent,
    order_id: str,
    client_id: str,
    ts: datetime,
    status: OrderStatus,
    ts_expire: datetime | None = None,
    children: tuple[str, ...] = (),
) -> Order:
    """An order for ``intent``, whose fields the intent's constructor validated."""
    return Order._make(
        (
            order_id,
            client_id,
            intent.symbol,
            intent.side,
            intent.order_type,
            intent.quantity,
            ts,
            intent.limit_price,
            intent.stop_price,
            intent.time_in_force,
            intent.role,
            None,
            status,
            ZERO,
            None,
            False,
            ts_expire,
            ts,
            intent.size_fraction,
            intent.strategy,
            intent.reason,
            children,
        )
    )


def rejection_reason(
    intent: OrderIntent, instrument: Instrument | None, instruments: Mapping[str, Instrument]
) -> str | None:
    """Why the venue refuses ``intent``, or None when it is acceptable."""
    if instrument is None:
        known = ", ".join(sorted(instruments)[:10]) or "none"
        return f"unknown symbol {intent.symbol!r} (known: {known})"
    if intent.size_fraction is None and intent.quantity % instrument.lot_size != 0:
        return f"quantity {intent.quantity} is not a multiple of the lot size {instrument.lot_size}"
    stop_loss, take_profit = intent.stop_loss, intent.take_profit
    if stop_loss is None and take_profit is None:
        return None
    if intent.role is not OrderRole.ENTRY:
        return f"stop_loss/take_profit only apply to entry orders, not to {intent.role.value}"
    for name, price in (("stop_loss", stop_loss), ("take_profit", take_profit)):
        if price is not None and price <= 0:
            return f"{name} must be positive, got {price}"
    if stop_loss is not None and take_profit is not None:
        below = stop_loss < take_profit if intent.side is Side.BUY else stop_loss > take_profit
        if not below:
            where = "below" if intent.side is Side.BUY else "above"
            return (
                f"a {intent.side.value} bracket needs stop_loss {stop_loss} {where} "
                f"take_profit {take_profit}"
            )
    return None


def bracket_legs(
    intent: OrderIntent,
    parent_id: str,
    leg_ids: Sequence[str],
    instrument: Instrument,
    ts: datetime,
) -> tuple[Order, ...]:
    """The pending stop-loss and take-profit legs of a bracket entry, with ``leg_ids`` in that
    order (one id per price the intent sets), at prices rounded against the trader."""
    legs: list[Order] = []
    # pending legs are sized at the parent's fill; until then they hold a placeholder quantity
    quantity = intent.quantity if intent.quantity > 0 else instrument.lot_size
    ids = iter(leg_ids)
    for role, price in (
        (OrderRole.STOP_LOSS, intent.stop_loss),
        (OrderRole.TAKE_PROFIT, intent.take_profit),
    ):
        if price is None:
            continue
        leg_id = next(ids)
        is_stop = role is OrderRole.STOP_LOSS
        price = round_against_trader(price, intent.side.opposite, is_stop, instrument)
        legs.append(
            Order(
                leg_id,
                leg_id,
                intent.symbol,
                intent.side.opposite,
                OrderType.STOP if is_stop else OrderType.LIMIT,
                quantity,
                ts,
                limit_price=None if is_stop else price,
                stop_price=price if is_stop else None,
                time_in_force=TimeInForce.GTC,
                role=role,
                parent_id=parent_id,
                status=OrderStatus.PENDING,
                ts_updated=ts,
                strategy=intent.strategy,
                reason=role.value.replace("_", " "),
            )
        )
    return tuple(legs)


def round_against_trader(
    price: Decimal, leg_side: Side, is_stop: bool, instrument: Instrument
) -> Decimal:
    """Round a bracket price to the tick in the trader's disfavour: a selling stop and a buying
    target round down, a buying stop and a selling target round up."""
    rounds_down = (leg_side is Side.SELL) == is_stop
    return round_to_increment(
        price, instrument.tick_size, ROUND_FLOOR if rounds_down else ROUND_CEILING
    )
