"""The order path's rows written with Core statements (store-only): orders, audit entries and
outbox entries, a statement (or one ``executemany``) each, without the ORM's unit of work.

A manual order or its cancel writes one order row, one audit row and one outbox row; built as
ORM objects, found with a ``session.get`` and flushed, they cost most of the order's CPU
(docs/live-speed.md). The rows and their values are the same as the ORM wrote; what these
functions must keep in step with the session: anything the session still holds pending is
flushed first (so rows keep the order they were made in, and a row referring to one the ORM
added finds it), and an order row the session has loaded is expired after its Core write (a
later read in the same transaction sees the new values, never a stale copy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from paperdesk.domain import Order
from paperdesk.store.mappers import order_sequence
from paperdesk.store.models import OrderRow
from paperdesk.store.prebuilt import Prebuilt
from paperdesk.store.tables import AUDIT, ORDERS, OUTBOX

_ORDERS = ORDERS.c
# built once and compiled once (store/prebuilt.py): a statement's construction and SQLAlchemy's
# work per run cost more than the database's
_INSERT_AUDIT = Prebuilt(insert(AUDIT))
_INSERT_OUTBOX = Prebuilt(insert(OUTBOX))


def flush_pending(session: Session) -> None:
    """Write what the session holds pending, so that Core rows come after it (in id order
    too) and may refer to it."""
    if session.new or session.dirty or session.deleted:
        session.flush()


def order_values(portfolio_id: int, order: Order, eligible_from: datetime) -> dict[str, Any]:
    """An order row's columns (``mappers.write_order``'s, as a dict)."""
    return {
        "portfolio_id": portfolio_id,
        "order_id": order.order_id,
        "sequence": order_sequence(order.order_id),
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "order_type": order.order_type.value,
        "quantity": order.quantity,
        "limit_price": order.limit_price,
        "stop_price": order.stop_price,
        "time_in_force": order.time_in_force.value,
        "role": order.role.value,
        "parent_id": order.parent_id,
        "children": list(order.children),
        "status": order.status.value,
        "filled_quantity": order.filled_quantity,
        "average_price": order.average_price,
        "triggered": order.triggered,
        "size_fraction": order.size_fraction,
        "strategy": order.strategy,
        "reason": order.reason,
        "submitted_at": order.ts_submitted,
        "expires_at": order.ts_expire,
        "updated_at": order.ts_updated,
        "eligible_at": eligible_from,
    }


def write_orders(
    session: Session, portfolio_id: int, changes: Sequence[tuple[Order, datetime | None, datetime]]
) -> None:
    """Each changed order's row as it stands after the last change: ``changes`` holds
    (order, the first bar open it may trade from when the change says, the change's time) in
    the order they happened. A new order is eligible from its first change's time unless a
    change says otherwise; a stored one keeps its eligibility unless a change moves it. One
    upsert (``INSERT ... ON CONFLICT DO UPDATE``, both databases) per kind, no read first."""
    if not changes:
        return
    flush_pending(session)
    latest: dict[str, tuple[Order, datetime | None, datetime]] = {}
    for order, eligible, at in changes:
        known = latest.get(order.order_id)
        if known is not None:  # the last change's order; the last eligibility a change gave
            eligible, at = eligible or known[1], known[2]
        latest[order.order_id] = (order, eligible, at)
    moved = [order_values(portfolio_id, o, e) for o, e, _ in latest.values() if e is not None]
    kept = [order_values(portfolio_id, o, at) for o, e, at in latest.values() if e is None]
    dialect = session.get_bind().dialect.name
    if moved:
        _upsert(dialect, keep_eligible=False).execute(session, moved)
    if kept:
        _upsert(dialect, keep_eligible=True).execute(session, kept)
    _expire_loaded(session, portfolio_id, latest)


@cache
def _upsert(dialect: str, *, keep_eligible: bool) -> Prebuilt:
    """Insert an order's row, or update the stored one (its eligibility too unless
    ``keep_eligible``)."""
    statement: Any
    if dialect == "postgresql":  # the dialect's module loaded only where it is used
        from sqlalchemy.dialects import postgresql

        statement = postgresql.insert(ORDERS)
    else:
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(ORDERS)
    key = ("portfolio_id", "order_id")
    unchanged = (*key, "eligible_at") if keep_eligible else key
    return Prebuilt(
        statement.on_conflict_do_update(
            index_elements=[_ORDERS[name] for name in key],
            set_={
                column.key: statement.excluded[column.key]
                for column in ORDERS.columns
                if column.key not in unchanged
            },
        )
    )


def _expire_loaded(session: Session, portfolio_id: int, order_ids: Iterable[str]) -> None:
    expire_loaded(session, OrderRow, ((portfolio_id, order_id) for order_id in order_ids))


def expire_loaded(session: Session, model: type[Any], keys: Iterable[Any]) -> None:
    """Expire the session's copies of ``model``'s rows of primary ``keys``, if it holds any
    (after a Core write of them, a later ORM read reads them again). A session holding no
    object at all (a unit of the order path, written with Core only) has none to look up: a
    key's lookup (``identity_key``, the model's mapper) cost about 1.4 us."""
    identity_map = session.identity_map
    if not len(identity_map):
        return
    for key in keys:
        loaded = identity_map.get(identity_key(model, key))
        if loaded is not None:
            session.expire(loaded)


def insert_audit(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Audit rows (``audit.audit_values``), in the order given."""
    if rows:
        flush_pending(session)
        _INSERT_AUDIT.execute(session, rows)


def insert_outbox(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Numbered outbox rows (sequence, portfolio_id, kind, event_at, recorded_at, payload)."""
    if rows:
        _INSERT_OUTBOX.execute(session, rows)
