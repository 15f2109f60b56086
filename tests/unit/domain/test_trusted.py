"""The trusted makers build the very records the classes' own constructors build, and the call
sites that pass every field positionally match the classes' field layouts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from paperdesk.domain import (
    Direction,
    Fill,
    Order,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderIntent,
    OrderRole,
    OrderType,
    PortfolioView,
    Position,
    Side,
    Signal,
    SignalAccepted,
    Trade,
    WorkingEntry,
)
from paperdesk.domain.trusted import trusted_maker

D = Decimal
TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
ORDER = Order("O1", "C1", "SPY", Side.BUY, OrderType.LIMIT, D("3"), TS, limit_price=D("101.25"))
FILL = Fill("O1", "SPY", Side.BUY, D("3"), D("101.25"), D("0.5"), TS, D("0.01"))
SIGNAL = Signal("macd-cross", "SPY", Direction.LONG, TS, stop=D("99.5"), target=D("104"))

RECORDS: list[Any] = [
    ORDER,
    ORDER._replace(role=OrderRole.STOP_LOSS, parent_id="O0", children=("O2",)),
    FILL,
    OrderAccepted(TS, ORDER, TS),
    OrderFilled(TS, ORDER, FILL),
    OrderCanceled(TS, ORDER, "replaced by a new exit"),
    SignalAccepted(TS, SIGNAL, ("trimmed",)),
    Position("SPY", D("3"), D("101.25"), D("-2.5"), TS, D("303.75")),
    OrderIntent("SPY", Side.SELL, D("2"), stop_loss=D("99"), take_profit=D("104")),
    PortfolioView(
        TS,
        D("9.5"),
        D("310"),
        {},
        {"SPY": D("101")},
        D("300"),
        frozenset({"SPY"}),
        (WorkingEntry("SPY", Side.BUY, D("2"), D("101")),),
    ),
    Trade("SPY", Side.BUY, D("3"), D("101.25"), D("102"), TS, TS, D("0.5"), D("1.75"), "x", "y"),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_a_trusted_maker_builds_what_the_constructor_builds(record: Any) -> None:
    cls = type(record)
    made = trusted_maker(cls)(tuple(record))
    assert type(made) is cls
    assert made == record
    assert all(mine is theirs for mine, theirs in zip(made, record, strict=True))
    assert made == cls._make(tuple(record))


def test_the_positional_call_sites_match_the_field_layouts() -> None:
    # execution/book.py, orders_from_intents.py, simulated.py, domain/positions.py and
    # engine/kernel.py pass these fields in this order
    assert Order._fields[12:18] == (
        "status",
        "filled_quantity",
        "average_price",
        "triggered",
        "ts_expire",
        "ts_updated",
    )
    assert len(Order._fields) == 22
    assert OrderAccepted._fields == ("ts_event", "order", "ts_eligible")
    assert OrderFilled._fields == ("ts_event", "order", "fill")
    assert OrderCanceled._fields == ("ts_event", "order", "reason")
    assert SignalAccepted._fields == ("ts_event", "signal", "notes")
    assert Fill._fields == (
        "order_id",
        "symbol",
        "side",
        "quantity",
        "price",
        "fee",
        "ts",
        "slippage",
    )
    assert Position._fields == (
        "symbol",
        "quantity",
        "average_price",
        "realized_pnl",
        "ts_opened",
        "cost",
    )
    assert len(OrderIntent._fields) == 13
    # portfolio/ledger.py, routing/router.py (views) and portfolio/round_trips.py (trades)
    assert PortfolioView._fields == (
        "ts",
        "cash",
        "equity",
        "positions",
        "prices",
        "day_start_equity",
        "working_entry_symbols",
        "working_entries",
    )
    assert Trade._fields == (
        "symbol",
        "side",
        "quantity",
        "entry_price",
        "exit_price",
        "ts_entry",
        "ts_exit",
        "fees",
        "pnl",
        "strategy",
        "exit_reason",
    )


def test_an_intent_with_a_new_quantity_is_its_replace() -> None:
    intent = OrderIntent(
        "SPY", Side.BUY, D("2"), stop_loss=D("99"), take_profit=D("104"), size_fraction=D("0.5")
    )
    changed = intent.with_quantity(D("7"))
    assert type(changed) is OrderIntent
    assert changed == intent._replace(quantity=D("7"))
    assert changed.quantity == D("7")
    assert changed[3:] == intent[3:]
    assert changed[:2] == intent[:2]
