"""The order book: every order of a run, its ids, lifecycle, brackets and time in force.

The book never decides a price. The kernel sends it commands (``submit``, ``cancel``,
``cancel_all``, ``modify``); an execution venue (``paperdesk.execution.venue``) decides what
trades and reports it through the ``on_*`` handlers (a fill, a triggered stop-limit, an entry
resized at its fill, a cancel, an expiry). Each change returns, or appends, the events that
describe it. Bracket bookkeeping follows the fills: a parent's fill activates its pending
stop-loss and take-profit legs (or grows them to its filled quantity), a leg's fill cancels the
other leg and what the parent has not filled yet (one-cancels-other).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final, cast

from paperdesk.domain import (
    Event,
    Fill,
    Instrument,
    InvalidInputError,
    Order,
    OrderAccepted,
    OrderCanceled,
    OrderError,
    OrderExpired,
    OrderFilled,
    OrderIntent,
    OrderModified,
    OrderRejected,
    OrderRole,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from paperdesk.domain.errors import OrderFieldError
from paperdesk.domain.field_positions import (
    FILL_ORDER_ID,
    FILL_PRICE,
    FILL_QUANTITY,
    FILL_TS,
)
from paperdesk.domain.fields import field_mark
from paperdesk.domain.money import plus
from paperdesk.domain.suggestions import order_id_hint
from paperdesk.domain.trusted import trusted_maker
from paperdesk.execution.actionable import actionable_index
from paperdesk.execution.expiry import SessionClose, day_order_expiry
from paperdesk.execution.live_order import BookedFill, LiveOrder, live_order
from paperdesk.execution.orders_from_intents import (
    bracket_leg_records,
    record_from_intent,
    rejection_reason,
)
from paperdesk.execution.scan import FloatArray, IntArray, ScanColumns

# Enum member lookups cost a metaclass call each; the hot path reads these module constants.
_ACCEPTED: Final = OrderStatus.ACCEPTED
_PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
_FILLED: Final = OrderStatus.FILLED
_PENDING: Final = OrderStatus.PENDING
_CANCELED: Final = OrderStatus.CANCELED
_EXPIRED: Final = OrderStatus.EXPIRED
_ENTRY: Final = OrderRole.ENTRY
_BRACKET_LEGS: Final = (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)
_OPEN: Final = frozenset(status for status in OrderStatus if status.is_open)  # read directly: no
# property frames (``Order.is_open`` asks ``OrderStatus.is_open``) on the bracket bookkeeping

_accepted = trusted_maker(OrderAccepted)  # (ts_event, order, ts_eligible)
_filled = trusted_maker(OrderFilled)  # (ts_event, order, fill)
_canceled = trusted_maker(OrderCanceled)  # (ts_event, order, reason)


_DAY = TimeInForce.DAY  # read by every submit


class OrderBook:
    """One run's orders: ids and client ids, state, eligibility, brackets, expiry times.

    An order is *eligible* from the first bar opening at or after the time it was accepted (or
    last modified): a venue must not trade it on an earlier bar. DAY orders carry ``ts_expire``,
    the instrument's session close after submission; a venue expires them on the first bar
    opening at or after it.
    """

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        *,
        session_close: SessionClose | None = None,
        id_prefix: str = "O",
    ) -> None:
        self._instruments = dict(instruments)
        self._session_close = session_close
        self._id_prefix = id_prefix
        # each order's record, changed in place (``LiveOrder``: the public ``Order`` is built
        # from it when a reader asks)
        self._orders: dict[str, LiveOrder] = {}
        self._books: dict[str, dict[str, None]] = {}  # symbol -> open ids, in submission order
        self._eligible_from: dict[str, datetime] = {}  # first bar open an order may trade at
        # the client order ids a caller chose (a generated one is its order's id, in ``_orders``)
        self._client_ids: set[str] = set()
        self._sequence = 0
        # the record of the order the last ``submit`` made (accepted or rejected), for a caller
        # that fills it at once without reading the events (``last_submitted``: its ``Order``)
        self.last_record: LiveOrder | None = None
        # off (``quiet``): the events of changes a backtest never reads are not built
        self._events = True
        # a quiet book's finished families in submission order (``_slot_of``: the slot of each
        # order this book issued that is still in ``_orders``): out of the dict the matching
        # reads, which then holds the open families only and stays small (a backtest's book
        # reaches tens of thousands of orders, and each lookup in a dict that size misses the
        # cache)
        self._finished: list[LiveOrder | None] = []
        self._slot_of: dict[str, int] = {}
        self._leaving: list[str] = []  # finished families' ids, moved at the next ``submit``
        self._first_number = 0  # the number of the order at ``_finished[0]``

    def quiet(self) -> None:
        """Stop building the events of the changes a backtest never reads: an order accepted
        (submitted, or a pending bracket leg activated), filled, or canceled by a command or by
        its bracket (a parent's pending legs, one-cancels-other, a parent's unfilled rest).
        Every change to the book is the same; the cancels and expiries a venue reports
        (``on_canceled``, ``on_expired``: time in force, nothing fits at the fill, whose reason
        the kernel keeps), rejections and modifications keep their events. A finished bracket
        family (or a finished order without one) then leaves the dict the matching reads for a
        list kept in submission order: ``get`` and ``hand_over`` still find it."""
        self._events = False

    def restore(self, orders: Iterable[tuple[Order, datetime]], sequence: int) -> None:
        """Load a persisted book: every order with the first bar open it may trade at.

        Orders come in submission order; open ones go back on their symbol's book, finished
        ones are kept for bracket bookkeeping. ``sequence`` is the last order number issued.
        """
        for order, eligible_from in orders:
            self._orders[order.order_id] = live_order(order)
            self._client_ids.add(order.client_order_id)
            self._eligible_from[order.order_id] = eligible_from
            if order.is_open:
                self._books.setdefault(order.symbol, {})[order.order_id] = None
        if self._finished and sequence > self._sequence:  # keep the slots at their numbers
            self._finished.extend([None] * (sequence - self._sequence))
        self._sequence = max(self._sequence, sequence)

    def settle_as_stored(self, order_ids: Iterable[str]) -> bool:
        """Make the book what ``restore`` would load from the stored rows after a unit of work
        that changed only ``order_ids`` (placed, canceled, modified; no fills) on a book that
        was such a restore before: each finished one of them is dropped (a restore loads open
        orders and their bracket relatives only), each open one keeps its client id as a
        restore does, and a symbol left without open orders has no book. False, with nothing
        changed, when a finished one has bracket relatives (``working`` decides what a restore
        keeps of a family: the caller restores the whole book instead)."""
        orders = self._orders
        changed = [orders[order_id] for order_id in dict.fromkeys(order_ids) if order_id in orders]
        finished = [order for order in changed if not order.is_open]
        if any(order.parent_id is not None or order.children for order in finished):
            return False
        for order in finished:
            del orders[order.order_id]
            self._eligible_from.pop(order.order_id, None)
            self._client_ids.discard(order.client_order_id)
            if not self._books.get(order.symbol, True):
                del self._books[order.symbol]
        for order in changed:
            if order.is_open:
                self._client_ids.add(order.client_order_id)
        return True

    # ------------------------------------------------------------------------------ commands

    def submit(
        self, intent: OrderIntent, ts: datetime, client_order_id: str | None = None
    ) -> list[Event]:
        """Accept (or reject) ``intent`` at ``ts``; a bracket entry also creates pending legs."""
        if self._leaving:
            self._move_out()
        if client_order_id is not None and self.client_order_id_in_use(client_order_id):
            raise OrderError(f"client order id {client_order_id!r} is already in use")
        order_id = self._next_id()
        if client_order_id is None:
            client_id = order_id
            if client_id in self._client_ids:  # a caller chose it before it was generated
                raise OrderError(f"client order id {client_id!r} is already in use")
        else:
            client_id = client_order_id
            self._client_ids.add(client_id)
        # the intent's fields by position (compiled: an item read each, not an attribute lookup)
        symbol, stop_loss, take_profit = intent[0], intent[8], intent[9]
        instrument = self._instruments.get(symbol)
        reason = rejection_reason(intent, instrument, self._instruments)
        if reason is not None or instrument is None:
            rejected = record_from_intent(intent, order_id, client_id, ts, OrderStatus.REJECTED)
            self._orders[order_id] = rejected
            self.last_record = rejected
            return [OrderRejected(ts, rejected.snapshot(), reason or "")]
        ts_expire = None
        if intent[6] is _DAY:
            ts_expire = day_order_expiry(instrument.calendar, ts, self._session_close)
        book = self._books.setdefault(symbol, {})
        # records straight from the intent: an ``Order`` only for an event (a loud book's) or a
        # reader
        if stop_loss is None and take_profit is None:
            record = record_from_intent(intent, order_id, client_id, ts, _ACCEPTED, ts_expire)
            self._orders[order_id] = record
            self._eligible_from[order_id] = ts
            book[order_id] = None
            self.last_record = record
            return [_accepted((ts, record.snapshot(), ts))] if self._events else []
        leg_ids = [self._next_id()]  # the stop-loss's, else the take-profit's
        if stop_loss is not None and take_profit is not None:
            leg_ids.append(self._next_id())
        legs = bracket_leg_records(intent, order_id, leg_ids, instrument, ts)
        record = record_from_intent(
            intent, order_id, client_id, ts, _ACCEPTED, ts_expire, tuple(leg_ids)
        )
        events: list[Event] = []
        emit = self._events
        orders, eligible = self._orders, self._eligible_from
        orders[order_id] = record
        self.last_record = record
        eligible[order_id] = ts
        book[order_id] = None
        if emit:
            events.append(_accepted((ts, record.snapshot(), ts)))
        for leg in legs:
            leg_id = leg.order_id
            orders[leg_id] = leg
            eligible[leg_id] = ts
            book[leg_id] = None
            if emit:
                events.append(_accepted((ts, leg.snapshot(), ts)))
        return events

    @property
    def last_submitted(self) -> Order | None:
        """The order the last ``submit`` made (accepted or rejected), as it is now."""
        record = self.last_record
        return None if record is None else record.snapshot()

    def cancel(self, order_id: str, ts: datetime, reason: str = "") -> list[Event]:
        """Cancel an open order (and its pending bracket legs)."""
        self.require_open(order_id)
        events: list[Event] = []
        self._close(self._orders[order_id], _CANCELED, reason, ts, events, self._events)
        return events

    def cancel_all(
        self,
        symbol: str,
        ts: datetime,
        reason: str = "",
        roles: Iterable[OrderRole] | None = None,
    ) -> list[Event]:
        """Cancel every open order of ``symbol`` (only those with one of ``roles`` if given)."""
        wanted = None if roles is None else frozenset(roles)
        events: list[Event] = []
        for order_id in list(self._books.get(symbol, ())):
            order = self._orders[order_id]
            if order.status in _OPEN and (wanted is None or order.role in wanted):
                self._close(order, _CANCELED, reason, ts, events, self._events)
        return events

    def modify(
        self,
        order_id: str,
        ts: datetime,
        *,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> list[Event]:
        """Change an open order's quantity or prices; it applies to bars opening from ``ts``.

        A bracket entry's new quantity reaches its pending legs (each with its own
        ``OrderModified``): they show what the entry will buy until its fill sizes them to what
        it bought. Active legs are already sized to the entry's fills, and no price of the entry
        moves a leg (its levels are the bracket's own prices)."""
        order = self.require_open(order_id)
        if quantity is None and limit_price is None and stop_price is None:
            raise InvalidInputError(f"modify of order {order_id} changes nothing")
        order_type = order.order_type
        if limit_price is not None and order_type not in (OrderType.LIMIT, OrderType.STOP_LIMIT):
            raise OrderFieldError(
                "limit_price",
                f"order {order_id} is a {order_type.value} order: no limit price "
                f"({field_mark('limit_price')} is for limit and stop-limit orders)",
            )
        if stop_price is not None and order_type not in (OrderType.STOP, OrderType.STOP_LIMIT):
            raise OrderFieldError(
                "stop_price",
                f"order {order_id} is a {order_type.value} order: no stop price "
                f"({field_mark('stop_price')} is for stop and stop-limit orders)",
            )
        changes: dict[str, object] = {"ts_updated": ts}
        if quantity is not None:
            self.check_quantity_changeable(order)
            if quantity < order.filled_quantity:
                raise OrderError(
                    f"order {order_id} cannot go to quantity {quantity}: "
                    f"{order.filled_quantity} already filled"
                )
            changes["quantity"] = quantity
            if quantity == order.filled_quantity and quantity > 0:
                changes["status"] = _FILLED
        if limit_price is not None:
            changes["limit_price"] = limit_price
        if stop_price is not None:
            changes["stop_price"] = stop_price
        modified = order.evolve(**changes)
        self._orders[order_id] = live_order(modified)
        eligible = self._eligible_from[order_id] = max(self._eligible_from[order_id], ts)
        if modified.status is _FILLED:
            del self._books[order.symbol][order_id]
        events: list[Event] = [OrderModified(ts, modified, eligible)]
        if quantity is not None and modified.children:
            self._size_pending_legs(modified, ts, events)
        return events

    @staticmethod
    def check_quantity_changeable(order: Order) -> None:
        """Refuse (``OrderError``) a new quantity for a bracket leg whose entry has not filled:
        the leg follows the entry's quantity and is sized to what the entry fills, so a change
        of the leg alone would be undone at the fill (a long-only book refused it as a short
        sale instead, naming no leg)."""
        if order.status is _PENDING and order.parent_id is not None:
            raise OrderError(
                f"order {order.order_id} is the {order.role.value} leg of the bracket entry "
                f"{order.parent_id}, which has not filled: its quantity follows the entry's "
                f"(modify the quantity of {order.parent_id})"
            )

    # ------------------------------------------------------------- what a venue reports

    def record(self, order_id: str) -> LiveOrder:
        """The record of the open (or just finished) order ``order_id``, for a venue: its
        fields as they are now, changed in place by the ``on_*`` handlers."""
        return self._orders[order_id]

    def _record_of(self, order: Order | LiveOrder) -> LiveOrder:
        """The book's record of ``order`` (a venue's record, or an ``Order`` read from the book
        earlier: the handlers take either)."""
        if isinstance(order, LiveOrder):
            return order
        return self._orders[order.order_id]

    def on_triggered(self, order: Order | LiveOrder, ts: datetime) -> Order | LiveOrder:
        """A stop-limit's stop was touched at ``ts``: from now on it rests as a limit. Returns
        the order changed: the record when given one (a venue's), else the new ``Order``."""
        record = self._record_of(order)
        record.trigger(ts)
        return record if order is record else record.snapshot()

    def on_resized(self, order: Order | LiveOrder, quantity: Decimal) -> Order | LiveOrder:
        """An entry's quantity was decided at its fill price (positive: the order stays valid).
        Returns the order changed: the record when given one (a venue's), else the new
        ``Order``."""
        record = self._record_of(order)
        record.resize(quantity)
        return record if order is record else record.snapshot()

    def on_fill(
        self,
        fill: Fill,
        children_from: datetime,
        events: list[Event],
        activated: list[str] | None = None,
    ) -> OrderFilled:
        """Book ``fill`` on its order and follow its brackets; append the events to ``events``.

        A parent's pending legs become active from ``children_from`` (the fill's bar open when it
        filled at the open, else the next bar) and are appended to ``activated``, so a venue can
        still match them on this bar; active legs grow to the parent's filled quantity. A leg's
        fill cancels the other leg and the parent's unfilled rest.
        """
        step = self.fill_step(fill, children_from, events, activated)
        return step if isinstance(step, OrderFilled) else step.event()

    def fill_step(
        self,
        fill: Fill,
        children_from: datetime,
        events: list[Event],
        activated: list[str] | None = None,
    ) -> OrderFilled | BookedFill:
        """``on_fill`` for a venue: a quiet book gives its record and the fill (``BookedFill``)
        where a loud one gives the ``OrderFilled`` it appended to ``events``."""
        order_id, quantity, price, ts = (
            fill[FILL_ORDER_ID],
            fill[FILL_QUANTITY],
            fill[FILL_PRICE],
            fill[FILL_TS],
        )
        order = self._orders[order_id]
        filled_before = order.filled_quantity
        filled = plus(filled_before, quantity)
        previous_average = order.average_price
        average = (
            price
            if previous_average is None
            else ((previous_average * filled_before + price * quantity) / filled)
        )
        status = _FILLED if filled >= order.quantity else _PARTIALLY_FILLED
        order.fill(status, filled, average, ts)
        step: OrderFilled | BookedFill
        if self._events:
            step = _filled((ts, order.snapshot(), fill))
            events.append(step)
        else:
            step = BookedFill(order, fill)
        if order.children:
            self._size_children(order, children_from, ts, events, activated)
        parent_id = order.parent_id
        if parent_id is not None and order.role in _BRACKET_LEGS:
            self._cancel_siblings(order, parent_id, ts, events)
        if status is _FILLED:
            del self._books[order.symbol][order_id]
            self._forget_settled(order)
        return step

    def on_canceled(
        self, order: Order | LiveOrder, reason: str, ts: datetime, events: list[Event]
    ) -> None:
        """The venue canceled ``order`` (IOC, FOK, nothing fits at the fill price)."""
        self._close(self._record_of(order), _CANCELED, reason, ts, events)

    def on_expired(self, order: Order | LiveOrder, events: list[Event]) -> None:
        """``order`` reached its ``ts_expire``; the event is stamped with it."""
        record = self._record_of(order)
        self._close(record, _EXPIRED, "", cast(datetime, record.ts_expire), events)

    # ------------------------------------------------------------------------------- queries

    @property
    def sequence(self) -> int:
        """The number of the last order id issued."""
        return self._sequence

    def get(self, order_id: str) -> Order:
        order = self._orders.get(order_id)
        if order is None:
            order = self._finished_order(order_id)
        if order is None:
            hint = order_id_hint(str(order_id), [*self._orders, *self._finished_ids()])
            raise OrderError(f"unknown order id {order_id}{hint}")
        return order.snapshot()

    def require_open(self, order_id: str) -> Order:
        """The open order ``order_id``; raises ``OrderError`` when it is unknown or finished."""
        order = self.get(order_id)
        if not order.is_open:
            raise OrderError(
                f"order {order_id} is already {order.status.value}; only open orders can change"
            )
        return order

    def eligible_from(self, order_id: str) -> datetime:
        """The first bar open at which ``order_id`` may trade."""
        return self._eligible_from[order_id]

    def client_order_id_in_use(self, client_order_id: str) -> bool:
        if client_order_id in self._client_ids:
            return True
        order = self._orders.get(client_order_id)  # a generated client id is its order's id
        if order is None:
            order = self._finished_order(client_order_id)
        return order is not None and order.client_order_id == client_order_id

    def all_orders(self) -> list[Order]:
        """Every order in submission order."""
        return [
            order.snapshot()
            for order in _in_submission_order(self._orders, self._finished, self._slot_of)
        ]

    def hand_over(self) -> list[Order]:
        """Every order in submission order, leaving the book empty: the end of a backtest, whose
        result keeps the orders while what the book kept to match them (ids, eligibility, open
        books) is freed before the statistics are computed."""
        return list(self.hand_over_later()())

    def hand_over_later(self) -> Callable[[], tuple[Order, ...]]:
        """``hand_over`` with the orders put in submission order only when the returned
        function is called (a backtest result's ``Deferred`` orders, built on first read): the
        book is left empty now, the function keeps its storage."""
        orders, finished, slot_of = self._orders, self._finished, self._slot_of
        self._orders, self._finished, self._slot_of = {}, [], {}
        self._leaving.clear()
        self._books.clear()
        self._eligible_from.clear()
        self._client_ids.clear()
        self.last_record = None
        return lambda: tuple(
            order.snapshot() for order in _in_submission_order(orders, finished, slot_of)
        )

    def working(self) -> list[tuple[Order, datetime]]:
        """The open orders and the bracket relatives they refer to (a filled parent, a sibling
        leg), each with the first bar open it may trade at, in submission order: what
        ``restore`` would load from the stored rows after this book's changes are written
        (``LedgerRepository.working_book`` picks the same orders), without the finished
        orders this book has kept since."""
        wanted = {order_id for book in self._books.values() for order_id in book}
        for _ in range(2):  # parents of open legs, then those parents' other legs
            related: set[str] = set()
            for order_id in wanted:
                order = self._orders[order_id]
                if order.parent_id is not None:
                    related.add(order.parent_id)
                related.update(order.children)
            related &= self._orders.keys()
            if related <= wanted:
                break
            wanted |= related
        return [
            (order.snapshot(), self._eligible_from.get(order_id, order.ts_submitted))
            for order_id, order in self._orders.items()
            if order_id in wanted
        ]

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders (pending bracket legs included) in submission order."""
        if symbol is not None:
            return [self._orders[order_id].snapshot() for order_id in self._books.get(symbol, ())]
        prefix = len(self._id_prefix)
        ids = [order_id for book in self._books.values() for order_id in book]
        ids.sort(key=lambda order_id: int(order_id[prefix:]))
        return [self._orders[order_id].snapshot() for order_id in ids]

    def matching_queue(self, symbol: str) -> list[str]:
        """The open order ids of ``symbol`` in the order a bar matches them: exits and bracket
        legs first, then entries, each in submission order (a venue may append to it)."""
        book = self._books.get(symbol)
        if not book:
            return []
        orders = self._orders
        queue: list[str] = []
        entries: list[str] = []
        for order_id in book:
            (entries if orders[order_id].role is _ENTRY else queue).append(order_id)
        queue.extend(entries)
        return queue

    def active_sibling(self, leg: Order | LiveOrder, ts_open: datetime) -> Order | None:
        """The other leg of ``leg``'s bracket when it is working on the bar opening at
        ``ts_open`` too (both legs then compete for the bar), else None."""
        sibling = self.working_sibling(self._record_of(leg), ts_open)
        return None if sibling is None else sibling.snapshot()

    def working_sibling(self, leg: LiveOrder, ts_open: datetime) -> LiveOrder | None:
        """``active_sibling`` on the book's records (a venue's)."""
        orders = self._orders
        parent = orders[cast(str, leg.parent_id)]
        leg_id = leg.order_id
        for sibling_id in parent.children:
            if sibling_id == leg_id:
                continue
            sibling = orders[sibling_id]
            status = sibling.status
            if (status is _ACCEPTED or status is _PARTIALLY_FILLED) and self._eligible_from[
                sibling_id
            ] <= ts_open:
                return sibling
        return None

    def working_entry_orders(self) -> list[Order]:
        """The entry orders still working (accepted or partly filled), in no set order."""
        orders = self._orders
        working: list[Order] = []
        for book in self._books.values():
            for order_id in book:
                order = orders[order_id]
                if order.role is _ENTRY:
                    working.append(order.snapshot())
        return working

    def has_open_orders(self, symbol: str) -> bool:
        return bool(self._books.get(symbol))

    def first_actionable_index(
        self,
        symbol: str,
        opens: FloatArray,
        highs: FloatArray,
        lows: FloatArray,
        ts_open_ns: IntArray,
        start: int,
        stop: int,
        columns: ScanColumns | None = None,
    ) -> int:
        """The first index in [start, stop) where an open order of ``symbol`` could act on a bar
        venue, else ``stop`` (see ``paperdesk.execution.actionable``; ``columns``: the same
        highs, lows and times with their views made once)."""
        book = self._books.get(symbol)
        if not book or start >= stop:
            return stop
        return actionable_index(
            book, self._orders, self._eligible_from, highs, lows, ts_open_ns, start, stop, columns
        )

    # ------------------------------------------------------------------------------- helpers

    def _next_id(self) -> str:
        self._sequence += 1
        order_id = f"{self._id_prefix}{self._sequence}"
        if not self._events:
            if not self._finished:
                self._first_number = self._sequence
            self._slot_of[order_id] = len(self._finished)
            self._finished.append(None)
        return order_id

    def _finished_order(self, order_id: str) -> LiveOrder | None:
        """The finished order ``order_id`` a quiet book moved out of ``_orders``, else None."""
        prefix = self._id_prefix
        digits = order_id[len(prefix) :]
        if not order_id.startswith(prefix) or not digits.isdigit() or not digits.isascii():
            return None
        index = int(digits) - self._first_number
        if 0 <= index < len(self._finished):
            order = self._finished[index]
            if order is not None and order.order_id == order_id:
                return order
        return None

    def _finished_ids(self) -> list[str]:
        return [order.order_id for order in self._finished if order is not None]

    def _move_out(self) -> None:
        """A quiet book's finished families leave ``_orders`` for their numbered slots."""
        orders = self._orders
        slot_of = self._slot_of
        finished = self._finished
        for order_id in self._leaving:
            # ``get`` and ``del``: compiled, dict primitives (``pop`` is a method look-up and call)
            number = slot_of.get(order_id)
            if number is not None:
                del slot_of[order_id]
                finished[number] = orders[order_id]
                del orders[order_id]
        self._leaving.clear()

    def _size_children(
        self,
        parent: LiveOrder,
        eligible_from: datetime,
        ts: datetime,
        events: list[Event],
        activated: list[str] | None,
    ) -> None:
        """Activate pending legs, or grow open ones, to the parent's filled quantity."""
        orders = self._orders
        quantity = parent.filled_quantity
        for child_id in parent.children:
            child = orders[child_id]
            status = child.status
            if status is _PENDING:
                child.resize(quantity, ts, _ACCEPTED)
                self._eligible_from[child_id] = eligible_from
                if self._events:
                    events.append(_accepted((ts, child.snapshot(), eligible_from)))
                if activated is not None:
                    activated.append(child_id)
            elif status in _OPEN and child.quantity != quantity:
                child.resize(quantity, ts)
                events.append(OrderModified(ts, child.snapshot(), self._eligible_from[child_id]))

    def _size_pending_legs(self, parent: Order, ts: datetime, events: list[Event]) -> None:
        """Give the pending legs of ``parent`` its quantity (a modified entry): the placeholder
        ``bracket_leg_records`` gave them at submission, kept when the entry is sized at its
        fill."""
        quantity = parent.quantity
        if quantity <= 0:
            return
        for child_id in parent.children:
            child = self._orders[child_id]
            if child.status is _PENDING and child.quantity != quantity:
                child.resize(quantity, ts)
                events.append(OrderModified(ts, child.snapshot(), self._eligible_from[child_id]))

    def _cancel_siblings(
        self, leg: LiveOrder, parent_id: str, ts: datetime, events: list[Event]
    ) -> None:
        """A leg filled: cancel the other leg (OCO) and what the parent (``parent_id``) has not
        filled yet, which would otherwise keep buying (or selling) without a stop or a target."""
        orders = self._orders
        parent = orders[parent_id]
        leg_id = leg.order_id
        emit = self._events
        if parent.status in _OPEN:
            reason = f"bracket leg {leg_id} filled" if emit else ""
            self._close(parent, _CANCELED, reason, ts, events, emit)
        for sibling_id in parent.children:
            sibling = orders[sibling_id]
            if sibling_id != leg_id and sibling.status in _OPEN:
                reason = f"one-cancels-other: {leg_id} filled" if emit else ""
                self._close(sibling, _CANCELED, reason, ts, events, emit)

    def _close(
        self,
        order: LiveOrder,
        status: OrderStatus,
        reason: str,
        ts: datetime,
        events: list[Event],
        emit: bool = True,
    ) -> None:
        """End ``order`` (canceled or expired); its still-pending bracket legs are canceled.
        ``emit`` False: no event (and ``reason`` unread) for it and its legs."""
        order.close(status, ts)
        order_id = order.order_id
        orders = self._orders
        book = self._books[order.symbol]
        if order_id in book:  # ``pop(order_id, None)`` without a method call (compiled)
            del book[order_id]
        if not emit:
            pass
        elif status is _EXPIRED:
            events.append(OrderExpired(ts, order.snapshot()))
        else:
            events.append(_canceled((ts, order.snapshot(), reason)))
        for child_id in order.children:
            child = orders[child_id]
            if child.status is _PENDING:
                why = f"parent {order_id} {status.value}" if emit else ""
                self._close(child, _CANCELED, why, ts, events, emit)
        self._forget_settled(order)

    def _forget_settled(self, order: LiveOrder) -> None:
        """Drop when a finished order's family could trade once the whole bracket (parent and
        legs) is finished: eligibility is read for open orders and, by ``working``, for the
        relatives of open ones only, and a long run would keep one entry per order."""
        orders = self._orders
        parent_id = order.parent_id
        root = order if parent_id is None else orders.get(parent_id)
        if root is None or root.status in _OPEN:
            return
        children = root.children
        for child_id in children:
            child = orders.get(child_id)
            if child is not None and child.status in _OPEN:
                return
        eligible = self._eligible_from
        root_id = root.order_id
        if root_id in eligible:  # ``pop(key, None)`` without a method call (compiled)
            del eligible[root_id]
        for child_id in children:
            if child_id in eligible:
                del eligible[child_id]
        if not self._events:  # moved out at the next submit, when nothing holds the family
            self._leaving.append(root_id)
            self._leaving.extend(children)


def _in_submission_order(
    orders: dict[str, LiveOrder], finished: list[LiveOrder | None], slot_of: dict[str, int]
) -> list[LiveOrder]:
    """A book's orders in submission order: ``orders`` (its dict), ``finished`` (a quiet book's
    slots) and ``slot_of`` (the slot of each issued order still in the dict)."""
    if not finished:
        return list(orders.values())
    # restored orders (numbered by an earlier book) were submitted before every order this
    # book issued, in the dict's order
    earlier = [order for order_id, order in orders.items() if order_id not in slot_of]
    slots = list(finished)
    for order_id, number in slot_of.items():
        slots[number] = orders.get(order_id)  # none: an id issued to a refused submit
    return earlier + [order for order in slots if order is not None]
