"""The order book alone, with fills handed to it as a venue would: bracket lifecycle, OCO,
expiry, the matching queue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from paperdesk.domain import (
    Event,
    Fill,
    OrderAccepted,
    OrderCanceled,
    OrderError,
    OrderExpired,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.execution import OrderBook

from ._support import INSTRUMENTS, SYMBOL, bar_open_time, before, make_book, make_intent

D = Decimal


def fill(order_id: str, side: Side, quantity: str, price: str, ts: datetime) -> Fill:
    return Fill(order_id, SYMBOL, side, D(quantity), D(price), D(0), ts)


def kinds(events: list[Event]) -> list[tuple[str, str]]:
    return [(type(event).__name__, event.order.order_id) for event in events]


def test_a_bracket_is_activated_grown_and_closed_by_fills_alone() -> None:
    book = make_book()
    book.submit(make_intent(quantity="50", stop_loss="95", take_profit="110"), before(0))
    assert [o.status for o in book.open_orders()] == [
        OrderStatus.ACCEPTED,
        OrderStatus.PENDING,
        OrderStatus.PENDING,
    ]

    first: list[Event] = []
    activated: list[str] = []
    filled = book.on_fill(
        fill("O1", Side.BUY, "20", "100", bar_open_time(0)), bar_open_time(0), first, activated
    )
    assert kinds(first) == [("OrderFilled", "O1"), ("OrderAccepted", "O2"), ("OrderAccepted", "O3")]
    assert activated == ["O2", "O3"]  # a venue may still match them on this bar
    assert filled.order.status is OrderStatus.PARTIALLY_FILLED
    assert book.eligible_from("O2") == bar_open_time(0)
    assert book.get("O3").quantity == D(20)

    second: list[Event] = []
    book.on_fill(fill("O1", Side.BUY, "30", "102", bar_open_time(1)), bar_open_time(1), second)
    assert kinds(second) == [
        ("OrderFilled", "O1"),
        ("OrderModified", "O2"),
        ("OrderModified", "O3"),
    ]
    parent = book.get("O1")
    assert (parent.status, parent.average_price) == (OrderStatus.FILLED, D("101.2"))
    assert book.get("O2").quantity == book.get("O3").quantity == D(50)

    third: list[Event] = []
    book.on_fill(fill("O3", Side.SELL, "50", "110", bar_open_time(2)), bar_open_time(2), third)
    assert kinds(third) == [("OrderFilled", "O3"), ("OrderCanceled", "O2")]
    assert isinstance(third[1], OrderCanceled)
    assert third[1].reason == "one-cancels-other: O3 filled"
    assert not book.has_open_orders(SYMBOL)


def test_a_parent_fill_inside_the_bar_makes_its_legs_eligible_from_the_given_time() -> None:
    book = make_book()
    book.submit(make_intent(stop_loss="95", take_profit="110"), before(0))
    events: list[Event] = []
    book.on_fill(fill("O1", Side.BUY, "10", "98", bar_open_time(0)), before(1), events)
    accepted = [e for e in events if isinstance(e, OrderAccepted)]
    assert [e.ts_eligible for e in accepted] == [before(1), before(1)]
    assert book.active_sibling(book.get("O2"), bar_open_time(0)) is None  # not yet working
    assert book.active_sibling(book.get("O2"), bar_open_time(1)) == book.get("O3")


def test_a_leg_fill_cancels_what_the_parent_has_not_filled() -> None:
    book = make_book()
    book.submit(make_intent(quantity="50", stop_loss="95"), before(0))
    book.on_fill(fill("O1", Side.BUY, "20", "100", bar_open_time(0)), bar_open_time(0), [])
    events: list[Event] = []
    book.on_fill(fill("O2", Side.SELL, "20", "95", bar_open_time(1)), bar_open_time(1), events)
    assert kinds(events) == [("OrderFilled", "O2"), ("OrderCanceled", "O1")]
    assert book.get("O1").filled_quantity == D(20)
    assert book.open_orders() == []


def test_a_venue_cancel_of_the_parent_cancels_its_pending_legs() -> None:
    book = make_book()
    book.submit(make_intent(stop_loss="95", take_profit="110", tif=TimeInForce.IOC), before(0))
    events: list[Event] = []
    book.on_canceled(book.get("O1"), "ioc: price not reached", bar_open_time(0), events)
    assert kinds(events) == [
        ("OrderCanceled", "O1"),
        ("OrderCanceled", "O2"),
        ("OrderCanceled", "O3"),
    ]
    assert [e.reason for e in events if isinstance(e, OrderCanceled)][1:] == [
        "parent O1 canceled",
        "parent O1 canceled",
    ]


def test_an_expiry_is_stamped_with_the_order_expiry_time() -> None:
    book = make_book()
    [accepted] = book.submit(
        make_intent(order_type=OrderType.LIMIT, limit="90", tif=TimeInForce.DAY), before(0)
    )
    expire = accepted.order.ts_expire
    events: list[Event] = []
    book.on_expired(book.get("O1"), events)
    [expired] = events
    assert isinstance(expired, OrderExpired)
    assert expired.ts_event == expire
    assert book.get("O1").status is OrderStatus.EXPIRED


def test_the_matching_queue_puts_exits_and_legs_before_entries() -> None:
    book = make_book()
    book.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    book.submit(make_intent(Side.SELL, role=OrderRole.EXIT), before(0))
    book.submit(make_intent(stop_loss="95"), before(0))
    book.on_fill(fill("O3", Side.BUY, "10", "100", bar_open_time(0)), bar_open_time(0), [])
    assert book.matching_queue(SYMBOL) == ["O2", "O4", "O1"]
    assert book.matching_queue("EURUSD") == []


def test_triggers_and_resizes_are_kept_on_the_order() -> None:
    book = make_book()
    book.submit(
        make_intent(order_type=OrderType.STOP_LIMIT, stop="103", limit="101", quantity="5"),
        before(0),
    )
    book.on_triggered(book.get("O1"), bar_open_time(0))
    book.on_resized(book.get("O1"), D(3))
    order = book.get("O1")
    assert (order.triggered, order.ts_updated, order.quantity) == (True, bar_open_time(0), D(3))


def test_a_restored_book_keeps_numbering_and_client_ids() -> None:
    original = make_book()
    original.submit(make_intent(), before(0), client_order_id="mine")
    original.submit(make_intent(stop_loss="95"), before(0))
    restored = OrderBook(INSTRUMENTS)
    restored.restore(((o, original.eligible_from(o.order_id)) for o in original.all_orders()), 3)
    assert restored.client_order_id_in_use("mine")
    assert [o.order_id for o in restored.open_orders()] == ["O1", "O2", "O3"]
    [accepted] = restored.submit(make_intent(), before(1))
    assert isinstance(accepted, OrderAccepted)
    assert accepted.order.order_id == "O4"


def test_a_generated_id_is_in_use_as_a_client_id_and_a_chosen_one_blocks_generation() -> None:
    book = make_book()
    book.submit(make_intent(stop_loss="95"), before(0))  # O1 and its leg O2
    assert book.client_order_id_in_use("O1")
    assert book.client_order_id_in_use("O2")
    assert not book.client_order_id_in_use("O3")
    book.submit(make_intent(), before(0), client_order_id="O4")  # O3, chosen id "O4"
    assert book.get("O3").client_order_id == "O4"
    with pytest.raises(OrderError, match="O4"):
        book.submit(make_intent(), before(0))  # O4 would be generated as its own client id
    with pytest.raises(OrderError, match="O1"):
        book.submit(make_intent(), before(0), client_order_id="O1")


def test_handing_over_gives_every_order_and_empties_the_book() -> None:
    book = make_book()
    book.submit(make_intent(stop_loss="95", take_profit="110"), before(0))
    book.submit(make_intent(), before(0), client_order_id="mine")
    orders = book.hand_over()
    assert [o.order_id for o in orders] == ["O1", "O2", "O3", "O4"]
    assert book.all_orders() == []
    assert book.open_orders() == []
    assert not book.has_open_orders(SYMBOL)
    assert not book.client_order_id_in_use("mine")


def test_a_finished_bracket_forgets_its_eligibility_while_an_open_one_keeps_it() -> None:
    book = make_book()
    book.submit(make_intent(quantity="10", stop_loss="95", take_profit="110"), before(0))
    book.on_fill(fill("O1", Side.BUY, "10", "100", bar_open_time(0)), bar_open_time(1), [])
    # the filled parent's legs are open: working() still gives the parent with its eligibility
    assert [(o.order_id, eligible) for o, eligible in book.working()] == [
        ("O1", before(0)),
        ("O2", bar_open_time(1)),
        ("O3", bar_open_time(1)),
    ]
    book.on_fill(fill("O2", Side.SELL, "10", "95", bar_open_time(2)), bar_open_time(2), [])
    assert book.get("O3").status is OrderStatus.CANCELED
    assert book.working() == []
    assert book._eligible_from == {}  # what a long run would otherwise keep, one per order


def _restored(book: OrderBook) -> OrderBook:
    """A book loaded from ``book``'s working orders, as a restore from the stored rows."""
    fresh = make_book()
    fresh.restore(book.working(), book.sequence)
    return fresh


def _contents(book: OrderBook, client_ids: list[str]) -> tuple[object, ...]:
    return (
        book.all_orders(),
        book.working(),
        book.open_orders(),
        sorted(order.order_id for order in book.working_entry_orders()),
        [book.client_order_id_in_use(client_id) for client_id in client_ids],
    )


def test_settling_a_book_after_order_commands_gives_what_a_restore_loads() -> None:
    book = _restored(make_book())
    book.submit(make_intent(quantity="5", limit="90", order_type=OrderType.LIMIT), before(0), "a")
    book.submit(make_intent(quantity="5", limit="91", order_type=OrderType.LIMIT), before(0))
    book.cancel("O1", before(0))
    book.modify("O2", before(0), limit_price=D(92))
    assert book.settle_as_stored(["O1", "O2"])
    ids = ["a", "O1", "O2"]
    assert _contents(book, ids) == _contents(_restored(book), ids)
    assert [o.order_id for o in book.all_orders()] == ["O2"]  # the canceled one is gone
    assert not book.client_order_id_in_use("a")  # as after a restore: the ledger's key guards it

    book.submit(make_intent(quantity="5", stop_loss="80", take_profit="120"), before(1), "b")
    book.cancel("O3", before(1))  # the bracket's parent and its pending legs end together
    kept = _contents(book, ["b"])
    assert not book.settle_as_stored(["O3", "O4", "O5"])  # a family: the caller restores
    assert _contents(book, ["b"]) == kept  # nothing changed
