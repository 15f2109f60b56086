"""Read the CSV files of an export back into domain values, strictly (see ``ledger_files``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from paperdesk.domain import (
    DataError,
    Fill,
    InvalidInputError,
    Order,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.domain.records import EquityView
from paperdesk.service.ledger_files import (
    FILL_COLUMNS,
    ORDER_COLUMNS,
    PNL_COLUMNS,
    POSITION_COLUMNS,
    CsvReader,
)


@dataclass(frozen=True, slots=True)
class ImportedFill:
    fill: Fill
    strategy: str
    reason: str
    line: int


def read_orders(directory: Path) -> list[tuple[Order, datetime]]:
    """Every order of orders.csv with the first bar open it may trade at, in submission order."""
    reader = CsvReader(directory / "orders.csv", ORDER_COLUMNS)
    orders: list[tuple[Order, datetime]] = []
    seen_ids: set[str] = set()
    seen_client_ids: set[str] = set()
    for row in reader.rows():
        try:
            order = Order(
                order_id=reader.text(row, "order_id"),
                client_order_id=reader.text(row, "client_order_id"),
                symbol=reader.text(row, "symbol"),
                side=Side(row["side"]),
                order_type=OrderType(row["type"]),
                quantity=reader.decimal(row, "quantity"),
                ts_submitted=reader.moment(row, "submitted_at"),
                limit_price=reader.optional_decimal(row, "limit_price"),
                stop_price=reader.optional_decimal(row, "stop_price"),
                time_in_force=TimeInForce(row["time_in_force"]),
                role=OrderRole(row["role"]),
                parent_id=row["parent_id"] or None,
                status=OrderStatus(row["status"]),
                filled_quantity=reader.decimal(row, "filled_quantity"),
                average_price=reader.optional_decimal(row, "average_price"),
                triggered=reader.flag(row, "triggered"),
                ts_expire=reader.optional_moment(row, "expires_at"),
                ts_updated=reader.optional_moment(row, "updated_at"),
                size_fraction=reader.optional_decimal(row, "size_fraction"),
                strategy=row["strategy"],
                reason=row["reason"],
                children=tuple(c for c in row["children"].split(";") if c),
            )
        except (ValueError, InvalidInputError) as error:  # enum values and order validation
            raise reader.fail(str(error)) from None
        if order.order_id in seen_ids:
            raise reader.fail(f"order {order.order_id!r} is listed twice")
        if order.client_order_id in seen_client_ids:
            raise reader.fail(f"client order id {order.client_order_id!r} is used twice")
        seen_ids.add(order.order_id)
        seen_client_ids.add(order.client_order_id)
        orders.append((order, reader.moment(row, "eligible_at")))
    return orders


def read_fills(directory: Path) -> list[ImportedFill]:
    """The fills of fills.csv in the order they were booked (by fill id)."""
    reader = CsvReader(directory / "fills.csv", FILL_COLUMNS)
    fills: list[tuple[int, ImportedFill]] = []
    for row in reader.rows():
        fill_id = reader.integer(row, "fill_id")
        try:
            side = Side(row["side"])
        except ValueError as error:
            raise reader.fail(str(error)) from None
        quantity = reader.decimal(row, "quantity")
        price = reader.decimal(row, "price")
        if quantity <= 0 or price <= 0:
            raise reader.fail(f"quantity and price must be positive, got {quantity} at {price}")
        fill = Fill(
            reader.text(row, "order_id"),
            reader.text(row, "symbol"),
            side,
            quantity,
            price,
            reader.decimal(row, "fee"),
            reader.moment(row, "filled_at"),
            reader.decimal(row, "slippage"),
        )
        if fill.fee < 0:
            raise reader.fail(f"fee must not be negative, got {fill.fee}")
        notional = reader.decimal(row, "notional")
        if notional != quantity * price:
            raise reader.fail(f"notional {notional} is not quantity x price {quantity * price}")
        fills.append((fill_id, ImportedFill(fill, row["strategy"], row["reason"], reader.line)))
    ids = [fill_id for fill_id, _ in fills]
    if len(set(ids)) != len(ids):
        raise DataError("fills.csv lists a fill id twice")
    return [item for _, item in sorted(fills, key=lambda pair: pair[0])]


def read_positions(directory: Path) -> dict[str, tuple[Decimal, Decimal]]:
    """Each symbol's quantity and cost in positions.csv."""
    reader = CsvReader(directory / "positions.csv", POSITION_COLUMNS)
    positions: dict[str, tuple[Decimal, Decimal]] = {}
    for row in reader.rows():
        symbol = reader.text(row, "symbol")
        if symbol in positions:
            raise reader.fail(f"{symbol} is listed twice")
        positions[symbol] = (reader.decimal(row, "quantity"), reader.decimal(row, "cost"))
    return positions


def read_equity(directory: Path) -> list[EquityView]:
    """The equity snapshots of pnl_ledger.csv."""
    reader = CsvReader(directory / "pnl_ledger.csv", PNL_COLUMNS)
    snapshots = []
    for row in reader.rows():
        cash = reader.decimal(row, "cash")
        value = reader.decimal(row, "positions_value")
        equity = reader.decimal(row, "equity")
        if cash + value != equity:
            raise reader.fail(f"equity {equity} is not cash {cash} + positions value {value}")
        snapshots.append(
            EquityView(
                ts=reader.moment(row, "at"),
                cash=cash,
                positions_value=value,
                equity=equity,
                realized_pnl=reader.decimal(row, "realized_pnl"),
                unrealized_pnl=reader.decimal(row, "unrealized_pnl"),
                fees_paid=reader.decimal(row, "fees_paid"),
            )
        )
    return snapshots
