"""The execution seam: what a venue (simulated, or a broker adapter) does with the order book.

The kernel owns the book (``paperdesk.execution.book``) and the ledger; a venue decides what
trades. Matching a bar is a series of steps (a generator, usually) that the kernel drives::

    events: list[Event] = []
    for step in venue.match(bar, book, events):
        if isinstance(step, SizeEntry):
            step.quantity = ...   # the entry's quantity at step.price (0 cancels it)
        else:
            ...                   # an OrderFilled: book it before the venue goes on

The venue applies every change to the book through its ``on_*`` handlers, appends the events
to ``events`` and pauses at two kinds of step: before an entry's first fill, to ask its
quantity at the fill price (all-in sizing and the risk rules need the price and the cash of
that moment), and right after each fill, so the kernel books it in the ledger before the next
order of the same bar is sized (an exit's cash is seen by the entry that follows). Nothing
calls back into the kernel; a driver that leaves ``quantity`` unset fills each entry at its
order's quantity.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol, TypeAlias

from paperdesk.domain import Bar, Event, Instrument, Order, OrderFilled
from paperdesk.domain.order_fields import whole_lots
from paperdesk.execution.book import OrderBook
from paperdesk.execution.live_order import BookedFill, LiveOrder


class SizeEntry:
    """A request: how much of entry ``order`` fills at ``price`` (slippage included)?

    The driver answers by setting ``quantity`` before resuming the venue: the quantity to fill
    (see ``entry_fill_quantity``), 0 to cancel the order ("nothing fits at fill"); left None, the
    order's own quantity stands. ``reason`` says why the answer is below the order's quantity
    (a risk rule's words).

    A written-out ``__init__``, not a ``@dataclass``: compiled by mypyc, a dataclass keeps the
    interpreted ``__init__`` the ``dataclasses`` module generates (a Python frame per entry fill).
    """

    __slots__ = ("order", "price", "quantity", "reason")

    def __init__(
        self,
        order: Order | LiveOrder,
        price: Decimal,
        quantity: Decimal | None = None,
        reason: str = "",
    ) -> None:
        self.order = order
        self.price = price
        self.quantity = quantity
        self.reason = reason

    def __repr__(self) -> str:
        return (
            f"SizeEntry(order={self.order!r}, price={self.price!r}, "
            f"quantity={self.quantity!r}, reason={self.reason!r})"
        )


VenueStep: TypeAlias = SizeEntry | OrderFilled | BookedFill
"""What a venue yields: a sizing request to answer, or a fill to book before it goes on (a loud
book's ``OrderFilled``, a quiet book's ``BookedFill``)."""


class ExecutionVenue(Protocol):
    """Where the book's orders trade: the simulated venue, later a broker adapter.

    Both methods return the steps of their work, to be iterated to the end at once (usually a
    generator): they apply their changes to ``book`` (through its ``on_*`` handlers) and append
    the resulting events to ``events`` as they go.
    """

    ambiguous_bars: int
    """Bars where the venue could not tell which of a bracket's two legs traded first."""

    def match(self, bar: Bar, book: OrderBook, events: list[Event]) -> Iterable[VenueStep]:
        """Trade the book's open orders of ``bar.symbol`` on ``bar`` (fills, expiries,
        cancels); orders eligible only after ``bar.ts_open`` wait for a later bar."""
        ...

    def fill_at_close(
        self, order_id: str, bar: Bar, book: OrderBook, events: list[Event]
    ) -> Iterable[VenueStep]:
        """Fill a just-submitted market order at ``bar``'s close, stamped ``bar.ts_close``.
        Raises ``OrderError`` at once when the order cannot fill there."""
        ...


def entry_fill_quantity(
    order: Order | LiveOrder, sized: Decimal, instrument: Instrument
) -> Decimal:
    """The answer to a ``SizeEntry`` when the sizer allows ``sized`` at the fill price: in whole
    lots, all of it for an all-in order (``size_fraction``), else at most the order's quantity."""
    return fill_quantity(order.size_fraction, order.quantity, sized, instrument)


def fill_quantity(
    size_fraction: Decimal | None, quantity: Decimal, sized: Decimal, instrument: Instrument
) -> Decimal:
    """``entry_fill_quantity`` on an entry's ``size_fraction`` and ``quantity``."""
    lots = whole_lots(sized, instrument.lot_size)
    return lots if size_fraction is not None else min(quantity, lots)
