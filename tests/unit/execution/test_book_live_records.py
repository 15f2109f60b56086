"""The book keeps each order as a record changed in place (``LiveOrder``) and builds the public
``Order`` when a reader asks: driven through a venue (fills, partial fills under a volume cap,
resizes at the fill, triggered stop-limits, expiries, IOC and FOK cancels, brackets), a quiet
book's records must read, after every step, as the loud book's ``Order``s, whose events carry
the orders as they were at each change."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import (
    Event,
    Fill,
    InvalidInputError,
    Order,
    OrderError,
    OrderFilled,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.execution import OrderBook, SimulatedVenue
from paperdesk.execution.live_order import BookedFill, LiveOrder

from ._support import (
    SYMBOL,
    ExecutionDesk,
    bar_open_time,
    before,
    make_bar,
    make_book,
    make_intent,
    make_venue,
)

D = Decimal

_KINDS = [
    (OrderType.MARKET, None, None),
    (OrderType.LIMIT, "99", None),
    (OrderType.STOP, None, "101"),
    (OrderType.STOP_LIMIT, "102", "101"),
]
_TIFS = [TimeInForce.GTC, TimeInForce.DAY, TimeInForce.IOC, TimeInForce.FOK]

# one step: (kind, three numbers choosing what it does)
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["submit", "bracket", "bar", "bar", "cancel", "modify"]),
        st.integers(0, 63),
        st.integers(0, 63),
        st.integers(0, 63),
    ),
    max_size=30,
)


def _fields(record: LiveOrder) -> tuple[object, ...]:
    return tuple(getattr(record, name) for name in Order._fields)


def _resolve(order: object, price: Decimal) -> Decimal:
    """An entry's size at the fill: its quantity, cut by one when it is over 3 (a trim)."""
    quantity = getattr(order, "quantity", D(0))
    return quantity - 1 if quantity > 3 else quantity


def _apply(desk: ExecutionDesk, step: int, kind: str, a: int, b: int, c: int) -> list[Event]:
    book = desk.book
    if kind in ("submit", "bracket"):
        order_type, limit, stop = _KINDS[a % 4]
        side = Side.BUY if b % 2 == 0 else Side.SELL
        if side is Side.SELL and order_type is not OrderType.MARKET:
            limit = None if limit is None else str(200 - int(limit))
            stop = None if stop is None else str(200 - int(stop))
        legs = (None, None)
        if kind == "bracket":
            legs = ("90", "110") if side is Side.BUY else ("110", "90")
        tif = TimeInForce.GTC if kind == "bracket" else _TIFS[c % 4]
        with contextlib.suppress(OrderError, InvalidInputError):
            return book.submit(
                make_intent(
                    side,
                    str(b % 7 + 2),
                    order_type,
                    limit=limit,
                    stop=stop,
                    tif=tif,
                    stop_loss=legs[0],
                    take_profit=legs[1],
                ),
                before(step),
            )
        return []
    if kind == "bar":
        middle = 95 + a % 12
        high, low = middle + b % 5, middle - c % 5
        open_ = low + (a + b) % (high - low + 1)
        close = low + (b + c) % (high - low + 1)
        bar = make_bar(step, str(open_), str(high), str(low), str(close), str(100 + a * 10))
        return desk.on_bar(bar, _resolve)
    working = book.open_orders()
    if not working:
        return []
    order = working[a % len(working)]
    with contextlib.suppress(OrderError, InvalidInputError):
        if kind == "cancel":
            return book.cancel(order.order_id, before(step))
        if order.order_type is OrderType.LIMIT:
            return book.modify(order.order_id, before(step), limit_price=D(95 + b % 10))
        return book.modify(order.order_id, before(step), quantity=D(c % 9 + 1))
    return []


def _desk(quiet: bool) -> tuple[ExecutionDesk, SimulatedVenue]:
    book: OrderBook = make_book()
    if quiet:
        book.quiet()
    venue = make_venue(volume_cap=D("0.01"))  # 1% of 100-730 shares: partial fills
    return ExecutionDesk(book, venue), venue


@settings(max_examples=200, deadline=None)
@given(_STEPS)
def test_a_quiet_books_records_read_as_a_loud_books_orders(
    steps: list[tuple[str, int, int, int]],
) -> None:
    loud, loud_venue = _desk(False)
    quiet, quiet_venue = _desk(True)
    for step, (kind, a, b, c) in enumerate(steps):
        loud_events = _apply(loud, step, kind, a, b, c)
        quiet_events = _apply(quiet, step, kind, a, b, c)
        # the events both books build are the same (a quiet book builds fewer)
        assert [e for e in loud_events if e in quiet_events] == quiet_events
        for event in loud_events:  # each carries the order as it was then: a finished copy
            order = getattr(event, "order", None)
            if isinstance(event, OrderFilled):
                assert isinstance(order, Order)
                assert order.filled_quantity > 0
        for number in range(1, loud.book.sequence + 1):
            order_id = f"O{number}"
            expected = loud.book.get(order_id)
            assert quiet.book.get(order_id) == expected
            if expected.status.is_open:  # what the venue and the scan read
                assert _fields(quiet.book.record(order_id)) == tuple(expected)
                assert _fields(loud.book.record(order_id)) == tuple(expected)
        assert quiet.book.open_orders() == loud.book.open_orders()
        assert quiet_venue.ambiguous_bars == loud_venue.ambiguous_bars
    expected_all = loud.book.hand_over()
    later = quiet.book.hand_over_later()
    assert quiet.book.all_orders() == []  # the book is empty at once
    assert list(later()) == expected_all


def test_an_event_keeps_the_order_as_it_was_at_its_change() -> None:
    desk, _ = _desk(False)
    desk.book.submit(make_intent(quantity="10", stop_loss="90", take_profit="110"), before(0))
    events = desk.on_bar(make_bar(0, "100", "100", "100", "100", "100000"))
    filled = [event for event in events if isinstance(event, OrderFilled)]
    assert [event.order.status for event in filled] == [OrderStatus.FILLED]
    later = desk.on_bar(make_bar(1, "100", "111", "100", "111", "100000"))
    assert any(isinstance(event, OrderFilled) for event in later)
    assert filled[0].order.status is OrderStatus.FILLED  # not changed by the leg's fill
    stop = desk.book.get("O2")
    assert stop.status is OrderStatus.CANCELED
    accepted = [event.order for event in events if getattr(event, "order", None) is not None]
    assert [order.status for order in accepted if order.order_id == "O2"] == [OrderStatus.ACCEPTED]


def test_a_quiet_books_fill_step_is_its_record_and_the_fill() -> None:
    loud, quiet = make_book(), make_book()
    quiet.quiet()
    steps = []
    for book in (loud, quiet):
        book.submit(make_intent(quantity="10", stop_loss="90"), before(0))
        fill = Fill("O1", SYMBOL, Side.BUY, D(4), D("100"), D(0), bar_open_time(0))
        events: list[Event] = []
        steps.append(book.fill_step(fill, bar_open_time(0), events))
    loud_step, quiet_step = steps
    assert isinstance(loud_step, OrderFilled)
    assert isinstance(quiet_step, BookedFill)
    assert quiet_step.order is quiet.record("O1")  # the record itself, changed in place
    assert quiet_step.event() == loud_step
    assert quiet_step.fill.quantity == D(4)
    # the public handler still gives the event
    again = Fill("O1", SYMBOL, Side.BUY, D(6), D("101"), D(0), bar_open_time(1))
    assert quiet.on_fill(again, bar_open_time(1), []) == loud.on_fill(again, bar_open_time(1), [])
