"""Export a portfolio as seed 002's audit files: orders.csv, fills.csv, positions.csv,
pnl_ledger.csv and state.json (validated against the published schema before anything is
written), plus the files its settings name (``data/``, ``plugins/``) and a MANIFEST.json with
the SHA-256 and size of each. Everything is read in one transaction, so the files describe one
consistent moment, and the folder is written atomically (``export_folder``): it holds all of
this export or none of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paperdesk.domain import ZERO, Position
from paperdesk.domain.records import (
    CursorRecord,
    EquityView,
    FillRecord,
    PortfolioRecord,
    WorkingOrder,
)
from paperdesk.service.documents import decimal_text, utc_text
from paperdesk.service.export_attachments import pack
from paperdesk.service.export_folder import check_target, write_file, write_folder
from paperdesk.service.export_manifest import MANIFEST_FILE, manifest_bytes
from paperdesk.service.ledger_files import (
    FILL_COLUMNS,
    ORDER_COLUMNS,
    PNL_COLUMNS,
    POSITION_COLUMNS,
    csv_bytes,
)
from paperdesk.service.paper_documents import moment, money, order_document
from paperdesk.service.state_schema import SCHEMA_VERSION, validate_state
from paperdesk.store import Database

STATE_FILE = "state.json"
FILES = ("orders.csv", "fills.csv", "positions.csv", "pnl_ledger.csv", STATE_FILE)


@dataclass(frozen=True, slots=True)
class ExportReport:
    portfolio_id: int
    directory: Path
    files: tuple[Path, ...]  # the five audit files; MANIFEST.json and attachments besides
    orders: int
    fills: int
    trades: int
    snapshots: int
    attachments: tuple[str, ...] = ()  # files the settings name, copied in (data/, plugins/)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    portfolio: PortfolioRecord
    positions: list[Position]
    orders: list[WorkingOrder]
    fills: list[FillRecord]
    trades: int
    equity: list[EquityView]
    cursors: list[CursorRecord]
    accepted: dict[str, datetime] = field(default_factory=dict)  # last accepted signal bar


def export_portfolio(
    database: Database,
    portfolio_id: int,
    directory: Path,
    *,
    now: datetime | None = None,
    force: bool = False,
) -> ExportReport:
    """Write the export of portfolio ``portfolio_id`` as the folder ``directory``: created
    whole, or not at all. An existing non-empty folder is replaced only with ``force``."""
    check_target(directory, force=force)  # before any work: a refusal is immediate
    with database.reading() as repository:
        snapshot = _Snapshot(
            repository.portfolio(portfolio_id),
            repository.positions(portfolio_id),
            repository.stored_orders(portfolio_id),
            repository.fill_records(portfolio_id),
            repository.count("trades", portfolio_id),
            repository.equity(portfolio_id),
            repository.cursors(portfolio_id),
            repository.last_accepted_signals(portfolio_id),
        )
    moment = now or datetime.now(UTC)
    state = state_document(snapshot, moment)
    state["settings"], attachments = pack(state["settings"])
    validate_state(state)
    marks = _marks(snapshot)
    contents = {
        "orders.csv": csv_bytes(ORDER_COLUMNS, [_order_cells(o) for o in snapshot.orders]),
        "fills.csv": csv_bytes(FILL_COLUMNS, [_fill_cells(f) for f in snapshot.fills]),
        "positions.csv": csv_bytes(
            POSITION_COLUMNS, [_position_cells(p, marks) for p in snapshot.positions]
        ),
        "pnl_ledger.csv": csv_bytes(PNL_COLUMNS, [_pnl_cells(e) for e in snapshot.equity]),
        STATE_FILE: (json.dumps(state, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    }
    contents.update((name, source.read_bytes()) for name, source in attachments.items())

    def fill(folder: Path) -> None:
        for name, data in contents.items():
            path = folder / name
            path.parent.mkdir(exist_ok=True)
            write_file(path, data)
        write_file(folder / MANIFEST_FILE, manifest_bytes(portfolio_id, moment, contents))

    write_folder(directory, fill, force=force)
    return ExportReport(
        portfolio_id,
        directory,
        tuple(directory / name for name in FILES),
        len(snapshot.orders),
        len(snapshot.fills),
        snapshot.trades,
        len(snapshot.equity),
        tuple(sorted(attachments)),
    )


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
        cost = position.cost_basis
        unrealized += market_value - cost
        positions.append(
            {
                "symbol": position.symbol,
                "quantity": decimal_text(position.quantity),
                "average_price": decimal_text(position.average_price),
                "cost": decimal_text(cost),
                "realized_pnl": decimal_text(position.realized_pnl),
                "opened_at": moment(position.ts_opened),
                "opened_bar_index": None,  # bar counts are located by time (opened_at)
                "last_price": decimal_text(price),
                "market_value": decimal_text(market_value),
                "unrealized_pnl": decimal_text(market_value - cost),
            }
        )
    open_orders = [order_document(o.order) for o in snapshot.orders if o.order.is_open]
    return {
        "schema_version": SCHEMA_VERSION,
        "exported_at": utc_text(exported_at),
        "portfolio": {
            "id": row.id,
            "name": row.name,
            "status": row.status,
            "base_currency": row.base_currency,
            "starting_cash": decimal_text(row.starting_cash),
            "created_at": utc_text(row.ts_created),
            "archived_at": moment(row.ts_archived),
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
                "candle_at": moment(c.ts_bar),
                "candle_close_at": moment(c.ts_bar_close),
                "bar_index": c.bar_index,
                "last_price": money(c.last_price),
                "replay_index": c.replay_index,
                "last_accepted_signal_at": moment(snapshot.accepted.get(c.symbol)),
            }
            for c in sorted(snapshot.cursors, key=lambda c: c.symbol)
        ],
    }


def _order_cells(stored: WorkingOrder) -> list[object]:
    order = stored.order
    return [
        order.order_id,
        order.client_order_id,
        order.symbol,
        order.side.value,
        order.order_type.value,
        decimal_text(order.quantity),
        money(order.limit_price),
        money(order.stop_price),
        order.time_in_force.value,
        order.role.value,
        order.parent_id,
        ";".join(order.children),
        order.status.value,
        decimal_text(order.filled_quantity),
        money(order.average_price),
        "true" if order.triggered else "false",
        money(order.size_fraction),
        order.strategy,
        order.reason,
        utc_text(order.ts_submitted),
        utc_text(stored.ts_eligible),
        moment(order.ts_expire),
        moment(order.ts_updated),
    ]


def _fill_cells(record: FillRecord) -> list[object]:
    fill = record.fill
    return [
        record.id,
        fill.order_id,
        fill.symbol,
        fill.side.value,
        decimal_text(fill.quantity),
        decimal_text(fill.price),
        decimal_text(fill.fee),
        decimal_text(fill.slippage),
        decimal_text(fill.quantity * fill.price),
        utc_text(fill.ts),
        record.strategy,
        record.reason,
    ]


def _position_cells(position: Position, marks: dict[str, Any]) -> list[object]:
    price = marks[position.symbol]
    cost = position.cost_basis
    return [
        position.symbol,
        decimal_text(position.quantity),
        decimal_text(position.average_price),
        decimal_text(cost),
        decimal_text(position.realized_pnl),
        decimal_text(price),
        decimal_text(position.quantity * price),
        decimal_text(position.quantity * price - cost),
        moment(position.ts_opened),
    ]


def _pnl_cells(point: EquityView) -> list[object]:
    return [
        utc_text(point.ts),
        decimal_text(point.cash),
        decimal_text(point.positions_value),
        decimal_text(point.equity),
        decimal_text(point.realized_pnl),
        decimal_text(point.unrealized_pnl),
        decimal_text(point.fees_paid),
    ]
