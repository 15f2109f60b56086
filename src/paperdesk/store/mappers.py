"""Row mappers: domain values to table rows and back (no session, no I/O; store-only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row

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
from paperdesk.domain.orders import order_number
from paperdesk.domain.records import (
    AuditView,
    CursorRecord,
    EquityView,
    FillRecord,
    PortfolioRecord,
    SignalView,
    TickRunView,
)
from paperdesk.portfolio import LedgerState, OpenTrade
from paperdesk.store.models import (
    AuditRow,
    EquitySnapshotRow,
    FillRow,
    MarketCursorRow,
    OrderRow,
    PortfolioRow,
    PositionRow,
    SignalRow,
    TickRunRow,
    TradeRow,
)

order_sequence = order_number


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


def read_order(row: OrderRow | Row[Any]) -> Order:
    """An order from its ORM row or a Core row of the table (the same names)."""
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
    return FillRow(**fill_values(portfolio_id, fill, strategy, reason, None))


def fill_values(
    portfolio_id: int, fill: Fill, strategy: str, reason: str, tick_id: int | None
) -> dict[str, Any]:
    """A fill row's columns but its id (for a Core insert)."""
    return {
        "portfolio_id": portfolio_id,
        "tick_id": tick_id,
        "order_id": fill.order_id,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "quantity": fill.quantity,
        "price": fill.price,
        "fee": fill.fee,
        "slippage": fill.slippage,
        "filled_at": fill.ts,
        "strategy": strategy,
        "reason": reason,
    }


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
    return TradeRow(**trade_values(portfolio_id, trade, None))


def trade_values(portfolio_id: int, trade: Trade, tick_id: int | None) -> dict[str, Any]:
    """A round trip row's columns but its id (for a Core insert)."""
    return {
        "portfolio_id": portfolio_id,
        "tick_id": tick_id,
        "symbol": trade.symbol,
        "side": trade.side.value,
        "quantity": trade.quantity,
        "entry_price": trade.entry_price,
        "exit_price": trade.exit_price,
        "entry_at": trade.ts_entry,
        "exit_at": trade.ts_exit,
        "fees": trade.fees,
        "pnl": trade.pnl,
        "strategy": trade.strategy,
        "exit_reason": trade.exit_reason,
    }


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
    return PositionRow(**position_values(portfolio_id, position, opened_bar_index))


def position_values(
    portfolio_id: int, position: Position, opened_bar_index: int | None
) -> dict[str, Any]:
    """A position row's columns (for a Core write)."""
    return {
        "portfolio_id": portfolio_id,
        "symbol": position.symbol,
        "quantity": position.quantity,
        "cost": position.cost_basis,
        "average_price": position.average_price,
        "realized_pnl": position.realized_pnl,
        "opened_at": position.ts_opened,
        "opened_bar_index": opened_bar_index,
    }


def read_fill_record(row: FillRow) -> FillRecord:
    return FillRecord(read_fill(row), row.strategy, row.reason, row.id)


def read_position(row: PositionRow) -> Position:
    return Position(
        row.symbol, row.quantity, row.average_price, row.realized_pnl, row.opened_at, row.cost
    )


def read_portfolio(row: PortfolioRow) -> PortfolioRecord:
    return PortfolioRecord(
        id=row.id,
        name=row.name,
        base_currency=row.base_currency,
        starting_cash=row.starting_cash,
        cash=row.cash,
        fees_paid=row.fees_paid,
        realized_pnl=row.realized_pnl,
        status=row.status,
        settings=dict(row.settings),
        order_sequence=row.order_sequence,
        ts_created=row.created_at,
        ts_archived=row.archived_at,
        revision=row.revision,
    )


def portfolio_record(values: Mapping[str, Any]) -> PortfolioRecord:
    """``read_portfolio`` of a row read with Core: its values by column."""
    return PortfolioRecord(
        id=values["id"],
        name=values["name"],
        base_currency=values["base_currency"],
        starting_cash=values["starting_cash"],
        cash=values["cash"],
        fees_paid=values["fees_paid"],
        realized_pnl=values["realized_pnl"],
        status=values["status"],
        settings=dict(values["settings"]),
        order_sequence=values["order_sequence"],
        ts_created=values["created_at"],
        ts_archived=values["archived_at"],
        revision=values["revision"],
    )


def read_cursor(row: MarketCursorRow) -> CursorRecord:
    return CursorRecord(
        row.symbol,
        row.timeframe,
        row.candle_at,
        row.candle_close_at,
        row.bar_index,
        row.last_price,
        row.replay_index,
    )


def read_signal(row: SignalRow) -> SignalView:
    return SignalView(
        row.id,
        row.strategy,
        row.symbol,
        row.candle_at,
        row.direction,
        row.confidence,
        row.stop,
        row.target,
        row.reason,
        row.status,
        row.rejection,
    )


def read_audit(row: AuditRow) -> AuditView:
    return AuditView(
        row.id, row.recorded_at, row.at, row.kind, row.message, dict(row.details), row.tick_id
    )


def read_equity(row: EquitySnapshotRow) -> EquityView:
    return EquityView(
        row.at,
        row.cash,
        row.positions_value,
        row.equity,
        row.realized_pnl,
        row.unrealized_pnl,
        row.fees_paid,
    )


def equity_row(portfolio_id: int, point: EquityView, tick_id: int | None) -> EquitySnapshotRow:
    return EquitySnapshotRow(**equity_values(portfolio_id, point, tick_id))


def equity_values(portfolio_id: int, point: EquityView, tick_id: int | None) -> dict[str, Any]:
    """An equity snapshot row's columns (for a Core insert)."""
    return {
        "portfolio_id": portfolio_id,
        "tick_id": tick_id,
        "at": point.ts,
        "cash": point.cash,
        "positions_value": point.positions_value,
        "equity": point.equity,
        "realized_pnl": point.realized_pnl,
        "unrealized_pnl": point.unrealized_pnl,
        "fees_paid": point.fees_paid,
    }


def read_tick_run(row: TickRunRow) -> TickRunView:
    return TickRunView(
        row.id, row.strategy, row.symbol, row.candle_at, row.outcome, row.summary, row.recorded_at
    )


# ---------------------------------------------------------------------- ledger checkpoints


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def ledger_state_document(state: LedgerState) -> dict[str, Any]:
    """Positions and open round trips as JSON (exact decimals as strings)."""
    return {
        "positions": [
            {
                "symbol": p.symbol,
                "quantity": str(p.quantity),
                "average_price": str(p.average_price),
                "realized_pnl": str(p.realized_pnl),
                "opened_at": p.ts_opened.isoformat() if p.ts_opened else None,
                "cost": _text(p.cost),
            }
            for p in state.positions
        ],
        "open_trades": [
            {
                "symbol": t.symbol,
                "side": t.side.value,
                "entry_at": t.ts_entry.isoformat(),
                "strategy": t.strategy,
                "entry_quantity": str(t.entry_quantity),
                "entry_notional": str(t.entry_notional),
                "exit_quantity": str(t.exit_quantity),
                "exit_notional": str(t.exit_notional),
                "fees": str(t.fees),
                "realized": str(t.realized),
            }
            for t in state.open_trades
        ],
    }


def read_ledger_state(
    cash: Decimal, fees: Decimal, realized: Decimal, document: dict[str, Any]
) -> LedgerState:
    positions = tuple(
        Position(
            p["symbol"],
            Decimal(p["quantity"]),
            Decimal(p["average_price"]),
            Decimal(p["realized_pnl"]),
            datetime.fromisoformat(p["opened_at"]) if p["opened_at"] else None,
            _number(p["cost"]),
        )
        for p in document["positions"]
    )
    trades = tuple(
        OpenTrade(
            t["symbol"],
            Side(t["side"]),
            datetime.fromisoformat(t["entry_at"]),
            t["strategy"],
            Decimal(t["entry_quantity"]),
            Decimal(t["entry_notional"]),
            Decimal(t["exit_quantity"]),
            Decimal(t["exit_notional"]),
            Decimal(t["fees"]),
            Decimal(t["realized"]),
        )
        for t in document["open_trades"]
    )
    return LedgerState(cash, fees, realized, positions, trades)
