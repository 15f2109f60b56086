"""The commit listener counts each outbox entry in the same counters as ``labels`` gave it,
taking each kind's labelled child once (not on every entry)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import Counter

from paperdesk.domain.records import OutboxEntry
from paperdesk.service import metrics
from paperdesk.service.container import count_committed

AT = datetime(2026, 12, 6, tzinfo=UTC)
KINDS = ("order.accepted", "order.canceled", "order.filled", "order.rejected", "order.accepted")


def _entries(kinds: tuple[str, ...]) -> list[OutboxEntry]:
    return [OutboxEntry(n, 1, kind, AT, AT, {}) for n, kind in enumerate(kinds, start=1)]


def _value(counter: Counter) -> float:
    """The counter's (or labelled child's) count as ``/metrics`` shows it."""
    return next(s.value for m in counter.collect() for s in m.samples if s.name.endswith("_total"))


def test_each_entry_is_counted_by_its_kind_and_labels_is_asked_once_a_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    labels = metrics.OUTBOX_EVENTS.labels

    def counted_labels(**names: str) -> Counter:
        asked.append(names["kind"])
        return labels(**names)

    monkeypatch.setattr(metrics.OUTBOX_EVENTS, "labels", counted_labels)
    monkeypatch.setattr(metrics, "_COUNTERS", {}, raising=False)  # none taken yet
    children = {kind: labels(kind=kind) for kind in set(KINDS)}
    rejected = metrics.REJECTIONS.labels(stage="order")
    before = {kind: _value(child) for kind, child in children.items()}
    orders, fills, refusals = _value(metrics.ORDERS), _value(metrics.FILLS), _value(rejected)

    count_committed(_entries(KINDS))
    count_committed(_entries(KINDS))

    for kind, child in children.items():
        assert _value(child) - before[kind] == 2 * KINDS.count(kind)
    assert _value(metrics.ORDERS) - orders == 4  # two order.accepted a call
    assert _value(metrics.FILLS) - fills == 2
    assert _value(rejected) - refusals == 2
    assert sorted(asked) == sorted(set(KINDS))  # each kind's child taken once
