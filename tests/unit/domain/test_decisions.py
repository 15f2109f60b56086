"""Per-bar strategy values: the context's signal helpers and checks, the decision's state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from paperdesk.domain import (
    Decision,
    Direction,
    InvalidInputError,
    Order,
    OrderIntent,
    OrderRole,
    OrderType,
    Side,
    StrategyContext,
)
from paperdesk.domain.decisions import dump_state, freeze_state, load_state

D = Decimal
TS = datetime(2024, 3, 1, 21, 0, tzinfo=UTC)


def context(**changes: Any) -> StrategyContext:
    values: dict[str, Any] = {
        "strategy": "mine",
        "symbol": "SPY",
        "ts": TS,
        "bar_index": 30,
        "cash": D("10000"),
        "equity": D("10000"),
    }
    values.update(changes)
    return StrategyContext(**values)


def test_a_flat_context_has_defaults_and_no_bars_since_entry() -> None:
    flat = context()
    assert flat.flat
    assert (flat.position, flat.average_price, flat.unrealized_pnl) == (D(0), None, D(0))
    assert flat.open_orders == ()
    assert flat.bars_since_entry is None
    assert dict(flat.state) == {}


def test_context_helpers_build_signals_for_its_strategy_symbol_and_bar() -> None:
    long = context().long(confidence=0.75, stop=D("98.5"), target=101.1, reason="cross")
    assert long.direction is Direction.LONG
    assert (long.strategy, long.symbol, long.ts) == ("mine", "SPY", TS)
    assert long.confidence == 0.75
    assert long.stop == D("98.5")
    assert long.target == D("101.1")  # a float becomes the Decimal of its shortest repr
    assert long.reason == "cross"
    short = context().short(stop=0.1 + 0.2)
    assert short.direction is Direction.SHORT
    assert short.stop == D("0.30000000000000004")
    exit_signal = context(position=D(5), bars_since_entry=2).exit(reason="done")
    assert exit_signal.direction is Direction.FLAT
    assert (exit_signal.stop, exit_signal.target, exit_signal.reason) == (None, None, "done")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stop": -1.0}, "stop must be a positive price, got -1.0"),
        ({"target": float("nan")}, "target must be a finite number"),
        ({"confidence": 1.5}, "confidence must be between 0 and 1, got 1.5"),
    ],
)
def test_context_helpers_refuse_bad_prices_and_confidence(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        context().long(**changes)


def test_context_converts_money_and_time_to_decimal_and_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    built = context(ts=datetime(2024, 3, 1, 16, 0, tzinfo=eastern), cash=2500, equity=2500.5)
    assert built.ts == TS
    assert built.ts.tzinfo is UTC
    assert (built.cash, built.equity) == (D("2500"), D("2500.5"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ts": datetime(2024, 3, 1)}, "ts must be timezone-aware"),
        ({"bar_index": -1}, "bar_index must be >= 0, got -1"),
        ({"symbol": ""}, "needs a strategy and a symbol"),
        ({"bars_since_entry": 3}, "bars_since_entry must be None when flat, got 3"),
        ({"position": D(2)}, "bars_since_entry must be >= 0 while a position is held, got None"),
        ({"state": {"when": TS}}, "state of 'mine' is not JSON-serialisable: key 'when'"),
    ],
)
def test_context_refuses_inconsistent_values(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        context(**changes)


def test_context_state_and_orders_are_read_only_copies() -> None:
    state: dict[str, Any] = {"seen": [1, 2]}
    order = Order("o1", "c1", "SPY", Side.SELL, OrderType.MARKET, D(1), TS, role=OrderRole.EXIT)
    built = context(position=D(1), bars_since_entry=0, state=state, open_orders=[order])
    state["seen"].append(3)
    assert built.state == {"seen": [1, 2]}
    assert built.open_orders == (order,)
    with pytest.raises(TypeError):
        built.state["seen"] = []  # type: ignore[index]


def test_decision_defaults_leave_the_state_unchanged() -> None:
    assert Decision() == Decision(None, None)
    signal = context().long()
    assert Decision.of(signal) == Decision(signal)
    assert Decision.of(None) == Decision()
    decision = Decision(signal, state={"entries": 1})
    assert Decision.of(decision) is decision


def test_decision_state_is_a_read_only_json_copy() -> None:
    decision = Decision(state={"entries": 2, "last": ("a", 1.5), "nested": {"ok": None}})
    assert decision.state == {"entries": 2, "last": ["a", 1.5], "nested": {"ok": None}}
    with pytest.raises(TypeError):
        decision.state["entries"] = 3  # type: ignore[index]
    assert Decision(state={}).state == {}  # an empty state clears it (None keeps it)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (
            {"price": D("1.5")},
            r"key 'price' holds Decimal\('1.5'\) \(Decimal\); .*store a Decimal or a datetime as",
        ),
        ({"deep": {"list": [1, float("inf")]}}, "key 'deep.list\\[1\\]' holds inf"),
        ({"deep": {3: "x"}}, "key 'deep' has the key 3 \\(int\\), which is not a str"),
        ({7: "x"}, "key 7 \\(int\\) is not a str"),
        ({"model": object()}, "key 'model' holds <object object at .*> \\(object\\)"),
    ],
)
def test_decision_state_must_be_json_and_the_error_names_the_key(
    state: dict[Any, Any], message: str
) -> None:
    with pytest.raises(
        InvalidInputError, match="decision state is not JSON-serialisable: " + message
    ):
        Decision(state=state)


def test_decision_action_must_be_a_signal_an_order_intent_or_none() -> None:
    intent = OrderIntent("SPY", Side.BUY, D(3))
    assert Decision(intent).action == intent
    with pytest.raises(
        InvalidInputError, match="must be a Signal, an OrderIntent or None, got str"
    ):
        Decision("buy")  # type: ignore[arg-type]


def test_state_round_trips_through_canonical_json() -> None:
    text = dump_state({"b": [1, 2], "a": {"x": True}})
    assert text == '{"a": {"x": true}, "b": [1, 2]}'
    assert load_state(text) == {"a": {"x": True}, "b": [1, 2]}
    with pytest.raises(InvalidInputError, match="strategy state is not valid JSON"):
        load_state("{nope")
    with pytest.raises(InvalidInputError, match="must be a mapping of str keys"):
        freeze_state([1, 2])  # type: ignore[arg-type]
