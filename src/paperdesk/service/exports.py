"""Export a portfolio as seed 002's audit files: orders.csv, fills.csv, positions.csv,
pnl_ledger.csv and state.json (validated against the published schema before anything is
written). Everything is read in one transaction, so the files describe one consistent moment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from paperdesk.domain import ZERO, InvalidInputError
from paperdesk.service.documents import decimal_text, utc_text
from paperdesk.service.ledger_files import (
    FILL_COLUMNS,
    ORDER_COLUMNS,
    PNL_COLUMNS,
    POSITION_COLUMNS,
    write_csv,
)
from paperdesk.service.paper_documents import moment, money, order_document
from paperdesk.service.state_schema import SCHEMA_VERSION, validate_state
from paperdesk.store import Database
from paperdesk.store.models import (
    EquitySnapshotRow,
    FillRow,
    MarketCursorRow,
    OrderRow,
    PortfolioRow,
    PositionRow,
)
from paperdesk.store.records import read_order

STATE_FILE = "state.json"
FILES = ("orders.csv", "fills.csv", "positions.csv", "pnl_ledger.csv", STATE_FILE)


@dataclass(frozen=True, slots=True)
class ExportReport:
    portfolio_id: int
    directory: Path
    files: tuple[Path, ...]
    orders: int
    fills: int
    trades: int
    snapshots: int


@dataclass(frozen=True, slots=True)
class _Snapshot:
    portfolio: PortfolioRow
    positions: list[PositionRow]
    orders: list[OrderRow]
    fills: list[FillRow]
    trades: int
    equity: list[EquitySnapshotRow]
    cursors: list[MarketCursorRow]
    accepted: dict[str, datetime] = field(default_factory=dict)  # last accepted signal candle


def export_portfolio(
    database: Database, portfolio_id: int, directory: Path, *, now: datetime | None = None
) -> ExportReport:
    """Write the five files of portfolio ``portfolio_id`` into ``directory`` (created if
    needed; files of an earlier export there are replaced)."""
    if directory.exists() and not directory.is_dir():
        raise InvalidInputError(f"{directory} exists and is not a directory")
    with database.reading() as repository:
        snapshot = _Snapshot(
            repository.portfolio(portfolio_id),
            repository.positions(portfolio_id),
            repository.orders(portfolio_id),
            repository.fills(portfolio_id),
            len(repository.trades(portfolio_id)),
            repository.equity(portfolio_id),
            repository.cursors(portfolio_id),
            repository.last_accepted_signals(portfolio_id),
        )
    state = state_document(snapshot, now or datetime.now(UTC))
    validate_state(state)
    directory.mkdir(parents=True, exist_ok=True)
    marks = _marks(snapshot)
    writers = {
        "orders.csv": (ORDER_COLUMNS, [_order_cells(o) for o in snapshot.orders]),
        "fills.csv": (FILL_COLUMNS, [_fill_cells(f) for f in snapshot.fills]),
        "positions.csv": (
            POSITION_COLUMNS,
            [_position_cells(p, marks) for p in snapshot.positions],
        ),
        "pnl_ledger.csv": (PNL_COLUMNS, [_pnl_cells(e) for e in snapshot.equity]),
    }
    written = [
        _replace(directory / name, partial(write_csv, columns=columns, rows=rows))
        for name, (columns, rows) in writers.items()
    ]
    text = json.dumps(state, indent=2, ensure_ascii=False) + "\n"
    written.append(_replace(directory / STATE_FILE, lambda path: path.write_text(text, "utf-8")))
    return ExportReport(
        portfolio_id,
        directory,
        tuple(written),
        len(snapshot.orders),
        len(snapshot.fills),
        snapshot.trades,
        len(snapshot.equity),
    )


def _replace(target: Path, write: Callable[[Path], object]) -> Path:
    """Write to a temporary file beside ``target``, then move it into place."""
    temporary = target.with_name(f".{target.name}.tmp")
    write(temporary)
    os.replace(temporary, target)
    return target


def _marks(snapshot: _Snapshot) -> dict[str, Any]:
    prices = {c.symbol: c.last_price for c in snapshot.cursors if c.last_price is not None}
    return {p.symbol: prices.get(p.symbol) or p.average_price for p in snapshot.positions}


def state_document(snapshot: _Snapshot, exported_at: datetime) -> dict[str, Any]:
    row = snapshot.portfolio
    marks = _marks(snapshot)
    positions = []
    value = unrealized = ZERO
    for position in snapshot.positions:
        price = marks[position.symbol]
        market_value = position.quantity * price
        value += market_value
        unrealized += market_value - position.cost
        positions.append(
            {
                "symbol": position.symbol,
                "quantity": decimal_text(position.quantity),
                "average_price": decimal_text(position.average_price),
                "cost": decimal_text(position.cost),
                "realized_pnl": decimal_text(position.realized_pnl),
                "opened_at": moment(position.opened_at),
                "opened_bar_index": position.opened_bar_index,
                "last_price": decimal_text(price),
                "market_value": decimal_text(market_value),
                "unrealized_pnl": decimal_text(market_value - position.cost),
            }
        )
    open_orders = [
        order_document(read_order(o))
        for o in snapshot.orders
        if o.status in ("pending", "accepted", "partially_filled")
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "exported_at": utc_text(exported_at),
        "portfolio": {
            "id": row.id,
            "name": row.name,
            "status": row.status,
            "base_currency": row.base_currency,
            "starting_cash": decimal_text(row.starting_cash),
            "created_at": utc_text(row.created_at),
            "archived_at": moment(row.archived_at),
        },
        "cash": decimal_text(row.cash),
        "positions": positions,
        "open_orders": open_orders,
        "settings": dict(row.settings),
        "totals": {
            "equity": decimal_text(row.cash + value),
            "positions_value": decimal_text(value),
            "realized_pnl": decimal_text(row.realized_pnl),
            "unrealized_pnl": decimal_text(unrealized),
            "fees_paid": decimal_text(row.fees_paid),
            "orders": len(snapshot.orders),
            "fills": len(snapshot.fills),
            "trades": snapshot.trades,
        },
        "marks": [
            {
                "symbol": c.symbol,
                "timeframe": c.timeframe,
                "candle_at": moment(c.candle_at),
                "candle_close_at": moment(c.candle_close_at),
                "bar_index": c.bar_index,
                "last_price": money(c.last_price),
                "replay_index": c.replay_index,
                "last_accepted_signal_at": moment(snapshot.accepted.get(c.symbol)),
            }
            for c in sorted(snapshot.cursors, key=lambda c: c.symbol)
        ],
    }


def _order_cells(row: OrderRow) -> list[object]:
    return [
        row.order_id,
        row.client_order_id,
        row.symbol,
        row.side,
        row.order_type,
        decimal_text(row.quantity),
        money(row.limit_price),
        money(row.stop_price),
        row.time_in_force,
        row.role,
        row.parent_id,
        ";".join(row.children),
        row.status,
        decimal_text(row.filled_quantity),
        money(row.average_price),
        "true" if row.triggered else "false",
        money(row.size_fraction),
        row.strategy,
        row.reason,
        utc_text(row.submitted_at),
        utc_text(row.eligible_at),
        moment(row.expires_at),
        moment(row.updated_at),
    ]


def _fill_cells(row: FillRow) -> list[object]:
    return [
        row.id,
        row.order_id,
        row.symbol,
        row.side,
        decimal_text(row.quantity),
        decimal_text(row.price),
        decimal_text(row.fee),
        decimal_text(row.slippage),
        decimal_text(row.quantity * row.price),
        utc_text(row.filled_at),
        row.strategy,
        row.reason,
    ]


def _position_cells(row: PositionRow, marks: dict[str, Any]) -> list[object]:
    price = marks[row.symbol]
    return [
        row.symbol,
        decimal_text(row.quantity),
        decimal_text(row.average_price),
        decimal_text(row.cost),
        decimal_text(row.realized_pnl),
        decimal_text(price),
        decimal_text(row.quantity * price),
        decimal_text(row.quantity * price - row.cost),
        moment(row.opened_at),
    ]


def _pnl_cells(row: EquitySnapshotRow) -> list[object]:
    return [
        utc_text(row.at),
        decimal_text(row.cash),
        decimal_text(row.positions_value),
        decimal_text(row.equity),
        decimal_text(row.realized_pnl),
        decimal_text(row.unrealized_pnl),
        decimal_text(row.fees_paid),
    ]
