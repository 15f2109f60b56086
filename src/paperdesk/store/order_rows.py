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
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from paperdesk.domain import Order
from paperdesk.store.mappers import order_sequence
from paperdesk.store.models import AuditRow, OrderRow, OutboxRow

ORDERS = cast(Table, OrderRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
OUTBOX = cast(Table, OutboxRow.__table__)
_ORDERS = ORDERS.c


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
    the order they happened. A new order is eligible from its change's time unless told;
    a stored one keeps its eligibility unless the change moves it."""
    if not changes:
        return
    flush_pending(session)
    wanted = {order.order_id for order, _, _ in changes}
    found = session.execute(
        select(_ORDERS.order_id, _ORDERS.eligible_at).where(
            _ORDERS.portfolio_id == portfolio_id, _ORDERS.order_id.in_(sorted(wanted))
        )
    )
    stored: dict[str, datetime] = {row[0]: row[1] for row in found}
    latest: dict[str, dict[str, Any]] = {}
    for order, eligible, at in changes:
        known = latest.get(order.order_id)
        if known is not None:
            eligible = eligible or known["eligible_at"]
        elif order.order_id in stored:
            eligible = eligible or stored[order.order_id]
        else:
            eligible = eligible or at
        latest[order.order_id] = order_values(portfolio_id, order, eligible)
    fresh = [values for key, values in latest.items() if key not in stored]
    if fresh:
        session.execute(insert(ORDERS), fresh)
    changed = [_keyed(values) for key, values in latest.items() if key in stored]
    if changed:
        session.execute(_UPDATE_ORDER, changed)
        _expire_loaded(session, portfolio_id, (v["key_order_id"] for v in changed))


# the SET clause is the parameters' column names (every column but the key)
_UPDATE_ORDER = update(ORDERS).where(
    _ORDERS.portfolio_id == bindparam("key_portfolio_id"),
    _ORDERS.order_id == bindparam("key_order_id"),
)


def _keyed(values: Mapping[str, Any]) -> dict[str, Any]:
    """An order's values for ``_UPDATE_ORDER`` (its key under names of their own)."""
    row = {k: v for k, v in values.items() if k not in ("portfolio_id", "order_id")}
    row["key_portfolio_id"], row["key_order_id"] = values["portfolio_id"], values["order_id"]
    return row


def _expire_loaded(session: Session, portfolio_id: int, order_ids: Iterable[str]) -> None:
    for order_id in order_ids:
        loaded = session.identity_map.get(identity_key(OrderRow, (portfolio_id, order_id)))
        if loaded is not None:
            session.expire(loaded)


def insert_audit(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Audit rows (``audit.audit_values``), in the order given."""
    if rows:
        flush_pending(session)
        session.execute(insert(AUDIT), list(rows))


def insert_outbox(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Numbered outbox rows (sequence, portfolio_id, kind, event_at, recorded_at, payload)."""
    if rows:
        session.execute(insert(OUTBOX), list(rows))
