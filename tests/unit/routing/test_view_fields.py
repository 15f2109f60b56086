"""The positions the router, the risk rules and the kernel read a view's, a signal's, an
intent's, an order's and a bar's fields at (``routing/view_fields.py``) are the records' own."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import pytest

from paperdesk.domain import PortfolioView
from paperdesk.routing import view_fields
from paperdesk.routing.router import (
    DECISION_INTENTS,
    DECISION_NOTES,
    DECISION_REJECTION,
    RoutingDecision,
)


def test_every_position_is_the_fields_own() -> None:
    assert view_fields.misplaced_fields() == []
    for record, fields in view_fields.EXPECTED.items():
        for name, position in fields.items():
            assert record._fields[position] == name  # type: ignore[attr-defined]


class Reordered(NamedTuple):
    cash: Decimal
    ts: Decimal


def test_a_reordered_record_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(view_fields.EXPECTED, Reordered, {"ts": 0, "cash": 1})  # type: ignore[index]
    assert view_fields.misplaced_fields() == ["Reordered.ts", "Reordered.cash"]


def test_a_view_read_by_position_is_read_by_name(make_view) -> None:  # type: ignore[no-untyped-def]
    view: PortfolioView = make_view("100", {"AAPL": ("3", "10")}, {"AAPL": "12"})
    assert view[view_fields.VIEW_CASH] is view.cash
    assert view[view_fields.VIEW_EQUITY] is view.equity
    assert view[view_fields.VIEW_POSITIONS] is view.positions


def test_a_decision_read_by_position_is_read_by_name(make_signal) -> None:  # type: ignore[no-untyped-def]
    decision = RoutingDecision(make_signal(), (), "no", ("a note",))
    assert decision[DECISION_INTENTS] is decision.intents
    assert decision[DECISION_REJECTION] == "no"
    assert decision[DECISION_NOTES] == ("a note",)
