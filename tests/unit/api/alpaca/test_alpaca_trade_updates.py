"""Outbox entries as trade_updates messages (pure): the paperdesk event decides Alpaca's event,
a fill carries its own price and quantity and the position after it, and the order document
read back from the outbox is the order itself."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.api.alpaca.mapping import order_document
from paperdesk.api.alpaca.trade_updates import order_of, trade_update_messages
from paperdesk.domain import (
    Event,
    Fill,
    Order,
    OrderCanceled,
    OrderFilled,
    OrderModified,
    OrderStatus,
    OrderType,
    Position,
    PositionChanged,
    PositionOpened,
    Side,
)
from paperdesk.domain.records import OutboxEntry
from paperdesk.store.event_documents import event_document, event_kind

AT = datetime(2020, 1, 3, tzinfo=UTC)
ORDER = Order("O1", "bot-1", "SPY", Side.BUY, OrderType.LIMIT, Decimal(5), AT, Decimal("300.5"))


def entries(*events: Event) -> list[OutboxEntry]:
    return [
        OutboxEntry(number, 1, event_kind(event), AT, AT, event_document(event))
        for number, event in enumerate(events, start=10)
    ]


def fill_of(quantity: str, price: str) -> Fill:
    return Fill("O1", "SPY", Side.BUY, Decimal(quantity), Decimal(price), Decimal(0), AT)


def test_an_order_read_back_from_the_outbox_is_the_order() -> None:
    [entry] = entries(OrderModified(AT, ORDER))
    assert order_of(entry.payload["order"]) == ORDER


def test_fills_carry_their_price_quantity_and_the_position_after_them() -> None:
    partly = ORDER.evolve(
        status=OrderStatus.PARTIALLY_FILLED, filled_quantity=Decimal(2), average_price=Decimal(300)
    )
    filled = ORDER.evolve(
        status=OrderStatus.FILLED, filled_quantity=Decimal(5), average_price=Decimal("300.3")
    )
    messages = trade_update_messages(
        1,
        entries(
            OrderFilled(AT, partly, fill_of("2", "300")),
            PositionOpened(AT, Position("SPY", Decimal(2), Decimal(300))),
            OrderFilled(AT, filled, fill_of("3", "300.5")),
            PositionChanged(AT, Position("SPY", Decimal(5), Decimal("300.3")), Decimal(0)),
            OrderCanceled(AT, ORDER.evolve(status=OrderStatus.CANCELED), "by user"),
        ),
    )
    data = [m["data"] for m in messages]
    assert {m["stream"] for m in messages} == {"trade_updates"}
    assert [(d["event"], d.get("price"), d.get("qty"), d.get("position_qty")) for d in data] == [
        ("partial_fill", "300", "2", "2"),
        ("fill", "300.5", "3", "5"),
        ("canceled", None, None, None),
    ]
    assert data[1]["order"] == order_document(1, filled)
    assert [d["paperdesk_sequence"] for d in data] == [10, 12, 14]
    assert data[0]["execution_id"] != data[1]["execution_id"]


def test_a_fill_without_a_position_event_before_the_next_fill_has_no_position() -> None:
    filled = ORDER.evolve(status=OrderStatus.FILLED, filled_quantity=Decimal(5))
    messages = trade_update_messages(
        1,
        entries(
            OrderFilled(AT, filled, fill_of("5", "300")),
            OrderFilled(AT, filled, fill_of("5", "300")),
            PositionOpened(AT, Position("SPY", Decimal(5), Decimal(300))),
        ),
    )
    assert [m["data"].get("position_qty") for m in messages] == [None, "5"]
