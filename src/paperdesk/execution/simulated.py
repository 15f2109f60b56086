"""The simulated venue: matches bars against the order book with the fill-price rules.

A bar trades the book's open orders of its symbol, exits and bracket legs first, then entries:
market orders at the open, limits and stops by ``paperdesk.execution.fills`` (at the open when
the bar gaps through), a stop-limit rests as a limit once triggered. When both legs of a bracket
are touched in one bar the stop-loss wins, unless the bar opened through the target, and the bar
counts in ``ambiguous_bars``. With a quote on the bar every rule reads the side that trades
(``fills.side_bar``: buys the ask, sells the bid), and a quoted price pays no slippage on top,
the spread being already in it (as Lean's quote fills); without one, market-like fills (market,
stop, stop-loss) pay slippage. Under a spread (``--spread-pips``, a forex pair) and no quote,
limit orders, triggered stop-limits and take-profits trigger and fill against the ask (a buy:
each bar price plus half the spread, rounded up to the tick) or the bid (a sell), never at a
price worse than their limit, at the better ask or bid when the bar gaps through; market-like
fills pay the half spread as slippage. Every fill pays its fee; both are asked with the
instrument in hand (``paperdesk.execution.costs``). A volume cap shares a fraction of the bar's
volume among the orders of the bar (the rest fills later), IOC fills what it can on its first
bar, FOK all of it or nothing.

Fills from ``match`` are stamped with ``bar.ts_open`` (the bar they happened in), fills from
``fill_at_close`` with ``bar.ts_close``, expiries with the order's ``ts_expire``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Final, cast

from paperdesk.domain import (
    Bar,
    Event,
    Fill,
    Instrument,
    InvalidInputError,
    OrderError,
    OrderFilled,
    OrderModified,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.domain.field_positions import (
    BAR_OPEN,
    BAR_QUOTE,
    BAR_TS_CLOSE,
    BAR_TS_OPEN,
)
from paperdesk.domain.money import ZERO, minus
from paperdesk.domain.trusted import trusted_maker
from paperdesk.execution.book import OrderBook
from paperdesk.execution.fills import (
    bracket_exit,
    limit_fill_price,
    side_bar,
    stop_limit_fill_price,
    stop_trigger_price,
)
from paperdesk.execution.live_order import BookedFill, LiveOrder
from paperdesk.execution.slippage import NoSlippage, spread_of
from paperdesk.execution.venue import SizeEntry, VenueStep
from paperdesk.routing.affordability import charges_nothing, estimated_fee

if TYPE_CHECKING:  # only its two fields are read; importing it would load the run config
    from paperdesk.execution.costs import CostModels

# Enum member lookups cost a metaclass call each; the hot path reads these module constants.
# ``Final``: compiled, a C static each (a plain module constant is a dict lookup at each read).
_ACCEPTED: Final = OrderStatus.ACCEPTED
_PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
_FILLED: Final = OrderStatus.FILLED
_ENTRY: Final = OrderRole.ENTRY
_STOP_LOSS: Final = OrderRole.STOP_LOSS
_BUY: Final = Side.BUY
_MARKET: Final = OrderType.MARKET
_LIMIT: Final = OrderType.LIMIT
_STOP: Final = OrderType.STOP
_IOC: Final = TimeInForce.IOC
_FOK: Final = TimeInForce.FOK
_BRACKET_LEGS: Final = (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)
# quantities are compared with the Decimal zero: Decimal converts an int at each comparison
_ZERO: Final = ZERO  # compiled, a C static

_fill_record: Final = trusted_maker(Fill)  # every field of a Fill, in order

# A matching decision: the order, its price before slippage, whether it trades like a market order.
_Decision = tuple[LiveOrder, Decimal, bool]


class SimulatedVenue:
    """Bar-by-bar matching for the instruments of a run (an ``ExecutionVenue``)."""

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        costs: CostModels,
        *,
        volume_cap: Decimal | None = None,
    ) -> None:
        if volume_cap is not None and not (volume_cap.is_finite() and volume_cap > 0):
            raise InvalidInputError(f"volume_cap must be a positive fraction, got {volume_cap}")
        self._instruments = dict(instruments)
        self._fee_model = costs.fees
        # a model that charges nothing (``NoFee``) is not asked at each fill: its ZERO is taken
        # (the same object it returns; its method is an interpreted call)
        self._free = charges_nothing(costs.fees)
        self._slippage_model = costs.slippage
        # without slippage a market-like fill's price is the bar's, as ``NoSlippage`` returns
        # it (not asked: the model's method is an interpreted call per fill)
        self._slips = type(costs.slippage) is not NoSlippage
        # the forex pairs under ``--spread-pips``: their limits trade the ask (buys) or bid (sells)
        self._spreads = {
            symbol: spread
            for symbol, instrument in self._instruments.items()
            if (spread := spread_of(costs.slippage, instrument)) is not None
        }
        self._volume_cap = volume_cap
        self._cap_left: Decimal | None = None
        self.ambiguous_bars = 0
        self._zeros: list[Decimal] = []  # ``price - price`` by the price's exponent

    def match(self, bar: Bar, book: OrderBook, events: list[Event]) -> Iterable[VenueStep]:
        """Match the open orders of ``bar.symbol`` against ``bar``: exits first, then entries."""
        queue = book.matching_queue(bar.symbol)
        if not queue:
            return ()
        self._open_volume(bar)
        return self._match(bar, queue, book, events)

    def fill_at_close(
        self, order_id: str, bar: Bar, book: OrderBook, events: list[Event]
    ) -> Iterable[VenueStep]:
        """Fill a just-submitted market order at ``bar.close`` (+ slippage), stamped ts_close."""
        order = book.require_open(order_id)
        if order.order_type is not OrderType.MARKET:
            raise OrderError(
                f"order {order_id} is a {order.order_type.value} order; only market orders "
                "can fill at the close"
            )
        if order.symbol != bar.symbol:
            raise OrderError(f"order {order_id} is for {order.symbol}, not for {bar.symbol}")
        self._open_volume(bar)
        return self._fill_at_close(book.record(order_id), bar, book, events)

    # ------------------------------------------------------------------------------ matching

    def _match(
        self, bar: Bar, queue: list[str], book: OrderBook, events: list[Event]
    ) -> Iterator[VenueStep]:
        handled: set[str] | None = None  # bracket legs already settled as a pair
        ts_open = bar[BAR_TS_OPEN]
        quoted = bar[BAR_QUOTE] is not None
        index = 0
        while index < len(queue):
            order_id = queue[index]
            index += 1
            order = book.record(order_id)
            status = order.status
            if status is not _ACCEPTED and status is not _PARTIALLY_FILLED:
                continue
            if ts_open < book.eligible_from(order_id):
                continue
            if handled is not None and order_id in handled:
                continue
            ts_expire = order.ts_expire
            if ts_expire is not None and ts_expire <= ts_open:
                book.on_expired(order, events)
                continue
            decision: _Decision | None
            if order.parent_id is not None and order.role in _BRACKET_LEGS:
                sibling = book.working_sibling(order, ts_open)
                if sibling is not None:
                    handled = handled if handled is not None else set()
                    handled.update((order_id, sibling.order_id))
                    decision = self._settle_bracket(order, sibling, bar)
                else:
                    decision = self._decide(order, bar, book, events)
            else:
                decision = self._decide(order, bar, book, events)
            if decision is None:
                continue
            # the steps of _fill_at_close, written out: a nested generator per fill costs time
            order, raw_price, market_like = decision
            price = raw_price
            if market_like and not quoted:
                price = self._slipped(order, raw_price, True)
            if order.filled_quantity == _ZERO and (
                order.size_fraction is not None or order.role is _ENTRY
            ):
                request = SizeEntry(order, price)
                yield request
                sized = self._sized(order, request, ts_open, book, events)
                if sized is None:
                    continue
                order = sized
            if quoted:
                opened = side_bar(bar, order.side).open
            elif not market_like and self._spreads and order.symbol in self._spreads:
                opened = self._spread_bar(bar, order).open
            else:
                opened = bar[BAR_OPEN]
            children_from = ts_open if raw_price == opened else bar[BAR_TS_CLOSE]
            filled = self._fill(
                order, raw_price, price, ts_open, children_from, book, events, queue
            )
            if filled is not None:
                yield filled
                self._after_fill(order, ts_open, book, events)

    def _fill_at_close(
        self, order: LiveOrder, bar: Bar, book: OrderBook, events: list[Event]
    ) -> Iterator[VenueStep]:
        ts = bar.ts_close
        close = side_bar(bar, order.side).close
        price = self._slipped(order, close, bar.quote is None)
        if order.filled_quantity == 0 and (order.size_fraction is not None or order.role is _ENTRY):
            request = SizeEntry(order, price)
            yield request
            sized = self._sized(order, request, ts, book, events)
            if sized is None:
                return
            order = sized
        filled = self._fill(order, close, price, ts, ts, book, events, None)
        if filled is not None:
            yield filled
            self._after_fill(order, ts, book, events)

    # ------------------------------------------------------------------------------ helpers

    def _open_volume(self, bar: Bar) -> None:
        """Start sharing the bar's capped volume among the orders it fills."""
        if self._volume_cap is not None:
            instrument = self._instruments[bar.symbol]
            self._cap_left = instrument.round_quantity(self._volume_cap * bar.volume)

    def _decide(
        self, order: LiveOrder, bar: Bar, book: OrderBook, events: list[Event]
    ) -> _Decision | None:
        """The price ``order`` trades at on ``bar``, if any; IOC and FOK orders that do not
        trade on their first bar are canceled, a stop-limit touched becomes a resting limit."""
        order_type = order.order_type
        if bar[BAR_QUOTE] is not None:
            bar = side_bar(bar, order.side)
        elif self._spreads and order_type is not _MARKET and order_type is not _STOP:
            bar = self._spread_bar(bar, order)  # a limit or stop-limit: the ask or the bid
        if order_type is _MARKET:
            price: Decimal | None = bar[BAR_OPEN]
        elif order_type is _LIMIT or order.triggered:
            price = limit_fill_price(order.side, cast(Decimal, order.limit_price), bar)
        elif order_type is _STOP:
            price = stop_trigger_price(order.side, cast(Decimal, order.stop_price), bar)
        else:
            triggered, price = stop_limit_fill_price(
                order.side, cast(Decimal, order.stop_price), cast(Decimal, order.limit_price), bar
            )
            if triggered:
                order = cast(LiveOrder, book.on_triggered(order, bar.ts_open))
        if price is not None:
            return order, price, order_type is _MARKET or order_type is _STOP
        tif = order.time_in_force
        if tif is _IOC or tif is _FOK:
            reason = f"{tif.value}: price not reached on the first bar"
            book.on_canceled(order, reason, bar.ts_open, events)
        return None

    def _settle_bracket(self, order: LiveOrder, sibling: LiveOrder, bar: Bar) -> _Decision | None:
        """Both legs active: the one touched at the open wins, else the stop-loss (ambiguous);
        the rule is ``fills.bracket_exit``, shared with the plan simulator."""
        if order.role is _STOP_LOSS:
            stop_leg, target_leg = order, sibling
        else:
            stop_leg, target_leg = sibling, order
        side = stop_leg.side
        target_bar = None
        if bar[BAR_QUOTE] is not None:  # both legs trade on the same side
            bar = side_bar(bar, side)
        elif self._spreads:  # the take-profit, a limit, trades the bid (a long's) or the ask
            target_bar = self._spread_bar(bar, target_leg)
        decided = bracket_exit(
            side,
            cast(Decimal, stop_leg.stop_price),
            cast(Decimal, target_leg.limit_price),
            bar,
            target_bar,
        )
        if decided is None:
            return None
        leg, price, ambiguous = decided[0], decided[1], decided[2]  # (by position: no lookups)
        if ambiguous:
            self.ambiguous_bars += 1
        if leg is _STOP_LOSS:
            return stop_leg, price, True
        return target_leg, price, False

    def _spread_bar(self, bar: Bar, order: LiveOrder) -> Bar:
        """The prices a limit ``order`` trades at on a bar without a quote: under a spread the
        ask OHLC for a buy and the bid OHLC for a sell (``HalfSpread.side_bar``), else the bar."""
        spread = self._spreads.get(order.symbol)
        if spread is None:
            return bar
        return spread.side_bar(bar, order.side, self._instruments[order.symbol])

    def _slipped(self, order: LiveOrder, raw_price: Decimal, market_like: bool) -> Decimal:
        """The price ``order`` trades at: market-like orders pay slippage, limits do not."""
        if not market_like or not self._slips:
            return raw_price
        return self._slippage_model.adjust(raw_price, order.side, self._instruments[order.symbol])

    def _sized(
        self,
        order: LiveOrder,
        request: SizeEntry,
        ts: datetime,
        book: OrderBook,
        events: list[Event],
    ) -> LiveOrder | None:
        """The entry with the quantity the driver answered (None: its own), or None when that
        is nothing (the order is canceled). A quantity a risk rule cut is never silent: the
        cancel or an ``OrderModified`` event carries the rule's reason."""
        answer, why = request.quantity, request.reason
        quantity = order.quantity if answer is None else answer
        if quantity <= _ZERO:
            reason = f"nothing fits at fill: {why}" if why else "nothing fits at fill"
            book.on_canceled(order, reason, ts, events)
            return None
        if quantity != order.quantity:
            order = cast(LiveOrder, book.on_resized(order, quantity))
            if why:
                events.append(OrderModified(ts, order.snapshot(), None, f"trimmed at fill: {why}"))
        return order

    def _fill(
        self,
        order: LiveOrder,
        raw_price: Decimal,
        price: Decimal,
        ts: datetime,
        children_from: datetime,
        book: OrderBook,
        events: list[Event],
        queue: list[str] | None,
    ) -> OrderFilled | BookedFill | None:
        """Fill as much of ``order`` at ``price`` as the volume cap allows (FOK: all or none)."""
        remaining = minus(order.quantity, order.filled_quantity)
        quantity = remaining
        cap_left = self._cap_left
        if self._volume_cap is not None and cap_left is not None and cap_left < quantity:
            quantity = cap_left
        tif = order.time_in_force
        if quantity < remaining and tif is _FOK:
            reason = f"fok: only {quantity} of {remaining} could fill"
            book.on_canceled(order, reason, ts, events)
            return None
        if quantity <= _ZERO:
            if tif is _IOC:
                book.on_canceled(order, "ioc: no volume to fill", ts, events)
            return None
        if cap_left is not None and self._volume_cap is not None:
            self._cap_left = cap_left - quantity
        symbol, side = order.symbol, order.side
        fee = estimated_fee(self._fee_model, self._free, quantity, price, self._instruments[symbol])
        if price is raw_price:
            slipped = self._no_slippage(price)
        else:
            slipped = price - raw_price if side is _BUY else raw_price - price
        fill = _fill_record((order.order_id, symbol, side, quantity, price, fee, ts, slipped))
        return book.fill_step(fill, children_from, events, queue)

    def _no_slippage(self, price: Decimal) -> Decimal:
        """``price - price`` (a zero of the price's exponent), one object per exponent: a run
        without slippage keeps one in every fill."""
        zeros = self._zeros
        for index, zero in enumerate(zeros):
            if zero.same_quantum(price):
                if index:  # the last exponent found is asked first next time
                    zeros[index] = zeros[0]
                    zeros[0] = zero
                return zero
        zero = price - price
        zeros.insert(0, zero)
        return zero

    def _after_fill(
        self, order: LiveOrder, ts: datetime, book: OrderBook, events: list[Event]
    ) -> None:
        """IOC: what the fill left is canceled."""
        if order.status is not _FILLED and order.time_in_force is _IOC:
            book.on_canceled(order, "ioc: remainder canceled", ts, events)
