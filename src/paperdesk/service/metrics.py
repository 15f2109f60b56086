"""What the platform did, for Prometheus: counted once, from the outbox entries a transaction
committed (``Database.on_commit``), so a tick, an order, a fill or a rejection is counted by
whichever process committed it, after it is durable, and never for a rolled-back attempt.

Outbox lag is defined per consumer (the WebSocket streams, the webhooks...): the newest
committed sequence number minus the newest one that consumer reports delivered
(``record_delivered``). It is computed when ``/metrics`` is read (``refresh_outbox``).
"""

from __future__ import annotations

from collections.abc import Sequence
from threading import Lock

from prometheus_client import Counter, Gauge, start_http_server

# the provider calls' counter is part of every exposition (``/metrics``, ``serve_metrics``), also
# in a process whose providers load only when first asked
import paperdesk.data.providers.metrics  # noqa: F401
from paperdesk.domain.records import OutboxEntry

OUTBOX_EVENTS = Counter(
    "paperdesk_outbox_events_total", "Events committed to the outbox, by kind.", ["kind"]
)
TICKS = Counter("paperdesk_ticks_total", "Ticks processed (one per portfolio, symbol and bar).")
ORDERS = Counter("paperdesk_orders_total", "Orders accepted (manual, strategy and bracket legs).")
FILLS = Counter("paperdesk_fills_total", "Fills (an order filled in parts counts each part).")
REJECTIONS = Counter(
    "paperdesk_risk_rejections_total",
    "Refusals recorded in the ledger: a signal the router's filters and risk rules refused "
    "(stage=signal) or an order the execution refused (stage=order).",
    ["stage"],
)
OUTBOX_LAST_SEQUENCE = Gauge(
    "paperdesk_outbox_last_sequence", "The newest committed outbox sequence number."
)
OUTBOX_DELIVERED_SEQUENCE = Gauge(
    "paperdesk_outbox_delivered_sequence",
    "The newest outbox sequence number a consumer of this process reports delivered.",
    ["consumer"],
)
OUTBOX_LAG = Gauge(
    "paperdesk_outbox_lag_events",
    "Committed outbox events a consumer has not delivered yet (last minus delivered).",
    ["consumer"],
)

_BY_KIND = {
    "tick.processed": TICKS,
    "order.accepted": ORDERS,
    "order.filled": FILLS,
    "signal.rejected": REJECTIONS.labels(stage="signal"),
    "order.rejected": REJECTIONS.labels(stage="order"),
}
_delivered: dict[str, int] = {}
_delivered_lock = Lock()


# each kind's child of OUTBOX_EVENTS with the kind's own counter, taken once: ``labels``
# (its keyword arguments, label checks and lock) cost more than the two increments
_COUNTERS: dict[str, tuple[Counter, ...]] = {}


def count_committed(entries: Sequence[OutboxEntry]) -> None:
    """Count a committed transaction's outbox entries (the ``Database.on_commit`` listener)."""
    for entry in entries:
        counters = _COUNTERS.get(entry.kind)
        if counters is None:
            counters = _counters(entry.kind)
        for counter in counters:
            counter.inc()


def _counters(kind: str) -> tuple[Counter, ...]:
    """The counters an outbox entry of ``kind`` increments: its child of ``OUTBOX_EVENTS``,
    then its kind's own counter, if any (the same children ``labels`` gives every time: no
    label of these counters is ever removed)."""
    by_kind = _BY_KIND.get(kind)
    counters = (OUTBOX_EVENTS.labels(kind=kind), *(() if by_kind is None else (by_kind,)))
    _COUNTERS[kind] = counters
    return counters


def record_delivered(consumer: str, sequence: int) -> None:
    """A consumer (``websocket``, ``webhooks``...) has delivered everything up to
    ``sequence``; its lag is measured from here."""
    with _delivered_lock:
        if sequence >= _delivered.get(consumer, 0):
            _delivered[consumer] = sequence
            OUTBOX_DELIVERED_SEQUENCE.labels(consumer=consumer).set(sequence)


def refresh_outbox(last_sequence: int) -> None:
    """Set the newest committed sequence and every consumer's lag behind it."""
    OUTBOX_LAST_SEQUENCE.set(last_sequence)
    with _delivered_lock:
        delivered = dict(_delivered)
    for consumer, sequence in delivered.items():
        OUTBOX_LAG.labels(consumer=consumer).set(max(0, last_sequence - sequence))


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    """Serve this process's metrics at ``http://host:port/metrics`` from a background thread
    (for a process without the API, such as ``paperdesk worker``: its ticks, orders and fills
    are counted where they commit, so they are scraped from it)."""
    start_http_server(port, addr=host)
