"""Helpers shared by the live-runner, crash-safety, concurrency and property tests: a full dump of
the ledger's tables, the ledger invariants, and small builders for portfolios and data files."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, update

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.data import find_bundled
from paperdesk.domain import (
    ZERO,
    Fill,
    Order,
    OrderFilled,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
)
from paperdesk.live.restore import RestoredPortfolio, restore
from paperdesk.live.sources import BarSource
from paperdesk.store import Database
from paperdesk.store.models import Base, PortfolioRow

Dump = dict[str, list[tuple[Any, ...]]]


def dump(database: Database) -> Dump:
    """Every row of every ledger table, in primary-key order."""
    tables: Dump = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            statement = select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in connection.execute(statement)]
    return tables


def spy_history() -> pd.DataFrame:
    return BarSource().history("SPY", "1d", SourceConfig())


def after_close(history: pd.DataFrame, label: str) -> datetime:
    """A moment one hour after the bar labelled ``label`` closed."""
    closes = pd.DatetimeIndex(history["ts_close"])
    close: datetime = closes[position_of(history, label)].to_pydatetime()
    return close + timedelta(hours=1)


def position_of(history: pd.DataFrame, label: str) -> int:
    wanted = pd.Timestamp(label, tz="UTC")
    position = int(history.index.searchsorted(wanted))
    assert history.index[position] == wanted, f"no bar labelled {label}"
    return position


def spy_slice(directory: Path, first: str, rows: int, name: str = "spy.csv") -> Path:
    """A CSV of ``rows`` bundled SPY daily bars starting at ``first``."""
    lines = find_bundled("SPY", "1d").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    path = directory / name
    path.write_text("\n".join([lines[0], *lines[start : start + rows]]) + "\n")
    return path


def check_ledger(database: Database, portfolio_id: int) -> None:
    """Assert the ledger invariants of an active portfolio.

    Restoring rebuilds the books from the stored fills and fails if they disagree with the
    stored cash, P&L, fees or positions; the rest is recomputed here from the raw rows.
    """
    with database.dry_transaction() as repository:
        state = restore(repository, portfolio_id)
        row = state.record
        fills = repository.fills(portfolio_id)
        positions = {p.symbol: p for p in repository.positions(portfolio_id)}
        signed: dict[str, Decimal] = defaultdict(lambda: ZERO)
        cash = row.starting_cash
        for fill in fills:
            sign = 1 if fill.side == "buy" else -1
            signed[fill.symbol] += sign * fill.quantity
            cash -= sign * fill.quantity * fill.price + fill.fee
        for entry in repository.audit(portfolio_id):  # splits and dividends move both too
            if entry.kind.startswith("corporate_action."):
                details = entry.details
                change = Decimal(details["quantity_after"]) - Decimal(details["quantity_before"])
                signed[details["symbol"]] += change
                cash += Decimal(details["cash"])
        held = {symbol: quantity for symbol, quantity in signed.items() if quantity != 0}
        assert held == {s: p.quantity for s, p in positions.items()}, "positions != sum of fills"
        assert row.cash == cash, f"cash {row.cash} != cash from fills and actions {cash}"
        assert row.fees_paid == sum((f.fee for f in fills), ZERO)
        open_cost = sum((p.cost for p in positions.values()), ZERO)
        assert row.cash == row.starting_cash + row.realized_pnl - row.fees_paid - open_cost
        for snapshot in repository.equity(portfolio_id):
            assert snapshot.equity == snapshot.cash + snapshot.positions_value
        latest = repository.equity(portfolio_id, limit=1)
        if latest:  # cash only moves by fills, and every fill is followed by a snapshot
            assert latest[0].cash == row.cash
            assert latest[0].fees_paid == row.fees_paid


def bare_portfolio(
    database: Database, created_at: datetime, name: str = "rows", settings: Any = None
) -> int:
    """A new portfolio of 1,000 USD made by the ledger writer alone (no service, no run
    description unless ``settings`` gives one): the store tests' subject."""
    with database.transaction() as repository:
        return repository.writer.create_portfolio(
            name=name,
            base_currency="USD",
            starting_cash=Decimal(1000),
            settings={} if settings is None else settings,
            created_at=created_at,
        )


def restored_from_rows(database: Database, portfolio_id: int) -> RestoredPortfolio:
    """The portfolio restored from its rows (no cache), in a transaction rolled back."""
    with database.dry_transaction() as repository:
        return restore(repository, portfolio_id)


def unit_start(state: RestoredPortfolio) -> dict[str, Any]:
    """What a unit of work starts from in a restored portfolio: the kernel's ledger, account,
    positions, orders and prices, and the stored positions and instruments."""
    kernel = state.kernel
    return {
        "ledger": kernel.ledger_state(),
        "account": kernel.account(),
        "positions": kernel.positions(),
        "stored positions": state.positions,
        "working orders": kernel.working_orders(),
        "open orders": kernel.open_orders(),
        "prices": dict(kernel.prices),
        "last trade dates": dict(kernel.last_trade_date),
        "instruments": sorted(state.instruments),
    }


def es_bought(
    role: OrderRole, ordered_at: datetime, filled_at: datetime, fee: Decimal
) -> OrderFilled:
    """Order O1 of ``role`` buying 2 ES at 4500.25, filled at ``filled_at`` for ``fee``: the
    fill an overdraft's words name (the audit tests)."""
    order = Order(
        "O1",
        "client-O1",
        "ES",
        Side.BUY,
        OrderType.MARKET,
        Decimal(2),
        ordered_at,
        status=OrderStatus.FILLED,
        filled_quantity=Decimal(2),
        average_price=Decimal("4500.25"),
        strategy="sma-cross",
        reason="entry",
        role=role,
    )
    fill = Fill("O1", "ES", Side.BUY, Decimal(2), Decimal("4500.25"), fee, filled_at)
    return OrderFilled(filled_at, order, fill)


def set_watch_list(database: Database, portfolio_id: int, symbols: tuple[str, ...]) -> None:
    """Write a portfolio's watch list straight into its settings row, past the edit's checks:
    the state a ledger written before a rule may hold (a watch list given to a portfolio that
    already traded a symbol outside it), which the service no longer lets an edit make."""
    with database.writing_connection() as connection:
        row = connection.execute(
            select(PortfolioRow.settings).where(PortfolioRow.id == portfolio_id)
        ).scalar_one()
        settings = RunConfig.from_json(row).with_changes(symbols=symbols).to_json()
        connection.execute(
            update(PortfolioRow).where(PortfolioRow.id == portfolio_id).values(settings=settings)
        )
