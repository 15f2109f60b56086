"""The simulated venue: accepts, matches, fills, expires and cancels orders bar by bar."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import cast

from paperdesk.domain import (
    Bar,
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
    Side,
    TimeInForce,
)
from paperdesk.execution.expiry import SessionClose, day_order_expiry
from paperdesk.execution.fees import FeeModel
from paperdesk.execution.fills import limit_fill_price, stop_limit_fill_price, stop_trigger_price
from paperdesk.execution.orders_from_intents import (
    order_from_intent,
    rejection_reason,
    round_against_trader,
)
from paperdesk.execution.scan import FloatArray, IntArray, Thresholds, first_hit
from paperdesk.execution.slippage import SlippageModel

# Called with an entry order and its fill price before its first fill: returns the quantity that
# may fill (an all-in order's size; for others at most the order's quantity), 0 to cancel it.
ResolveQuantity = Callable[[Order, Decimal], Decimal]
FillListener = Callable[[OrderFilled], None]

# Enum member lookups cost a metaclass call each; the hot path reads these module constants.
_ACCEPTED = OrderStatus.ACCEPTED
_PARTIALLY_FILLED = OrderStatus.PARTIALLY_FILLED
_FILLED = OrderStatus.FILLED
_PENDING = OrderStatus.PENDING
_ENTRY = OrderRole.ENTRY
_BUY = Side.BUY
_MARKET, _LIMIT, _STOP = OrderType.MARKET, OrderType.LIMIT, OrderType.STOP
_IOC, _FOK = TimeInForce.IOC, TimeInForce.FOK
_BRACKET_LEGS = (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class OrderManager:
    """One run's order book and matching rules; every state change is returned as events.

    Fills from ``on_bar`` are stamped with ``bar.ts_open`` (the bar they happened in), fills from
    ``fill_at_close`` with ``bar.ts_close``, expiries with the order's ``ts_expire``.
    """

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        *,
        fee_model: FeeModel,
        slippage_model: SlippageModel,
        session_close: SessionClose | None = None,
        volume_cap: Decimal | None = None,
        id_prefix: str = "O",
    ) -> None:
        if volume_cap is not None and not (volume_cap.is_finite() and volume_cap > 0):
            raise InvalidInputError(f"volume_cap must be a positive fraction, got {volume_cap}")
        self._instruments = dict(instruments)
        self._fee_model = fee_model
        self._slippage_model = slippage_model
        self._session_close = session_close
        self._volume_cap = volume_cap
        self._id_prefix = id_prefix
        self._orders: dict[str, Order] = {}
        self._books: dict[
            str, dict[str, None]
        ] = {}  # symbol -> open order ids, in submission order
        self._eligible_from: dict[str, datetime] = {}  # first bar open an order may trade at
        self._client_ids: set[str] = set()
        self._sequence = 0
        self._cap_left: Decimal | None = None
        self._fill_listener: FillListener | None = None
        self.ambiguous_bars = 0

    def set_fill_listener(self, listener: FillListener | None) -> None:
        """Call ``listener`` with each fill the moment it happens, before the next order of the
        same bar is matched, so a ledger sees an exit's cash before an entry is sized."""
        self._fill_listener = listener

    def restore(self, orders: Iterable[tuple[Order, datetime]], sequence: int) -> None:
        """Load a persisted book: every order with the first bar open it may trade at.

        Orders come in submission order; open ones go back on their symbol's book, finished
        ones are kept for bracket bookkeeping. ``sequence`` is the last order number issued.
        """
        for order, eligible_from in orders:
            self._orders[order.order_id] = order
            self._client_ids.add(order.client_order_id)
            self._eligible_from[order.order_id] = eligible_from
            if order.is_open:
                self._books.setdefault(order.symbol, {})[order.order_id] = None
        self._sequence = max(self._sequence, sequence)

    @property
    def sequence(self) -> int:
        """The number of the last order id issued."""
        return self._sequence

    def eligible_from(self, order_id: str) -> datetime:
        """The first bar open at which ``order_id`` may trade."""
        return self._eligible_from[order_id]

    def client_order_id_in_use(self, client_order_id: str) -> bool:
        return client_order_id in self._client_ids

    # ----------------------------------------------------------------------------- submission

    def submit(
        self, intent: OrderIntent, ts: datetime, client_order_id: str | None = None
    ) -> list[Event]:
        """Accept (or reject) ``intent`` at ``ts``; a bracket entry also creates pending legs."""
        if client_order_id is not None and client_order_id in self._client_ids:
            raise OrderError(f"client order id {client_order_id!r} is already in use")
        order_id = self._next_id()
        client_id = order_id if client_order_id is None else client_order_id
        if client_id in self._client_ids:
            raise OrderError(f"client order id {client_id!r} is already in use")
        self._client_ids.add(client_id)
        instrument = self._instruments.get(intent.symbol)
        reason = rejection_reason(intent, instrument, self._instruments)
        if reason is not None or instrument is None:
            rejected = order_from_intent(intent, order_id, client_id, ts, OrderStatus.REJECTED)
            self._orders[order_id] = rejected
            return [OrderRejected(ts, rejected, reason or "")]
        ts_expire = None
        if intent.time_in_force is TimeInForce.DAY:
            ts_expire = day_order_expiry(instrument.calendar, ts, self._session_close)
        book = self._books.setdefault(intent.symbol, {})
        if intent.stop_loss is None and intent.take_profit is None:
            order = order_from_intent(intent, order_id, client_id, ts, _ACCEPTED, ts_expire)
            self._orders[order_id] = order
            self._eligible_from[order_id] = ts
            book[order_id] = None
            return [OrderAccepted(ts, order, ts)]
        legs = self._bracket_legs(intent, order_id, instrument, ts)
        children = tuple(leg.order_id for leg in legs)
        order = order_from_intent(intent, order_id, client_id, ts, _ACCEPTED, ts_expire, children)
        events: list[Event] = []
        for placed in (order, *legs):
            self._orders[placed.order_id] = placed
            self._eligible_from[placed.order_id] = ts
            book[placed.order_id] = None
            events.append(OrderAccepted(ts, placed, ts))
        return events

    def _next_id(self) -> str:
        self._sequence += 1
        return f"{self._id_prefix}{self._sequence}"

    def _bracket_legs(
        self, intent: OrderIntent, parent_id: str, instrument: Instrument, ts: datetime
    ) -> tuple[Order, ...]:
        legs: list[Order] = []
        # pending legs are sized at the parent's fill; until then they hold a placeholder quantity
        quantity = intent.quantity if intent.quantity > 0 else instrument.lot_size
        for role, price in (
            (OrderRole.STOP_LOSS, intent.stop_loss),
            (OrderRole.TAKE_PROFIT, intent.take_profit),
        ):
            if price is None:
                continue
            leg_id = self._next_id()
            self._client_ids.add(leg_id)
            is_stop = role is OrderRole.STOP_LOSS
            price = round_against_trader(price, intent.side.opposite, is_stop, instrument)
            legs.append(
                Order(
                    leg_id,
                    leg_id,
                    intent.symbol,
                    intent.side.opposite,
                    OrderType.STOP if is_stop else OrderType.LIMIT,
                    quantity,
                    ts,
                    limit_price=None if is_stop else price,
                    stop_price=price if is_stop else None,
                    time_in_force=TimeInForce.GTC,
                    role=role,
                    parent_id=parent_id,
                    status=_PENDING,
                    ts_updated=ts,
                    strategy=intent.strategy,
                    reason=role.value.replace("_", " "),
                )
            )
        return tuple(legs)

    # ---------------------------------------------------------------------------- matching

    def on_bar(self, bar: Bar, resolve_quantity: ResolveQuantity | None = None) -> list[Event]:
        """Match the open orders of ``bar.symbol`` against ``bar``: exits first, then entries."""
        book = self._books.get(bar.symbol)
        if not book:
            return []
        orders = self._orders
        queue: list[str] = []
        entries: list[str] = []
        for order_id in book:
            (entries if orders[order_id].role is _ENTRY else queue).append(order_id)
        queue.extend(entries)
        if self._volume_cap is not None:
            instrument = self._instruments[bar.symbol]
            self._cap_left = instrument.round_quantity(self._volume_cap * bar.volume)
        events: list[Event] = []
        handled: set[str] | None = None
        ts_open = bar.ts_open
        index = 0
        while index < len(queue):
            order_id = queue[index]
            index += 1
            order = orders[order_id]
            status = order.status
            if status is not _ACCEPTED and status is not _PARTIALLY_FILLED:
                continue
            if ts_open < self._eligible_from[order_id]:
                continue
            if handled is not None and order_id in handled:
                continue
            if order.ts_expire is not None and order.ts_expire <= ts_open:
                self._close(order, OrderStatus.EXPIRED, "", order.ts_expire, events)
                continue
            if order.parent_id is not None and order.role in _BRACKET_LEGS:
                sibling = self._active_sibling(order, ts_open)
                if sibling is not None:
                    handled = handled if handled is not None else set()
                    handled.update((order_id, sibling.order_id))
                    self._settle_bracket(order, sibling, bar, resolve_quantity, events, queue)
                    continue
            self._match(order, bar, resolve_quantity, events, queue)
        return events

    def _match(
        self,
        order: Order,
        bar: Bar,
        resolve: ResolveQuantity | None,
        events: list[Event],
        queue: list[str],
    ) -> None:
        order_type = order.order_type
        market_like = order_type is _MARKET or order_type is _STOP
        if order_type is _MARKET:
            price: Decimal | None = bar.open
        elif order_type is _LIMIT or order.triggered:
            price = limit_fill_price(order.side, cast(Decimal, order.limit_price), bar)
        elif order_type is _STOP:
            price = stop_trigger_price(order.side, cast(Decimal, order.stop_price), bar)
        else:
            triggered, price = stop_limit_fill_price(
                order.side, cast(Decimal, order.stop_price), cast(Decimal, order.limit_price), bar
            )
            if triggered:
                order = order._replace(triggered=True, ts_updated=bar.ts_open)
                self._orders[order.order_id] = order
        if price is not None:
            children_from = bar.ts_open if price == bar.open else bar.ts_close
            self._execute(
                order, price, market_like, bar.ts_open, children_from, resolve, events, queue
            )
        elif order.time_in_force is _IOC or order.time_in_force is _FOK:
            self._close(
                order,
                OrderStatus.CANCELED,
                f"{order.time_in_force.value}: price not reached on the first bar",
                bar.ts_open,
                events,
            )

    def _settle_bracket(
        self,
        order: Order,
        sibling: Order,
        bar: Bar,
        resolve: ResolveQuantity | None,
        events: list[Event],
        queue: list[str],
    ) -> None:
        """Both legs active: the one touched at the open wins, else the stop-loss (ambiguous)."""
        stop_leg, target_leg = (
            (order, sibling) if order.role is OrderRole.STOP_LOSS else (sibling, order)
        )
        stop_price = stop_trigger_price(stop_leg.side, cast(Decimal, stop_leg.stop_price), bar)
        target_price = limit_fill_price(target_leg.side, cast(Decimal, target_leg.limit_price), bar)
        if stop_price is not None and target_price is not None:
            if target_price == bar.open and stop_price != bar.open:
                stop_price = None  # the bar opened through the target: it traded first
            else:
                if stop_price != bar.open:
                    self.ambiguous_bars += 1
                target_price = None
        if stop_price is not None:
            children_from = bar.ts_open if stop_price == bar.open else bar.ts_close
            self._execute(
                stop_leg, stop_price, True, bar.ts_open, children_from, resolve, events, queue
            )
        elif target_price is not None:
            children_from = bar.ts_open if target_price == bar.open else bar.ts_close
            self._execute(
                target_leg, target_price, False, bar.ts_open, children_from, resolve, events, queue
            )

    def _active_sibling(self, leg: Order, ts_open: datetime) -> Order | None:
        parent = self._orders[cast(str, leg.parent_id)]
        for sibling_id in parent.children:
            if sibling_id == leg.order_id:
                continue
            sibling = self._orders[sibling_id]
            status = sibling.status
            if (status is _ACCEPTED or status is _PARTIALLY_FILLED) and self._eligible_from[
                sibling_id
            ] <= ts_open:
                return sibling
        return None

    def _execute(
        self,
        order: Order,
        raw_price: Decimal,
        market_like: bool,
        ts: datetime,
        children_from: datetime,
        resolve: ResolveQuantity | None,
        events: list[Event],
        queue: list[str] | None,
    ) -> None:
        """Fill as much of ``order`` as the volume cap allows at ``raw_price`` (+ slippage)."""
        instrument = self._instruments[order.symbol]
        price = (
            self._slippage_model.adjust(raw_price, order.side, instrument)
            if market_like
            else raw_price
        )
        if order.filled_quantity == 0 and (order.size_fraction is not None or order.role is _ENTRY):
            # an entry's quantity is confirmed (or decided, for all-in orders) at its fill price
            quantity = order.quantity
            if resolve is not None:
                resolved = instrument.round_quantity(resolve(order, price))
                quantity = resolved if order.size_fraction is not None else min(quantity, resolved)
            if quantity <= 0:
                self._close(order, OrderStatus.CANCELED, "nothing fits at fill", ts, events)
                return
            if quantity != order.quantity:
                order = order._replace(quantity=quantity)  # positive: the order stays valid
        remaining = order.quantity - order.filled_quantity
        quantity = remaining
        cap_left = self._cap_left
        if self._volume_cap is not None and cap_left is not None and cap_left < quantity:
            quantity = cap_left
        tif = order.time_in_force
        if quantity < remaining and tif is _FOK:
            self._close(
                order,
                OrderStatus.CANCELED,
                f"fok: only {quantity} of {remaining} could fill",
                ts,
                events,
            )
            return
        if quantity <= 0:
            self._orders[order.order_id] = order
            if tif is _IOC:
                self._close(order, OrderStatus.CANCELED, "ioc: no volume to fill", ts, events)
            return
        if cap_left is not None and self._volume_cap is not None:
            self._cap_left = cap_left - quantity
        filled = order.filled_quantity + quantity
        previous_average = order.average_price
        average = (
            price
            if previous_average is None
            else ((previous_average * order.filled_quantity + price * quantity) / filled)
        )
        status = _FILLED if filled >= order.quantity else _PARTIALLY_FILLED
        order = order._replace(
            status=status, filled_quantity=filled, average_price=average, ts_updated=ts
        )
        order_id = order.order_id
        self._orders[order_id] = order
        fee = self._fee_model.fee(quantity, price, instrument)
        slipped = price - raw_price if order.side is _BUY else raw_price - price
        filled_event = OrderFilled(
            ts, order, Fill(order_id, order.symbol, order.side, quantity, price, fee, ts, slipped)
        )
        events.append(filled_event)
        if self._fill_listener is not None:
            self._fill_listener(filled_event)
        if order.children:
            self._size_children(order, children_from, ts, events, queue)
        if order.parent_id is not None and order.role in _BRACKET_LEGS:
            self._cancel_siblings(order, ts, events)
        if status is _FILLED:
            del self._books[order.symbol][order_id]
        elif tif is _IOC:
            self._close(order, OrderStatus.CANCELED, "ioc: remainder canceled", ts, events)

    def _size_children(
        self,
        parent: Order,
        eligible_from: datetime,
        ts: datetime,
        events: list[Event],
        queue: list[str] | None,
    ) -> None:
        """Activate pending legs, or grow open ones, to the parent's filled quantity."""
        for child_id in parent.children:
            child = self._orders[child_id]
            if child.status is _PENDING:
                child = child._replace(
                    status=_ACCEPTED, quantity=parent.filled_quantity, ts_updated=ts
                )
                self._eligible_from[child_id] = eligible_from
                events.append(OrderAccepted(ts, child, eligible_from))
                if queue is not None:
                    queue.append(child_id)
            elif child.is_open and child.quantity != parent.filled_quantity:
                child = child._replace(quantity=parent.filled_quantity, ts_updated=ts)
                events.append(OrderModified(ts, child, self._eligible_from[child_id]))
            else:
                continue
            self._orders[child_id] = child

    def _cancel_siblings(self, leg: Order, ts: datetime, events: list[Event]) -> None:
        """A leg filled: cancel the other leg (OCO) and what the parent has not filled yet, which
        would otherwise keep buying (or selling) without a stop or a target."""
        parent = self._orders[cast(str, leg.parent_id)]
        if parent.is_open:
            self._close(
                parent, OrderStatus.CANCELED, f"bracket leg {leg.order_id} filled", ts, events
            )
        for sibling_id in parent.children:
            sibling = self._orders[sibling_id]
            if sibling_id != leg.order_id and sibling.is_open:
                self._close(
                    sibling,
                    OrderStatus.CANCELED,
                    f"one-cancels-other: {leg.order_id} filled",
                    ts,
                    events,
                )

    def _close(
        self, order: Order, status: OrderStatus, reason: str, ts: datetime, events: list[Event]
    ) -> None:
        """End ``order`` (canceled or expired); its still-pending bracket legs are canceled."""
        order = order._replace(status=status, ts_updated=ts)
        self._orders[order.order_id] = order
        self._books[order.symbol].pop(order.order_id, None)
        if status is OrderStatus.EXPIRED:
            events.append(OrderExpired(ts, order))
        else:
            events.append(OrderCanceled(ts, order, reason))
        for child_id in order.children:
            child = self._orders[child_id]
            if child.status is _PENDING:
                self._close(
                    child,
                    OrderStatus.CANCELED,
                    f"parent {order.order_id} {status.value}",
                    ts,
                    events,
                )

    def fill_at_close(
        self, order_id: str, bar: Bar, resolve_quantity: ResolveQuantity | None = None
    ) -> list[Event]:
        """Fill a just-submitted market order at ``bar.close`` (+ slippage), stamped ts_close."""
        order = self._require_open(order_id)
        if order.order_type is not OrderType.MARKET:
            raise OrderError(
                f"order {order_id} is a {order.order_type.value} order; only market orders "
                "can fill at the close"
            )
        if order.symbol != bar.symbol:
            raise OrderError(f"order {order_id} is for {order.symbol}, not for {bar.symbol}")
        if self._volume_cap is not None:
            instrument = self._instruments[bar.symbol]
            self._cap_left = instrument.round_quantity(self._volume_cap * bar.volume)
        events: list[Event] = []
        self._execute(
            order, bar.close, True, bar.ts_close, bar.ts_close, resolve_quantity, events, None
        )
        return events

    # ------------------------------------------------------------------- cancel and modify

    def cancel(self, order_id: str, ts: datetime, reason: str = "") -> list[Event]:
        """Cancel an open order (and its pending bracket legs)."""
        order = self._require_open(order_id)
        events: list[Event] = []
        self._close(order, OrderStatus.CANCELED, reason, ts, events)
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
            if order.is_open and (wanted is None or order.role in wanted):
                self._close(order, OrderStatus.CANCELED, reason, ts, events)
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
        """Change an open order's quantity or prices; it applies to bars opening from ``ts``."""
        order = self._require_open(order_id)
        if quantity is None and limit_price is None and stop_price is None:
            raise InvalidInputError(f"modify of order {order_id} changes nothing")
        order_type = order.order_type
        if limit_price is not None and order_type not in (OrderType.LIMIT, OrderType.STOP_LIMIT):
            raise OrderError(f"order {order_id} is a {order_type.value} order: no limit price")
        if stop_price is not None and order_type not in (OrderType.STOP, OrderType.STOP_LIMIT):
            raise OrderError(f"order {order_id} is a {order_type.value} order: no stop price")
        changes: dict[str, object] = {"ts_updated": ts}
        if quantity is not None:
            if quantity < order.filled_quantity:
                raise OrderError(
                    f"order {order_id} cannot go to quantity {quantity}: "
                    f"{order.filled_quantity} already filled"
                )
            changes["quantity"] = quantity
            if quantity == order.filled_quantity and quantity > 0:
                changes["status"] = OrderStatus.FILLED
        if limit_price is not None:
            changes["limit_price"] = limit_price
        if stop_price is not None:
            changes["stop_price"] = stop_price
        modified = order.evolve(**changes)
        self._orders[order_id] = modified
        eligible = self._eligible_from[order_id] = max(self._eligible_from[order_id], ts)
        if modified.status is OrderStatus.FILLED:
            del self._books[order.symbol][order_id]
        return [OrderModified(ts, modified, eligible)]

    def _require_open(self, order_id: str) -> Order:
        order = self.get(order_id)
        if not order.is_open:
            raise OrderError(
                f"order {order_id} is already {order.status.value}; only open orders can change"
            )
        return order

    # ------------------------------------------------------------------------------ queries

    def get(self, order_id: str) -> Order:
        order = self._orders.get(order_id)
        if order is None:
            raise OrderError(f"unknown order id {order_id!r}")
        return order

    def all_orders(self) -> list[Order]:
        return list(self._orders.values())

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders (pending bracket legs included) in submission order."""
        if symbol is not None:
            return [self._orders[order_id] for order_id in self._books.get(symbol, ())]
        prefix = len(self._id_prefix)
        ids = [order_id for book in self._books.values() for order_id in book]
        ids.sort(key=lambda order_id: int(order_id[prefix:]))
        return [self._orders[order_id] for order_id in ids]

    def working_entry_symbols(self) -> frozenset[str]:
        """The symbols with an entry order still working (accepted or partly filled)."""
        orders = self._orders
        return frozenset(
            symbol
            for symbol, book in self._books.items()
            if any(orders[order_id].role is _ENTRY for order_id in book)
        )

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
    ) -> int:
        """The first index in [start, stop) where an open order of ``symbol`` could act, else
        ``stop``. Never later than the truth: ``on_bar`` decides exactly (touches use a 1e-9
        relative tolerance so float rounding cannot hide one). ``opens`` is not needed: a gap
        through a level at the open is also a touch by the high or low."""
        book = self._books.get(symbol)
        if not book or start >= stop:
            return stop
        first_open = int(ts_open_ns[start])
        groups: dict[int, Thresholds] = {}  # by eligibility: each order acts only once eligible
        for order_id in book:
            order = self._orders[order_id]
            status = order.status
            if status is _PENDING:
                continue
            order_type = order.order_type
            if (
                order_type is OrderType.MARKET
                or order.time_in_force is TimeInForce.IOC
                or order.time_in_force is TimeInForce.FOK
                or (status is _PARTIALLY_FILLED and self._volume_cap is not None)
            ):
                return start
            eligible = max(_nanoseconds(self._eligible_from[order_id]), first_open)
            thresholds = groups.get(eligible)
            if thresholds is None:
                thresholds = groups[eligible] = Thresholds(eligible_from=eligible)
            if order.ts_expire is not None:
                thresholds.time_reached(_nanoseconds(order.ts_expire))
            is_buy = order.side is Side.BUY
            if order_type is OrderType.LIMIT or order.triggered:
                level = float(cast(Decimal, order.limit_price))
                thresholds.lower_touch(level) if is_buy else thresholds.upper_touch(level)
            else:
                level = float(cast(Decimal, order.stop_price))
                thresholds.upper_touch(level) if is_buy else thresholds.lower_touch(level)
        found = stop
        for thresholds in groups.values():
            found = first_hit(thresholds, highs, lows, ts_open_ns, start, found)
        return found


def _nanoseconds(ts: datetime) -> int:
    return (ts - _EPOCH) // _MICROSECOND * 1000
