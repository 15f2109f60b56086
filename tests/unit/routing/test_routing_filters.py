"""Filter rules: each lets the right signals through and names the values when it rejects."""

from __future__ import annotations

import pytest

from paperdesk.domain import Direction, InvalidInputError
from paperdesk.routing import (
    AllowedSymbols,
    CompositeFilter,
    Cooldown,
    MinimumConfidence,
    NullFilter,
    OnePositionPerSymbol,
)
from paperdesk.routing.signal_memory import signal_memories


def test_null_filter_allows_everything(make_signal, make_view) -> None:
    assert NullFilter().allow(make_signal(Direction.SHORT), make_view()) is None


def test_minimum_confidence(make_signal, make_view) -> None:
    rule = MinimumConfidence(0.5)
    assert rule.allow(make_signal(confidence=0.5), make_view()) is None
    assert rule.allow(make_signal(confidence=0.9), make_view()) is None
    assert (
        rule.allow(make_signal(confidence=0.4), make_view())
        == "confidence 0.40 is below the minimum 0.50"
    )


@pytest.mark.parametrize("minimum", [-0.1, 1.5])
def test_minimum_confidence_out_of_range(minimum: float) -> None:
    with pytest.raises(InvalidInputError, match="minimum confidence"):
        MinimumConfidence(minimum)


def test_allowed_symbols(make_signal, make_view) -> None:
    rule = AllowedSymbols(["MSFT", "AAPL"])
    assert rule.allow(make_signal(symbol="AAPL"), make_view()) is None
    assert (
        rule.allow(make_signal(symbol="TSLA"), make_view())
        == "symbol TSLA is not among the allowed symbols: AAPL, MSFT"
    )


def test_allowed_symbols_needs_one() -> None:
    with pytest.raises(InvalidInputError, match="at least one symbol"):
        AllowedSymbols([])


def test_cooldown_counts_bars_since_the_last_accepted_signal(make_signal, make_view) -> None:
    rule = Cooldown(3)
    aapl, msft = make_signal(symbol="AAPL"), make_signal(symbol="MSFT")
    rule.advance(10)
    assert rule.allow(aapl, make_view()) is None
    rule.remember(aapl)
    rule.advance(12)
    assert (
        rule.allow(aapl, make_view())
        == "cooldown: 2 bars since the last accepted AAPL signal, 3 required"
    )
    assert rule.allow(msft, make_view()) is None  # per symbol
    rule.advance(13)
    assert rule.allow(aapl, make_view()) is None
    rule.reset()
    assert rule.allow(aapl, make_view()) is None


def test_cooldown_zero_never_rejects(make_signal, make_view) -> None:
    rule = Cooldown(0)
    rule.remember(make_signal())
    assert rule.allow(make_signal(), make_view()) is None


def test_cooldown_rejects_negative_bars() -> None:
    with pytest.raises(InvalidInputError, match="cooldown bars"):
        Cooldown(-1)


@pytest.mark.parametrize(
    ("held", "direction", "expected"),
    [
        (None, Direction.LONG, None),
        ("0", Direction.LONG, None),
        ("10", Direction.LONG, "already long 10 AAPL; pyramiding is disabled"),
        ("10", Direction.SHORT, None),
        ("10", Direction.FLAT, None),
        ("-5", Direction.SHORT, "already short 5 AAPL; pyramiding is disabled"),
        ("-5", Direction.LONG, None),
        ("-5", Direction.FLAT, None),
    ],
)
def test_one_position_per_symbol(make_signal, make_view, held, direction, expected) -> None:
    positions = {} if held is None else {"AAPL": (held, "100")}
    view = make_view(positions=positions)
    assert OnePositionPerSymbol().allow(make_signal(direction), view) == expected
    assert OnePositionPerSymbol(pyramiding=True).allow(make_signal(direction), view) is None


def test_composite_returns_the_first_rejection_in_order(make_signal, make_view) -> None:
    composite = CompositeFilter([NullFilter(), MinimumConfidence(0.5), AllowedSymbols(["MSFT"])])
    signal = make_signal(confidence=0.1)
    assert composite.allow(signal, make_view()) == "confidence 0.10 is below the minimum 0.50"
    assert composite.allow(make_signal(), make_view()).startswith("symbol AAPL is not")
    assert composite.allow(make_signal(symbol="MSFT"), make_view()) is None
    assert CompositeFilter([]).allow(signal, make_view()) is None


def test_signal_memories_opens_composites() -> None:
    inner = Cooldown(2)
    outer = Cooldown(5)
    rule = CompositeFilter([MinimumConfidence(0.1), CompositeFilter([inner]), outer])
    assert list(signal_memories(rule)) == [inner, outer]
    assert list(signal_memories(NullFilter())) == []


@pytest.mark.parametrize("direction", [Direction.LONG, Direction.SHORT])
def test_no_second_entry_while_an_entry_order_is_still_working(
    make_signal, make_view, direction
) -> None:
    view = make_view()._replace(working_entry_symbols=frozenset({"AAPL"}))
    reason = OnePositionPerSymbol().allow(make_signal(direction), view)
    assert reason == "an entry order for AAPL is still working; pyramiding is disabled"
    assert OnePositionPerSymbol().allow(make_signal(Direction.FLAT), view) is None
    assert OnePositionPerSymbol(pyramiding=True).allow(make_signal(direction), view) is None
