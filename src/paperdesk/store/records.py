"""Conversions between domain values and table rows (no session, no I/O)."""

from __future__ import annotations

from datetime import datetime

from paperdesk.domain import (
    Fill,
    Order,
    OrderRole,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
    Trade,
)
from paperdesk.store.models import FillRow, OrderRow, PositionRow, TradeRow


def order_sequence(order_id: str) -> int:
    digits = "".join(ch for ch in order_id if ch.isdigit())
    return int(digits) if digits else 0


def write_order(row: OrderRow, order: Order, eligible_from: datetime) -> OrderRow:
    """Copy ``order`` onto ``row`` (a new or an existing row of the same order)."""
    row.order_id = order.order_id
    row.sequence = order_sequence(order.order_id)
    row.client_order_id = order.client_order_id
    row.symbol = order.symbol
    row.side = order.side.value
    row.order_type = order.order_type.value
    row.quantity = order.quantity
    row.limit_price = order.limit_price
    row.stop_price = order.stop_price
    row.time_in_force = order.time_in_force.value
    row.role = order.role.value
    row.parent_id = order.parent_id
    row.children = list(order.children)
    row.status = order.status.value
    row.filled_quantity = order.filled_quantity
    row.average_price = order.average_price
    row.triggered = order.triggered
    row.size_fraction = order.size_fraction
    row.strategy = order.strategy
    row.reason = order.reason
    row.submitted_at = order.ts_submitted
    row.expires_at = order.ts_expire
    row.updated_at = order.ts_updated
    row.eligible_at = eligible_from
    return row


def read_order(row: OrderRow) -> Order:
    return Order(
        order_id=row.order_id,
        client_order_id=row.client_order_id,
        symbol=row.symbol,
        side=Side(row.side),
        order_type=OrderType(row.order_type),
        quantity=row.quantity,
        ts_submitted=row.submitted_at,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        time_in_force=TimeInForce(row.time_in_force),
        role=OrderRole(row.role),
        parent_id=row.parent_id,
        status=OrderStatus(row.status),
        filled_quantity=row.filled_quantity,
        average_price=row.average_price,
        triggered=row.triggered,
        ts_expire=row.expires_at,
        ts_updated=row.updated_at,
        size_fraction=row.size_fraction,
        strategy=row.strategy,
        reason=row.reason,
        children=tuple(row.children),
    )


def fill_row(portfolio_id: int, fill: Fill, strategy: str, reason: str) -> FillRow:
    return FillRow(
        portfolio_id=portfolio_id,
        order_id=fill.order_id,
        symbol=fill.symbol,
        side=fill.side.value,
        quantity=fill.quantity,
        price=fill.price,
        fee=fill.fee,
        slippage=fill.slippage,
        filled_at=fill.ts,
        strategy=strategy,
        reason=reason,
    )


def read_fill(row: FillRow) -> Fill:
    return Fill(
        row.order_id,
        row.symbol,
        Side(row.side),
        row.quantity,
        row.price,
        row.fee,
        row.filled_at,
        row.slippage,
    )


def trade_row(portfolio_id: int, trade: Trade) -> TradeRow:
    return TradeRow(
        portfolio_id=portfolio_id,
        symbol=trade.symbol,
        side=trade.side.value,
        quantity=trade.quantity,
        entry_price=trade.entry_price,
        exit_price=trade.exit_price,
        entry_at=trade.ts_entry,
        exit_at=trade.ts_exit,
        fees=trade.fees,
        pnl=trade.pnl,
        strategy=trade.strategy,
        exit_reason=trade.exit_reason,
    )


def read_trade(row: TradeRow) -> Trade:
    return Trade(
        row.symbol,
        Side(row.side),
        row.quantity,
        row.entry_price,
        row.exit_price,
        row.entry_at,
        row.exit_at,
        row.fees,
        row.pnl,
        row.strategy,
        row.exit_reason,
    )


def position_row(
    portfolio_id: int, position: Position, opened_bar_index: int | None
) -> PositionRow:
    return PositionRow(
        portfolio_id=portfolio_id,
        symbol=position.symbol,
        quantity=position.quantity,
        cost=position.cost_basis,
        average_price=position.average_price,
        realized_pnl=position.realized_pnl,
        opened_at=position.ts_opened,
        opened_bar_index=opened_bar_index,
    )
