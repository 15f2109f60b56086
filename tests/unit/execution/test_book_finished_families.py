"""A quiet book (a backtest's) moves each finished bracket family out of the dict its matching
reads, into slots kept in submission order: every query must answer as a loud book's does."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import Fill, OrderError, OrderStatus
from paperdesk.execution import OrderBook

from ._support import INSTRUMENTS, SYMBOL, bar_open_time, before, make_book, make_intent

D = Decimal
_WORKING = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED)


def _fill(book: OrderBook, order_id: str, quantity: Decimal, step: int) -> None:
    order = book.get(order_id)
    fill = Fill(order_id, SYMBOL, order.side, quantity, D("100"), D(0), bar_open_time(step))
    book.on_fill(fill, bar_open_time(step + 1), [])


def _answers(book: OrderBook, sequence: int) -> list[object]:
    """What a caller can ask the book about every id it issued (and one it did not)."""
    answers: list[object] = []
    for number in range(1, sequence + 2):
        order_id = f"O{number}"
        try:
            answers.append(book.get(order_id))
        except OrderError as error:
            answers.append(str(error))
        answers.append(book.client_order_id_in_use(order_id))
    answers.append(book.open_orders())
    answers.append(book.all_orders())
    return answers


# one step: (kind, a number choosing an order or a size, whether it is a bracket)
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["submit", "fill", "part", "cancel"]), st.integers(0, 50), st.booleans()
    ),
    max_size=40,
)


def _apply(book: OrderBook, step: int, kind: str, pick: int, bracket: bool) -> None:
    if kind == "submit":
        stop_loss, take_profit = ("90", "110") if bracket else (None, None)
        client = f"mine{pick}" if pick % 7 == 0 else None
        with contextlib.suppress(OrderError):  # a client id chosen twice: refused by both
            book.submit(
                make_intent(
                    quantity=str(pick % 9 + 2), stop_loss=stop_loss, take_profit=take_profit
                ),
                before(step),
                client,
            )
        return
    working = [order for order in book.open_orders() if order.status in _WORKING]
    if not working:
        return
    order = working[pick % len(working)]
    if kind == "cancel":
        book.cancel(order.order_id, before(step))
        return
    rest = order.quantity - order.filled_quantity
    _fill(book, order.order_id, rest if kind == "fill" else min(rest, D(1)), step)


@settings(max_examples=150, deadline=None)
@given(_STEPS)
def test_a_quiet_book_answers_every_query_as_a_loud_one(steps: list[tuple[str, int, bool]]) -> None:
    loud, quiet = make_book(), make_book()
    quiet.quiet()
    for step, (kind, pick, bracket) in enumerate(steps):
        _apply(loud, step, kind, pick, bracket)
        _apply(quiet, step, kind, pick, bracket)
        assert _answers(quiet, loud.sequence) == _answers(loud, loud.sequence)
    assert quiet.hand_over() == loud.hand_over()
    assert quiet.all_orders() == []
    assert quiet.open_orders() == []


def test_a_finished_family_leaves_the_matching_dict_at_the_next_submit() -> None:
    book = make_book()
    book.quiet()
    book.submit(make_intent(quantity="10", stop_loss="95", take_profit="110"), before(0))
    _fill(book, "O1", D(10), 0)
    _fill(book, "O3", D(10), 1)  # the target: the stop is canceled, the family is finished
    assert book.get("O2").status is OrderStatus.CANCELED
    book.submit(make_intent(), before(2))  # O4
    # what the matching reads holds the open order alone; the family is still found
    assert list(book._orders) == ["O4"]
    assert [order.order_id for order in book.all_orders()] == ["O1", "O2", "O3", "O4"]
    assert book.get("O3").status is OrderStatus.FILLED
    assert book.client_order_id_in_use("O1")
    with pytest.raises(OrderError, match="unknown order id O5"):
        book.get("O5")
    with pytest.raises(OrderError, match="unknown order id O01"):
        book.get("O01")  # the number of O1, written otherwise: not O1


def test_a_loud_book_keeps_every_order_where_its_matching_reads() -> None:
    book = make_book()  # live trading: restore, settle_as_stored and working read the dict
    book.submit(make_intent(quantity="10", stop_loss="95"), before(0))
    _fill(book, "O1", D(10), 0)
    _fill(book, "O2", D(10), 1)
    book.submit(make_intent(), before(2))
    assert list(book._orders) == ["O1", "O2", "O3"]


def test_a_restored_quiet_book_hands_over_restored_orders_first() -> None:
    original = make_book()
    original.submit(make_intent(stop_loss="95"), before(0))
    restored = OrderBook(INSTRUMENTS)
    restored.quiet()
    restored.restore(((o, original.eligible_from(o.order_id)) for o in original.all_orders()), 2)
    _fill(restored, "O1", D(10), 0)
    _fill(restored, "O2", D(10), 1)
    restored.submit(make_intent(stop_loss="95"), before(2))  # O3, O4
    _fill(restored, "O3", D(10), 2)
    _fill(restored, "O4", D(10), 3)
    restored.submit(make_intent(), before(4))  # O5
    assert [order.order_id for order in restored.hand_over()] == ["O1", "O2", "O3", "O4", "O5"]


def test_the_orders_handed_over_later_are_built_when_asked() -> None:
    book = make_book()
    book.quiet()
    book.submit(make_intent(quantity="10", stop_loss="90"), before(0))
    book.submit(make_intent(quantity="5"), before(1))
    before_hand = book.all_orders()
    build = book.hand_over_later()
    book.submit(make_intent(quantity="3"), before(2))  # the book goes on empty: not in it
    assert [order.order_id for order in build()] == ["O1", "O2", "O3"]
    assert list(build()) == before_hand
    assert [order.order_id for order in book.all_orders()] == ["O4"]
    assert before_hand[0].symbol == SYMBOL
