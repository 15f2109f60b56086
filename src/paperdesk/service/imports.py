"""Restore an exported portfolio (``paperdesk export``) as a NEW portfolio.

Nothing is trusted: the folder must be exactly what its MANIFEST.json lists (every file's size
and SHA-256, the required files present, nothing else), state.json must match the published
schema and every file its settings name must lie inside the folder, every CSV cell must be an exact
decimal or UTC time, and the fills are booked again on an exact ledger whose cash, fees,
realized P&L and positions must equal what state.json states. Only then is everything written,
in ONE transaction; any problem raises a DataError naming it and writes nothing.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from paperdesk.config import RunConfig
from paperdesk.domain import ZERO, CorporateActionApplied, DataError, InvalidInputError, Order
from paperdesk.domain.currencies import money_text
from paperdesk.domain.orders import order_number
from paperdesk.domain.records import EquityView, FillRecord, WorkingOrder
from paperdesk.engine.wiring import account_rules_for_symbols, check_run
from paperdesk.portfolio import PortfolioLedger
from paperdesk.service.export_attachments import store, unpack
from paperdesk.service.export_manifest import MANIFEST_FILE, verify_folder
from paperdesk.service.exports import FILES, STATE_FILE
from paperdesk.service.import_actions import booked_actions, rebuild
from paperdesk.service.import_rows import (
    ImportedFill,
    read_equity,
    read_fills,
    read_orders,
    read_positions,
)
from paperdesk.service.state_schema import validate_state
from paperdesk.store import Database, LedgerRepository, TickRun

MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class ImportReport:
    portfolio_id: int
    name: str
    source_id: int
    cash: Decimal
    positions: int
    orders: int
    fills: int
    trades: int
    snapshots: int


def read_state(directory: Path) -> dict[str, Any]:
    """state.json of an export, parsed and checked against the schema."""
    if not directory.is_dir():
        raise InvalidInputError(f"{directory} is not a directory")
    path = directory / STATE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{STATE_FILE} is missing from {directory}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot read {path}: {error}") from None
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise DataError(f"{STATE_FILE} is not valid JSON: {error}") from None
    validate_state(document)
    state: dict[str, Any] = document
    return state


def _no_constant(name: str) -> object:
    raise DataError(f"{STATE_FILE} holds {name}, which is not a number")


def import_portfolio(
    database: Database,
    directory: Path,
    *,
    name: str | None = None,
    now: datetime | None = None,
    attachments_home: Path | None = None,
) -> ImportReport:
    """Restore the export in ``directory`` as a new portfolio, after checking all of it. The
    files its settings name are copied into a fresh folder of ``attachments_home`` (without
    one, the portfolio reads them in the export folder)."""
    manifest = verify_folder(directory, FILES)
    state = read_state(directory)
    source = state["portfolio"]
    if source["id"] != manifest.portfolio_id:
        raise DataError(
            f"{STATE_FILE} is portfolio {source['id']} but {MANIFEST_FILE} "
            f"says {manifest.portfolio_id}"
        )
    new_name = (name if name is not None else source["name"]).strip()
    if not new_name or len(new_name) > MAX_NAME_LENGTH:
        raise InvalidInputError(f"portfolio name must be 1 to {MAX_NAME_LENGTH} characters")
    checked = RunConfig.from_json(state["settings"]).to_json()  # types first, then paths
    document, attachments = unpack(checked, directory, set(manifest.files))
    settings = RunConfig.from_json(document)
    check_run(settings)
    orders = read_orders(directory)
    fills = read_fills(directory)
    equity = read_equity(directory)
    actions = booked_actions(settings, state["marks"])
    rules = account_rules_for_symbols(settings.account, {item.fill.symbol for item in fills})
    ledger, applied = rebuild(
        Decimal(source["starting_cash"]), fills, actions, rules, timeframe=settings.bar_timeframe
    )
    _check_against_state(state, ledger, orders, fills)
    _check_positions_file(read_positions(directory), ledger)
    moment = now or datetime.now(UTC)
    document, stored = store(document, attachments, attachments_home, manifest.files)
    settings = RunConfig.from_json(document)
    try:
        restore = _Restore(new_name, state, settings, ledger, orders, fills, equity, applied)
        pid = _write(database, directory, restore, moment)
    except BaseException:
        if stored is not None:
            shutil.rmtree(stored, ignore_errors=True)
        raise
    return ImportReport(
        pid,
        new_name,
        source["id"],
        ledger.cash,
        len(ledger.positions),
        len(orders),
        len(fills),
        len(ledger.trades),
        len(equity),
    )


@dataclass(frozen=True, slots=True)
class _Restore:
    """An export checked in full: what the new portfolio is made of."""

    name: str
    state: Mapping[str, Any]
    settings: RunConfig
    ledger: PortfolioLedger
    orders: list[tuple[Order, datetime]]
    fills: list[ImportedFill]
    equity: list[EquityView]
    actions: list[CorporateActionApplied]  # the splits and dividends booked again


def _write(database: Database, directory: Path, restore: _Restore, moment: datetime) -> int:
    """Everything of the new portfolio, in one transaction."""
    new_name, state, settings = restore.name, restore.state, restore.settings
    ledger, orders, fills, equity = restore.ledger, restore.orders, restore.fills, restore.equity
    source = state["portfolio"]
    with database.transaction() as repository:
        writer = repository.writer
        pid = writer.create_portfolio(
            name=new_name,
            base_currency=source["base_currency"],
            starting_cash=ledger.starting_cash,
            settings=settings.to_json(),
            created_at=moment,
            cash=ledger.cash,
            fees_paid=ledger.fees,
            realized_pnl=ledger.realized_pnl,
            order_sequence=max((order_number(o.order_id) for o, _ in orders), default=0),
        )
        writer.import_history(
            pid,
            orders=[WorkingOrder(o, e) for o, e in orders],
            fills=[FillRecord(f.fill, f.strategy, f.reason) for f in fills],
            trades=ledger.trades,
            positions=[p for _, p in sorted(ledger.positions.items())],
            equity=equity,
        )
        writer.checkpoint(pid, ledger.state(), moment)
        writer.audit_history(pid, restore.actions, moment, source["base_currency"])
        _add_marks(repository, pid, state, settings, moment)
        writer.audit(
            pid,
            "portfolio.imported",
            f"imported {new_name!r} from {directory} (exported portfolio {source['id']}): "
            f"{len(fills)} fills, cash {money_text(ledger.cash, source['base_currency'])}",
            moment,
            moment,
            {"source_id": source["id"], "exported_at": state["exported_at"]},
        )
    return pid


def _check_against_state(
    state: Mapping[str, Any],
    ledger: PortfolioLedger,
    orders: list[tuple[Order, datetime]],
    fills: list[ImportedFill],
) -> None:
    totals = state["totals"]
    problems = []
    for label, stated, rebuilt in (
        ("cash", state["cash"], ledger.cash),
        ("realized P&L", totals["realized_pnl"], ledger.realized_pnl),
        ("fees", totals["fees_paid"], ledger.fees),
    ):
        if Decimal(stated) != rebuilt:
            problems.append(f"{label} is {stated} in {STATE_FILE} but the fills give {rebuilt}")
    stated_positions = {
        p["symbol"]: (Decimal(p["quantity"]), Decimal(p["cost"])) for p in state["positions"]
    }
    rebuilt_positions = {s: (p.quantity, p.cost_basis) for s, p in ledger.positions.items()}
    if stated_positions != rebuilt_positions:
        problems.append(
            f"positions are {_describe(stated_positions)} in {STATE_FILE} "
            f"but the fills give {_describe(rebuilt_positions)}"
        )
    if totals["fills"] != len(fills) or totals["orders"] != len(orders):
        problems.append(
            f"{STATE_FILE} counts {totals['orders']} orders and {totals['fills']} fills, "
            f"the files hold {len(orders)} and {len(fills)}"
        )
    filled: dict[str, Decimal] = {}
    for item in fills:
        filled[item.fill.order_id] = filled.get(item.fill.order_id, ZERO) + item.fill.quantity
    known = {order.order_id: order for order, _ in orders}
    for order_id in filled.keys() - known.keys():
        problems.append(f"fills.csv refers to order {order_id!r}, which orders.csv lacks")
    for order_id, order in known.items():
        if order.filled_quantity != filled.get(order_id, ZERO):
            problems.append(
                f"order {order_id} is filled {order.filled_quantity} in orders.csv "
                f"but its fills add up to {filled.get(order_id, ZERO)}"
            )
    open_ids = {o.order_id for o in known.values() if o.is_open}
    stated_open = {o["order_id"] for o in state["open_orders"]}
    if open_ids != stated_open:
        problems.append(
            f"open orders are {sorted(stated_open)} in {STATE_FILE} "
            f"but {sorted(open_ids)} in orders.csv"
        )
    if problems:
        raise DataError("the export is inconsistent: " + "; ".join(problems[:3]))


def _check_positions_file(
    listed: dict[str, tuple[Decimal, Decimal]], ledger: PortfolioLedger
) -> None:
    rebuilt = {s: (p.quantity, p.cost_basis) for s, p in ledger.positions.items()}
    if listed != rebuilt:
        raise DataError(
            f"the export is inconsistent: positions.csv holds {_describe(listed)} "
            f"but the fills give {_describe(rebuilt)}"
        )


def _describe(positions: Mapping[str, tuple[Decimal, Decimal]]) -> str:
    if not positions:
        return "none"
    return ", ".join(f"{s} {q} (cost {c})" for s, (q, c) in sorted(positions.items()))


def _add_marks(
    repository: LedgerRepository,
    portfolio_id: int,
    state: Mapping[str, Any],
    settings: RunConfig,
    moment: datetime,
) -> None:
    """Restore where the market data stood, and mark those bars as processed, so the next
    tick continues after them instead of trading them again."""
    writer = repository.writer
    for mark in state["marks"]:
        ts_bar = _optional_time(mark["candle_at"])
        close_at = _optional_time(mark["candle_close_at"])
        price = mark["last_price"]
        bar = None if ts_bar is None or close_at is None else (ts_bar, close_at)
        writer.save_cursor(
            portfolio_id,
            mark["symbol"],
            mark["timeframe"],
            last_price=None if price is None else Decimal(price),
            bar=None if bar is None else (*bar, mark.get("bar_index")),
            replay_index=mark.get("replay_index"),
        )
        accepted_at = _optional_time(mark.get("last_accepted_signal_at"))
        if accepted_at is not None:  # the cooldown rule counts bars from it
            writer.carry_accepted_signal(portfolio_id, mark["symbol"], accepted_at)
        if bar is None:
            continue
        writer.record_ticks(
            portfolio_id,
            [
                TickRun(
                    spec.name,
                    mark["symbol"],
                    mark["timeframe"],
                    *bar,
                    "imported",
                    "processed before the export this portfolio was imported from",
                )
                for spec in settings.strategies
            ],
            moment,
        )


def _optional_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)
