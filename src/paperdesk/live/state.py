"""Restore a persisted portfolio into a trading kernel, and save what the kernel changed.

The fills are the source of truth: the ledger is rebuilt by booking every stored fill again, and
the result must equal the stored cash and positions (a mismatch means the database was changed
behind paperdesk's back, and nothing runs on it). Working orders, the router's memories and the
bar each position was opened on are loaded alongside, so a kernel restored between two candles
behaves exactly like one that never stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pandas as pd

from paperdesk.config import RunConfig
from paperdesk.data import instrument_for, session_close
from paperdesk.domain import ZERO, DataError, Event, Fill, InvalidInputError, Order
from paperdesk.engine.kernel import TradingKernel, exit_reason
from paperdesk.engine.wiring import build_kernel
from paperdesk.live.audit import audit_rows
from paperdesk.live.sources import bar_index_at
from paperdesk.store.models import EquitySnapshotRow, OrderRow, PortfolioRow, PositionRow
from paperdesk.store.records import (
    fill_row,
    position_row,
    read_fill,
    read_order,
    trade_row,
    write_order,
)
from paperdesk.store.repository import LedgerRepository


@dataclass
class RestoredPortfolio:
    """A kernel holding a portfolio's persisted state, and what it looked like when loaded."""

    row: PortfolioRow
    settings: RunConfig
    kernel: TradingKernel
    orders_before: dict[str, Order]
    eligible_before: dict[str, datetime]
    fills_before: int
    trades_before: int
    position_rows: dict[str, PositionRow] = field(default_factory=dict)

    @property
    def portfolio_id(self) -> int:
        return self.row.id


def restore(
    repository: LedgerRepository, portfolio_id: int, symbols: Iterable[str] = ()
) -> RestoredPortfolio:
    """Lock portfolio ``portfolio_id`` for this transaction and load it into a kernel."""
    row = repository.portfolio(portfolio_id, lock=True)
    if row.status != "active":
        raise InvalidInputError(f"portfolio {portfolio_id} is {row.status}; it cannot trade")
    settings = RunConfig.from_json(row.settings)
    position_rows = {p.symbol: p for p in repository.positions(portfolio_id)}
    order_rows = repository.orders(portfolio_id)
    cursors = repository.cursors(portfolio_id)
    wanted = {*settings.symbols, *symbols, *position_rows, *(o.symbol for o in order_rows)}
    instruments = {symbol: instrument_for(symbol) for symbol in sorted(wanted)}
    kernel = build_kernel(settings, instruments, session_close, cash=row.starting_cash)
    ledger = kernel.ledger
    for stored in repository.fills(portfolio_id):
        ledger.apply_fill(read_fill(stored), strategy=stored.strategy, reason=stored.reason)
    _check_books(row, position_rows, kernel)
    orders = [(read_order(o), o.eligible_at) for o in order_rows]
    kernel.orders.restore(orders, row.order_sequence)
    kernel.prices.update({c.symbol: c.last_price for c in cursors if c.last_price is not None})
    kernel.decisions = []
    return RestoredPortfolio(
        row=row,
        settings=settings,
        kernel=kernel,
        orders_before={order.order_id: order for order, _ in orders},
        eligible_before={order.order_id: eligible for order, eligible in orders},
        fills_before=len(ledger.fills),
        trades_before=len(ledger.trades),
        position_rows=position_rows,
    )


def place_in_history(
    state: RestoredPortfolio,
    repository: LedgerRepository,
    symbol: str,
    history: pd.DataFrame,
) -> None:
    """Set the kernel's bar counts for ``symbol`` from TIMES, located in the history the tick
    uses: the bar its position opened on (max holding period) and the bar of its last accepted
    signal (cooldown). Stored bar numbers would go wrong when the history changes under a
    portfolio (bars imported or backfilled for the symbol); times do not."""
    position = state.position_rows.get(symbol)
    if position is not None and position.opened_at is not None:
        state.kernel.entry_bar[symbol] = bar_index_at(history, position.opened_at)
    accepted = repository.last_accepted_signals(state.portfolio_id).get(symbol)
    if accepted is not None:
        state.kernel.router.restore_accepted(symbol, bar_index_at(history, accepted))


def _check_books(
    row: PortfolioRow, position_rows: dict[str, PositionRow], kernel: TradingKernel
) -> None:
    ledger = kernel.ledger
    problems: list[str] = []
    if ledger.cash != row.cash:
        problems.append(f"cash is {row.cash} but the fills give {ledger.cash}")
    if ledger.realized_pnl != row.realized_pnl or ledger.fees != row.fees_paid:
        problems.append("realized P&L or fees differ from the fills")
    stored = {s: p.quantity for s, p in position_rows.items()}
    replayed = {s: p.quantity for s, p in ledger.positions.items()}
    if stored != replayed:
        problems.append(f"positions {stored} but the fills give {replayed}")
    if problems:
        raise DataError(f"portfolio {row.id} ledger is inconsistent: " + "; ".join(problems))


def save(
    repository: LedgerRepository,
    state: RestoredPortfolio,
    events: list[Event],
    at: datetime,
    *,
    recorded_at: datetime,
    tick_id: int | None = None,
) -> None:
    """Write everything the kernel changed since ``restore`` into the open transaction."""
    kernel, portfolio_id = state.kernel, state.portfolio_id
    ledger, orders = kernel.ledger, kernel.orders
    for order in orders.all_orders():
        eligible = orders.eligible_from(order.order_id)
        before = state.orders_before.get(order.order_id)
        if before == order and state.eligible_before.get(order.order_id) == eligible:
            continue
        order_row = (
            OrderRow(portfolio_id=portfolio_id)
            if before is None
            else (repository.order(portfolio_id, order.order_id))
        )
        repository.add(write_order(order_row, order, eligible))
    repository.flush()  # orders first: fills and audit entries refer to them
    placed = {o.order_id: o for o in orders.all_orders()}
    new_fills: list[Fill] = ledger.fills[state.fills_before :]
    for fill in new_fills:
        order = placed[fill.order_id]
        stored_fill = fill_row(portfolio_id, fill, order.strategy, exit_reason(order))
        stored_fill.tick_id = tick_id
        repository.add(stored_fill)
    for trade in ledger.trades[state.trades_before :]:
        stored_trade = trade_row(portfolio_id, trade)
        stored_trade.tick_id = tick_id
        repository.add(stored_trade)
    _save_positions(repository, state)
    row = state.row
    row.cash, row.fees_paid, row.realized_pnl = ledger.cash, ledger.fees, ledger.realized_pnl
    row.order_sequence = orders.sequence
    repository.add_all(audit_rows(portfolio_id, events, recorded_at, tick_id))
    if new_fills or tick_id is not None:
        repository.add(equity_snapshot(state, at, tick_id))


def _save_positions(repository: LedgerRepository, state: RestoredPortfolio) -> None:
    kernel, portfolio_id = state.kernel, state.portfolio_id
    positions = kernel.ledger.positions
    for symbol, stored in state.position_rows.items():
        if symbol not in positions:
            repository.delete(stored)
    for symbol, position in positions.items():
        fresh = position_row(portfolio_id, position, kernel.entry_bar.get(symbol))
        existing = state.position_rows.get(symbol)
        if existing is None:
            repository.add(fresh)
            continue
        stored = existing
        stored.quantity, stored.cost = fresh.quantity, fresh.cost
        stored.average_price, stored.realized_pnl = fresh.average_price, fresh.realized_pnl
        stored.opened_at, stored.opened_bar_index = fresh.opened_at, fresh.opened_bar_index


def marks(state: RestoredPortfolio) -> dict[str, Decimal]:
    """The price each position is marked at: its symbol's last close, else its average cost."""
    ledger, prices = state.kernel.ledger, state.kernel.prices
    return {s: prices.get(s, p.average_price) for s, p in ledger.positions.items()}


def equity_snapshot(
    state: RestoredPortfolio, at: datetime, tick_id: int | None
) -> EquitySnapshotRow:
    ledger = state.kernel.ledger
    prices = marks(state)
    value = sum((p.quantity * prices[s] for s, p in ledger.positions.items()), ZERO)
    unrealized = sum((p.unrealized_pnl(prices[s]) for s, p in ledger.positions.items()), ZERO)
    return EquitySnapshotRow(
        portfolio_id=state.portfolio_id,
        tick_id=tick_id,
        at=at,
        cash=ledger.cash,
        positions_value=value,
        equity=ledger.cash + value,
        realized_pnl=ledger.realized_pnl,
        unrealized_pnl=unrealized,
        fees_paid=ledger.fees,
    )
