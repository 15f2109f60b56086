"""A tick's last rows on PostgreSQL in one statement (store-only): its audit entry, its equity
snapshot, its ledger checkpoint when it booked fills, and its market cursor.

Written one by one these are three or four round trips to the server (two INSERTs the ORM
flushed, the checkpoint's INSERT and the cursor's UPDATE). Here data-modifying CTEs insert the
audit entry, the snapshot and the checkpoint when there is one (``LedgerWriter.checkpoint``
leaves it to this statement on PostgreSQL), and the main statement upserts the cursor
(``INSERT ... ON CONFLICT (portfolio_id, symbol) DO UPDATE`` of the columns given, so the
first tick of a symbol needs no second statement). The columns' own types bind the values
(exact Decimals, UTC times, JSON), so the rows are those the ORM and the cursor's UPDATE
wrote. The cursor's and the checkpoint's writes still fire the revision triggers of migration
0010 (the cursor's UPDATE's when the row exists, the INSERT's the first time), at the end of
the statement, so the revision read after it (``LedgerWriter.finish``) includes them. The
statements (one per set of cursor columns given, with or without a checkpoint) are built once.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, bindparam, insert

from paperdesk.store.tables import AUDIT, CHECKPOINTS, CURSORS, EQUITY_SNAPSHOTS

_KEY = ("portfolio_id", "symbol")


def _values(table: Table, prefix: str) -> dict[str, Any]:
    return {
        column.name: bindparam(f"{prefix}{column.name}")
        for column in table.columns
        if not column.primary_key
    }


@cache
def _statement(cursor_columns: tuple[str, ...], checkpoint: bool) -> Insert:
    audit = insert(AUDIT).values(_values(AUDIT, "audit_")).cte("tick_audit")
    equity = (
        insert(EQUITY_SNAPSHOTS).values(_values(EQUITY_SNAPSHOTS, "equity_")).cte("tick_equity")
    )
    written = [audit, equity]
    if checkpoint:
        values = _values(CHECKPOINTS, "checkpoint_")
        written.append(insert(CHECKPOINTS).values(values).cte("tick_checkpoint"))
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert  # used on it only

    columns = (*_KEY, "timeframe", *cursor_columns)
    upsert = postgresql_insert(CURSORS).values(
        {name: bindparam(f"cursor_{name}") for name in columns}
    )
    changed = {name: upsert.excluded[name] for name in cursor_columns}
    return upsert.on_conflict_do_update(index_elements=list(_KEY), set_=changed).add_cte(*written)


def tick_closing(
    audit: Mapping[str, Any],
    equity: Mapping[str, Any],
    cursor: Mapping[str, Any],
    checkpoint: Mapping[str, Any] | None = None,
) -> tuple[Insert, dict[str, Any]]:
    """The statement and its parameters: ``audit``, ``equity`` and ``checkpoint`` (none
    without fills) hold every column of their rows but the id, ``cursor`` the key
    (portfolio_id, symbol), the timeframe (written the first time only) and the columns to
    set."""
    changed = tuple(name for name in cursor if name not in (*_KEY, "timeframe"))
    parameters = {
        **{f"audit_{name}": value for name, value in audit.items()},
        **{f"equity_{name}": value for name, value in equity.items()},
        **{f"cursor_{name}": value for name, value in cursor.items()},
        **{f"checkpoint_{name}": value for name, value in (checkpoint or {}).items()},
    }
    return _statement(changed, checkpoint is not None), parameters
