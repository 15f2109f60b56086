"""A unit of work's event rows written with Core statements (store-only): fills (their ids
read back), round trips, signals, positions and the ledger checkpoint.

Built as ORM objects these cost a read before each position's write (``session.get``), the
checkpoint's ``SELECT max(fills.id)`` and the unit of work's flush: on PostgreSQL each read is
one more round trip to the server, and the ticks with fills were the slowest ticks
(docs/live-speed.md). Here the rows of a kind go in one statement: the fills in one INSERT
returning their ids in the order given (the checkpoint takes the last of them: the portfolio's
lock, held by the unit, keeps every earlier fill of the portfolio below them), round trips and
signals in one INSERT each, a position as an upsert (``INSERT ... ON CONFLICT (portfolio_id,
symbol) DO UPDATE``, both databases) or a DELETE, no read first. The values are the columns the
ORM wrote (``mappers``); a position row the session loaded is expired after its Core write, as
``order_rows`` does for orders, so a later read sees the new row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from paperdesk.store.models import (
    PositionRow,
)
from paperdesk.store.order_rows import expire_loaded, flush_pending
from paperdesk.store.tables import CHECKPOINTS, FILLS, POSITIONS, SIGNALS, TRADES

# built once (a statement's construction costs more than its execution here): the fills with
# their ids in the order given (``sort_by_parameter_order``, asked for on PostgreSQL, whose
# multi-row INSERT does not otherwise promise it; SQLite numbers one INSERT's rows in turn)
_INSERT_FILLS = {
    ordered: insert(FILLS).returning(FILLS.c.id, sort_by_parameter_order=ordered)
    for ordered in (False, True)
}
_INSERT_TRADES = insert(TRADES)
_INSERT_SIGNALS = insert(SIGNALS)
_INSERT_CHECKPOINT = insert(CHECKPOINTS)
_DELETE_POSITION = delete(POSITIONS).where(
    POSITIONS.c.portfolio_id == bindparam("position_portfolio"),
    POSITIONS.c.symbol == bindparam("position_symbol"),
)
_LAST_FILL = select(func.max(FILLS.c.id)).where(FILLS.c.portfolio_id == bindparam("portfolio"))
# the columns an existing position's row takes from a write (its opened bar index is kept)
POSITION_CHANGES = ("quantity", "cost", "average_price", "realized_pnl", "opened_at")


def insert_fills(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Fill rows (``mappers.fill_values``) in one INSERT; their ids, in the order given."""
    if not rows:
        return []
    flush_pending(session)
    ordered = session.get_bind().dialect.name == "postgresql"
    inserted = session.execute(_INSERT_FILLS[ordered], list(rows))
    return [int(identity) for identity in inserted.scalars()]


def insert_trades(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Round trip rows (``mappers.trade_values``), in the order given."""
    if rows:
        flush_pending(session)
        session.execute(_INSERT_TRADES, list(rows))


def insert_signals(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Signal rows, in the order given."""
    if rows:
        flush_pending(session)
        session.execute(_INSERT_SIGNALS, list(rows))


def position_writes(
    changes: Sequence[tuple[str, Mapping[str, Any] | None]],
) -> list[tuple[str, Mapping[str, Any] | None]]:
    """``changes`` (symbol, its columns from ``mappers.position_values``, or None when it
    closed; in the order they happened) less the writes a later one replaces: a run of writes
    of one symbol is its last."""
    kept: list[tuple[str, Mapping[str, Any] | None]] = []
    for symbol, values in changes:
        if kept and values is not None and kept[-1][0] == symbol and kept[-1][1] is not None:
            kept[-1] = (symbol, values)
        else:
            kept.append((symbol, values))
    return kept


def write_positions(
    session: Session, portfolio_id: int, changes: Sequence[tuple[str, Mapping[str, Any] | None]]
) -> None:
    """Each position's row as ``changes`` leave it (``position_writes``): an upsert, or a
    DELETE when it closed (a position the same fill reopens is then a new row, as before)."""
    if not changes:
        return
    flush_pending(session)
    upsert = _position_upsert(session.get_bind().dialect.name)
    for symbol, values in position_writes(changes):
        if values is None:
            session.execute(
                _DELETE_POSITION, {"position_portfolio": portfolio_id, "position_symbol": symbol}
            )
        else:
            session.execute(upsert, dict(values))
    expire_positions(session, portfolio_id, [symbol for symbol, _ in changes])


def expire_positions(session: Session, portfolio_id: int, symbols: Iterable[str]) -> None:
    """A position row the session loaded reads the row again (after a Core write of it)."""
    expire_loaded(session, PositionRow, ((portfolio_id, symbol) for symbol in symbols))


@cache
def _position_upsert(dialect: str) -> Any:
    """Insert a position's row, or update the stored one's figures."""
    statement: Any
    if dialect == "postgresql":  # the dialect's module loaded only where it is used
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(POSITIONS)
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(POSITIONS)
    return statement.on_conflict_do_update(
        index_elements=[POSITIONS.c.portfolio_id, POSITIONS.c.symbol],
        set_={name: statement.excluded[name] for name in POSITION_CHANGES},
    )


def last_fill_id(session: Session, portfolio_id: int) -> int:
    """The portfolio's last fill id as stored (0: none yet)."""
    flush_pending(session)
    return int(session.scalar(_LAST_FILL, {"portfolio": portfolio_id}) or 0)


def insert_checkpoint(session: Session, values: Mapping[str, Any]) -> None:
    """A ledger checkpoint row (every column but its id)."""
    flush_pending(session)
    session.execute(_INSERT_CHECKPOINT, dict(values))
