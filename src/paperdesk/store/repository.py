"""The repository: the only code that touches a database session.

A ``LedgerRepository`` lives for one transaction (``Database.transaction``). Reads return rows or
domain values; writes add rows to the transaction, which commits or rolls back as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paperdesk.domain import UnknownNameError
from paperdesk.store.models import (
    AuditRow,
    Base,
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

RowT = TypeVar("RowT", bound=Base)


class LedgerRepository:
    """Reads and writes the ledger's tables inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def dialect(self) -> str:
        return self._session.get_bind().dialect.name

    # ----------------------------------------------------------------------------- writing

    def add(self, row: Base) -> None:
        self._session.add(row)

    def add_all(self, rows: Iterable[Base]) -> None:
        self._session.add_all(list(rows))

    def delete(self, row: Base) -> None:
        self._session.delete(row)

    def flush(self) -> None:
        """Send pending writes (assigns ids; a unique-key clash raises here)."""
        self._session.flush()

    # -------------------------------------------------------------------------- portfolios

    def portfolio(self, portfolio_id: int, *, lock: bool = False) -> PortfolioRow:
        """The portfolio row; ``lock`` holds it for the rest of the transaction (PostgreSQL
        ``FOR UPDATE``; SQLite transactions already hold the database's write lock)."""
        statement = select(PortfolioRow).where(PortfolioRow.id == portfolio_id)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row = self._session.scalars(statement).one_or_none()
        if row is None:
            raise UnknownNameError(f"no portfolio with id {portfolio_id}")
        return row

    def portfolios(self, *, include_archived: bool = False) -> list[PortfolioRow]:
        statement = select(PortfolioRow).order_by(PortfolioRow.id)
        if not include_archived:
            statement = statement.where(PortfolioRow.status != "archived")
        return list(self._session.scalars(statement))

    # ------------------------------------------------------------------------------- state

    def positions(self, portfolio_id: int) -> list[PositionRow]:
        return self._all(
            select(PositionRow)
            .where(PositionRow.portfolio_id == portfolio_id)
            .order_by(PositionRow.symbol)
        )

    def orders(
        self, portfolio_id: int, *, open_only: bool = False, limit: int | None = None
    ) -> list[OrderRow]:
        statement = select(OrderRow).where(OrderRow.portfolio_id == portfolio_id)
        if open_only:
            statement = statement.where(
                OrderRow.status.in_(("pending", "accepted", "partially_filled"))
            )
        return self._latest(statement.order_by(OrderRow.sequence), OrderRow.sequence, limit)

    def order(self, portfolio_id: int, order_id: str) -> OrderRow:
        row = self._session.get(OrderRow, (portfolio_id, order_id))
        if row is None:
            raise UnknownNameError(f"portfolio {portfolio_id} has no order {order_id!r}")
        return row

    def order_by_client_id(self, portfolio_id: int, client_order_id: str) -> OrderRow | None:
        return self._session.scalars(
            select(OrderRow).where(
                OrderRow.portfolio_id == portfolio_id,
                OrderRow.client_order_id == client_order_id,
            )
        ).one_or_none()

    def fills(self, portfolio_id: int, *, limit: int | None = None) -> list[FillRow]:
        return self._by_id(FillRow, portfolio_id, limit)

    def trades(self, portfolio_id: int, *, limit: int | None = None) -> list[TradeRow]:
        return self._by_id(TradeRow, portfolio_id, limit)

    def signals(self, portfolio_id: int, *, limit: int | None = None) -> list[SignalRow]:
        return self._by_id(SignalRow, portfolio_id, limit)

    def equity(self, portfolio_id: int, *, limit: int | None = None) -> list[EquitySnapshotRow]:
        return self._by_id(EquitySnapshotRow, portfolio_id, limit)

    def audit(self, portfolio_id: int, *, limit: int | None = None) -> list[AuditRow]:
        return self._by_id(AuditRow, portfolio_id, limit)

    def count(self, row_type: type[Base], portfolio_id: int) -> int:
        column: Any = row_type.portfolio_id  # type: ignore[attr-defined]
        return int(
            self._session.scalar(
                select(func.count()).select_from(row_type).where(column == portfolio_id)
            )
            or 0
        )

    def last_accepted_signals(self, portfolio_id: int) -> dict[str, datetime]:
        """The candle (open label) of the last accepted signal per symbol."""
        statement = (
            select(SignalRow.symbol, func.max(SignalRow.candle_at))
            .where(SignalRow.portfolio_id == portfolio_id, SignalRow.status == "accepted")
            .group_by(SignalRow.symbol)
        )
        # max() keeps the column's type, so the values arrive as aware UTC datetimes
        rows = self._session.execute(statement)
        return {symbol: candle for symbol, candle in rows if candle is not None}

    def equity_before(self, portfolio_id: int, at: datetime) -> Decimal | None:
        """The equity of the last snapshot taken before ``at`` (None when there is none)."""
        statement = (
            select(EquitySnapshotRow.equity)
            .where(EquitySnapshotRow.portfolio_id == portfolio_id, EquitySnapshotRow.at < at)
            .order_by(EquitySnapshotRow.id.desc())
            .limit(1)
        )
        return self._session.scalars(statement).first()

    # ------------------------------------------------------------------------------- ticks

    def cursor(self, portfolio_id: int, symbol: str) -> MarketCursorRow | None:
        return self._session.get(MarketCursorRow, (portfolio_id, symbol))

    def cursors(self, portfolio_id: int) -> list[MarketCursorRow]:
        return self._all(
            select(MarketCursorRow).where(MarketCursorRow.portfolio_id == portfolio_id)
        )

    def ticked_strategies(self, portfolio_id: int, symbol: str, candle_at: datetime) -> set[str]:
        """The strategies whose tick for this candle is already recorded."""
        statement = select(TickRunRow.strategy).where(
            TickRunRow.portfolio_id == portfolio_id,
            TickRunRow.symbol == symbol,
            TickRunRow.candle_at == candle_at,
        )
        return set(self._session.scalars(statement))

    def tick_runs(self, portfolio_id: int, *, limit: int | None = None) -> list[TickRunRow]:
        return self._by_id(TickRunRow, portfolio_id, limit)

    # ----------------------------------------------------------------------------- helpers

    def _all(self, statement: Any) -> list[Any]:
        return list(self._session.scalars(statement))

    def _by_id(self, row_type: type[RowT], portfolio_id: int, limit: int | None) -> list[RowT]:
        id_column: Any = row_type.id  # type: ignore[attr-defined]
        owner: Any = row_type.portfolio_id  # type: ignore[attr-defined]
        statement = select(row_type).where(owner == portfolio_id).order_by(id_column)
        return self._latest(statement, id_column, limit)

    def _latest(self, statement: Any, key: Any, limit: int | None) -> list[Any]:
        """All rows in order, or the last ``limit`` of them (still oldest first)."""
        if limit is None:
            return self._all(statement)
        newest: Sequence[Any] = self._all(
            statement.order_by(None).order_by(key.desc()).limit(limit)
        )
        return list(reversed(newest))
