"""``OpenTrade``'s written-out ``__init__`` (native when compiled) takes the dataclass's fields
in order, with the fields' own defaults (the shared ``ZERO`` itself: ``plus`` tells a running
total's start by identity)."""

from __future__ import annotations

from dataclasses import MISSING, astuple, fields
from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import ZERO, Side
from paperdesk.portfolio import OpenTrade

TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)


def test_the_init_takes_the_fields_in_order() -> None:
    values = ("SPY", Side.SELL, TS, "macd-cross", *(Decimal(n) for n in range(1, 9)))
    trade = OpenTrade(*values)
    held = tuple(getattr(trade, dataclass_field.name) for dataclass_field in fields(OpenTrade))
    assert all(mine is theirs for mine, theirs in zip(held, values, strict=True))


def test_the_defaults_are_the_fields_own() -> None:
    trade = OpenTrade("SPY", Side.BUY, TS, "macd-cross")
    for dataclass_field in fields(OpenTrade):
        if dataclass_field.default is not MISSING:
            assert getattr(trade, dataclass_field.name) is dataclass_field.default
    assert trade.entry_quantity is ZERO
    trade.add_entry(Decimal(3), Decimal("101.25"), ZERO)
    assert OpenTrade(*astuple(trade)) == trade
