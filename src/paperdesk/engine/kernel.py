"""The trading kernel: commands and closed bars in, events out; one write path for every change.

Backtest, walk-forward and live paper trading all drive this same object, bar by bar, so a
strategy behaves the same in each. The order of work for a bar is fixed:
0. the splits and dividends whose ex-date the bar opens are booked on the ledger (raw prices);
1. resting orders are matched against the bar (they were all submitted before it opened);
2. positions held too long are closed (an exit order for the next bar);
3. the bar's signals are routed and their orders submitted, to fill on a later bar
   (or at this bar's close when that is explicitly asked for).

A bar outside the trading session (``session = regular``: an intraday US equity bar that does
not overlap 09:30-16:00 New York, see ``paperdesk.data.sessions``) skips steps 1 and 2 (resting
orders wait for the next bar in the session) and its signals are rejected with the reason.

A person's orders come in as commands (``submit_order``, ``cancel_order``, ``modify_order``,
``close_position``) and pass the same pre-trade risk chain as a strategy's entries. Every state
change comes back as an event (order accepted, rejected, filled, canceled, expired, modified;
position opened, changed, closed; signal accepted or rejected), which is what the store writes.

The kernel owns the order book and the ledger; the execution venue decides what trades. The
venue's matching is a series of steps the kernel drives (``paperdesk.execution.venue``): it
answers each ``SizeEntry`` with the entry's quantity at the fill price and books each
``OrderFilled`` in the ledger before the venue goes on, so nothing below calls back into it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from paperdesk.config import FillTiming
from paperdesk.data.sessions import SessionRule
from paperdesk.domain import (
    ZERO,
    AccountKind,
    Bar,
    CashOverdrawn,
    CorporateActionTerms,
    Direction,
    Event,
    Fill,
    Instrument,
    MarginCalled,
    Order,
    OrderCanceled,
    OrderFilled,
    OrderIntent,
    OrderModified,
    OrderRejected,
    OrderRole,
    OrderStatus,
    OrderType,
    PortfolioView,
    Position,
    Side,
    Signal,
    SignalAccepted,
    SignalRejected,
    StrategyContext,
    TimeInForce,
    UnknownNameError,
)
from paperdesk.domain.field_positions import (
    BAR_CLOSE,
    BAR_OPEN,
    BAR_QUOTE,
    BAR_TS_CLOSE,
    FILL_SIDE,
    FILL_SYMBOL,
    FILL_TS,
    ORDER_ID,
    ORDER_REASON,
    ORDER_ROLE,
    ORDER_STRATEGY,
    POSITION_QUANTITY,
    POSITION_TS_OPENED,
)
from paperdesk.domain.order_fields import exit_reason_of, validate_order_fields
from paperdesk.domain.records import AccountState, EquityView, FillRecord, WorkingOrder
from paperdesk.domain.trusted import trusted_maker
from paperdesk.engine.working_entries import expected_price, working_entries
from paperdesk.execution import (
    ExecutionVenue,
    OrderBook,
    SimulatedVenue,
    SizeEntry,
    VenueStep,
)
from paperdesk.execution.live_order import BookedFill, LiveOrder, live_order
from paperdesk.execution.venue import fill_quantity
from paperdesk.portfolio import LedgerState, PortfolioLedger
from paperdesk.portfolio.margin_calls import (
    MARGIN_CALL,
    margin_call,
    may_have_overdrawn,
    overdraft,
)
from paperdesk.routing import (
    MaxHoldingPeriod,
    OrderRefusedError,
    RoutingDecision,
    SignalRouter,
    check_bracket_sides,
    check_increments,
    check_modified_bracket_sides,
    check_not_short,
)
from paperdesk.routing.router import DECISION_INTENTS, DECISION_NOTES, DECISION_REJECTION
from paperdesk.routing.view_fields import BAR_SYMBOL, SIGNAL_SYMBOL, SIGNAL_TS

_MARKET, _GTC = OrderType.MARKET, TimeInForce.GTC
_AT_CLOSE = FillTiming.CLOSE
_ACCEPTED = OrderStatus.ACCEPTED
_ENTRY, _EXIT = OrderRole.ENTRY, OrderRole.EXIT
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BUY, _SELL = Side.BUY, Side.SELL
_NEW_YORK = ZoneInfo("America/New_York")  # the trade date of the US equities actions apply to
_NOTHING_FITS = "nothing fits at fill"  # the venue's cancel reason for an entry cut to nothing
_intent = trusted_maker(OrderIntent)  # every field of an OrderIntent, in order
_signal_accepted = trusted_maker(SignalAccepted)  # (ts_event, signal, notes)


class TradingKernel:
    """Wires router, order book, execution venue and ledger for a set of instruments.

    The engine's backtest driver reads ``ledger``, ``orders`` (the order book) and ``venue``
    directly on its hot path; everything above the engine uses the commands and queries only.
    """

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        router: SignalRouter,
        orders: OrderBook,
        venue: ExecutionVenue,
        ledger: PortfolioLedger,
        *,
        fill_timing: FillTiming = FillTiming.NEXT_OPEN,
        max_holding: MaxHoldingPeriod | None = None,
        session: SessionRule | None = None,
        corporate_actions: Mapping[str, Sequence[CorporateActionTerms]] | None = None,
        mark_at_mid: bool = False,
    ) -> None:
        self.instruments = instruments
        self.router = router
        self.orders = orders
        self.venue = venue
        self.ledger = ledger
        self.fill_timing = fill_timing
        self.max_holding = max_holding
        self.session = session
        self.mark_at_mid = mark_at_mid  # mark=mid: a quoted bar marks at its bid/ask mid
        self.prices: dict[str, Decimal] = {}
        self.rejections: list[SignalRejected] = []
        self.entry_bar: dict[str, int] = {}
        self.signals_seen = 0
        self._bar_index = 0
        self._position_events: list[tuple[OrderFilled, list[Event]]] = []
        self.corporate_actions = {
            symbol: tuple(sorted(actions, key=lambda action: action.ex_date))
            for symbol, actions in (corporate_actions or {}).items()
            if actions
        }
        self.last_trade_date: dict[str, date] = {}  # of the last bar of each symbol processed
        self.margin_calls: list[MarginCalled] = []
        # entries the cash check or a risk rule cut: (when, why), for the backtest's report
        self.adjustments: list[tuple[datetime, str]] = []
        self.overdrafts: list[CashOverdrawn] = []
        # margin and futures accounts are checked against maintenance at every close held
        self._watch_margin = ledger.rules.kind is not AccountKind.CASH
        # the position events of each fill (opened, changed, closed) follow it in the events a
        # bar returns; a backtest reads none of them and turns them off (``quiet_positions``)
        self.position_events = True
        # a signal's acceptance is an event (``quiet_events`` turns it off with the book's)
        self.signal_events = True

    def quiet_positions(self) -> None:
        """Stop building the position events of fills and their ``CashOverdrawn`` (a backtest
        never reads the events a bar returns; fills, trades, cash and positions are booked the
        same either way, and an overdraft is recorded in ``overdrafts`` all the same)."""
        self.position_events = False

    def quiet_events(self) -> None:
        """Stop building the events a backtest never reads: signals accepted, and the book's
        orders accepted, filled and canceled by a command or a bracket (``OrderBook.quiet``).
        What the kernel reads itself stays: the venue's cancels (nothing fits at the fill) and
        the trims at the fill (``adjustments``), the order a fill at the close fills. Live
        trading keeps every event. The position events go too (``quiet_positions``)."""
        self.quiet_positions()
        self.signal_events = False
        self.orders.quiet()

    # ------------------------------------------------------------------------------- bars

    def on_bar(
        self,
        bar: Bar,
        signals: Sequence[Signal] = (),
        bar_index: int = 0,
        day_start_equity: Decimal | None = None,
    ) -> list[Event]:
        """Process one closed bar; return every event it caused."""
        self._bar_index = bar_index
        symbol = bar[BAR_SYMBOL]  # the bar's fields by position: a read by name is a lookup
        quote = bar[BAR_QUOTE] if self.mark_at_mid else None
        events: list[Event] = []
        if self.corporate_actions:  # booked on the first bar of the ex-date, in session or not
            events.extend(self._apply_corporate_actions(bar))
        session = self.session  # ``outside_session`` without its call when there is none
        if session is not None:
            outside = session.outside(bar)
            if outside is not None:
                return [*events, *self._outside_session(bar, signals, outside)]
        # resting orders fill from the open onwards
        prices = self.prices
        prices[symbol] = bar[BAR_OPEN] if quote is None else quote.mid_open
        venue = self.venue
        if type(venue) is SimulatedVenue:  # compiled: a native call, not a method look-up
            self._settle(venue.match(bar, self.orders, events))
        else:  # a venue of its own (the ExecutionVenue protocol)
            self._settle(venue.match(bar, self.orders, events))
        if events:  # a quiet kernel's bar usually has none
            events = self._with_positions(events)
            self._note_cuts(events)
        prices[symbol] = bar[BAR_CLOSE] if quote is None else quote.mid_close
        if self._watch_margin and self.ledger.positions:
            events.extend(self._margin_call_if_due(bar))
        if self.max_holding is not None:
            events.extend(self._close_if_held_too_long(bar))
        for signal in signals:
            events.extend(self._route(signal, bar, day_start_equity))
        return events

    def outside_session(self, bar: Bar) -> str | None:
        """Why ``bar`` is outside the session the run trades in (None: it is inside)."""
        session = self.session
        return None if session is None else session.outside(bar)

    def _outside_session(self, bar: Bar, signals: Sequence[Signal], reason: str) -> list[Event]:
        """A bar outside the session: nothing fills, its signals are rejected with ``reason``,
        and positions keep the mark of the last bar inside it (Lean marks at the last
        regular-session trade); only a symbol seen nowhere else takes this bar's."""
        self.prices.setdefault(bar.symbol, self.mark_price(bar))
        self.signals_seen += len(signals)
        return [self._reject(signal, reason) for signal in signals]

    def _apply_corporate_actions(self, bar: Bar) -> list[Event]:
        """Book the splits and dividends whose ex-date falls after the symbol's previous bar and
        on or before this one, before this bar's fills and marks. Keyed by the bars processed,
        so an action applies once: a bar processed again is refused before it gets here, and a
        restored kernel knows the last bar it processed (``restore``)."""
        symbol = bar.symbol
        today = trade_date(bar.ts_close)
        previous = self.last_trade_date.get(symbol)
        if previous is not None and today <= previous:
            return []
        self.last_trade_date[symbol] = today
        if previous is None:
            return []  # nothing was held through an ex-date before the first bar
        events: list[Event] = []
        for action in self.corporate_actions.get(symbol, ()):
            if not previous < action.ex_date <= today:
                continue
            if action.kind == "split" and self.orders.has_open_orders(symbol):
                reason = (
                    f"canceled by the {action.description} (ex-date {action.ex_date}): "
                    "its prices and quantity were on the old terms"
                )
                events.extend(self.orders.cancel_all(symbol, bar.ts_open, reason))
            applied = self.ledger.apply_corporate_action(action, bar.ts_open)
            if applied is None:
                continue
            events.append(applied)
            if applied.position.quantity == 0:
                self.entry_bar.pop(symbol, None)
            if action.kind == "split" and symbol in self.prices:
                self.prices[symbol] = applied.action.price_after_split
        return events

    def route_late(
        self,
        bar: Bar,
        signals: Sequence[Signal],
        bar_index: int,
        day_start_equity: Decimal | None = None,
    ) -> list[Event]:
        """Route signals of a bar whose resting orders were already matched (a second strategy
        ticking the same bar in live trading): steps 1 and 2 of ``on_bar`` are not repeated."""
        self._bar_index = bar_index
        outside = self.outside_session(bar)
        if outside is not None:
            return self._outside_session(bar, signals, outside)
        self.prices[bar.symbol] = self.mark_price(bar)
        events: list[Event] = []
        for signal in signals:
            events.extend(self._route(signal, bar, day_start_equity))
        return events

    def mark_price(self, bar: Bar) -> Decimal:
        """The price ``bar`` marks positions at: its close, or with mark=mid its quote's mid
        at the close when it has a quote."""
        quote = bar.quote
        if quote is None or not self.mark_at_mid:
            return bar.close
        return quote.mid_close

    def view(self, bar: Bar, day_start_equity: Decimal | None = None) -> PortfolioView:
        return self._working_view(bar.ts_close, self.prices, day_start_equity)

    def _working_view(
        self,
        ts: datetime,
        prices: Mapping[str, Decimal],
        day_start_equity: Decimal | None = None,
        replacing: str | None = None,
    ) -> PortfolioView:
        """The ledger's view with the entry orders still working, which the filters and the
        risk rules count (an entry routed on the same bar as another symbol's may not take
        the room the other has asked for); ``replacing``: the id of an order being modified,
        which its new values replace."""
        working = self.orders.working_entry_orders()
        if replacing is not None:
            working = [order for order in working if order.order_id != replacing]
        if not working:
            return self.ledger.view(ts, prices, day_start_equity=day_start_equity)
        return self.ledger.view(
            ts,
            prices,
            day_start_equity=day_start_equity,
            working_entry_symbols=frozenset(order.symbol for order in working),
            working_entries=working_entries(working, prices, self.instruments),
        )

    # --------------------------------------------------------------------------- commands

    def check_order(
        self,
        intent: OrderIntent,
        *,
        price: Decimal,
        client_order_id: str | None = None,
        ts: datetime | None = None,
        day_start_equity: Decimal | None = None,
    ) -> OrderIntent:
        """The pre-trade checks of a person's order (``price``: the last price, for the risk
        rules): whole lots and ticks, an unused client order id, no short sale in a long-only
        book, and an entry's risk chain. Returns the intent with its role (an exit when it
        reduces the position, else an entry); raises ``OrderRefusedError`` with the reason.
        ``day_start_equity``: the equity the daily loss limit measures from, computed by the
        caller as a tick's is (an input, not a time: the checks still read no clock)."""
        instrument = self._instrument(intent.symbol)
        check_increments(
            instrument,
            intent.quantity,
            limit=intent.limit_price,
            stop=intent.stop_price,
            stop_loss=intent.stop_loss,
            take_profit=intent.take_profit,
        )
        check_bracket_sides(intent, price)
        if client_order_id is not None and self.orders.client_order_id_in_use(client_order_id):
            raise OrderRefusedError(
                f"client order id {client_order_id!r} is already used", "duplicate_client_order_id"
            )
        held = self.ledger.position(intent.symbol).quantity
        intent = intent._replace(role=_role(intent.side, intent.quantity, held))
        self._check(intent, held, price, ts or _EPOCH, day_start_equity)
        return intent

    def submit_order(
        self,
        intent: OrderIntent,
        ts: datetime,
        *,
        price: Decimal,
        client_order_id: str | None = None,
    ) -> list[Event]:
        """Place a person's order at ``ts`` after the pre-trade checks (``check_order``);
        nothing changes when a check fails."""
        intent = self.check_order(intent, price=price, client_order_id=client_order_id, ts=ts)
        return self.submit_checked(intent, ts, client_order_id=client_order_id)

    def submit_checked(
        self, intent: OrderIntent, ts: datetime, *, client_order_id: str | None = None
    ) -> list[Event]:
        """Place at ``ts`` an intent ``check_order`` returned on this kernel, with nothing
        changed since: the order desk checks an order before it reads the portfolio's clock
        (a refusal comes before "the replay has not started"), and checking it again at the
        clock's time would repeat the whole risk chain for the same answer (no rule reads the
        view's time; the checks read the book, the ledger and the prices, which the clock's
        read does not change)."""
        events = self.orders.submit(intent, ts, client_order_id)
        rejected = [e for e in events if isinstance(e, OrderRejected)]
        if rejected:
            raise OrderRefusedError(f"order rejected: {rejected[0].reason}", "rejected")
        return events

    def cancel_order(
        self, order_id: str, ts: datetime, reason: str = "canceled by user"
    ) -> list[Event]:
        """Cancel an open order (and its pending bracket legs)."""
        return self.orders.cancel(order_id, ts, reason)

    def modify_order(
        self,
        order_id: str,
        ts: datetime,
        *,
        price: Decimal,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
        day_start_equity: Decimal | None = None,
    ) -> list[Event]:
        """Change a working order; the result passes the checks a new order would (with
        ``day_start_equity``, the daily loss limit's too, as ``check_order``'s). A finished
        order is named as such before any check of the new values (a quantity below what a
        filled order filled is no reason to give)."""
        order = self.orders.require_open(order_id)
        instrument = self._instrument(order.symbol)
        check_increments(instrument, quantity, limit=limit_price, stop=stop_price)
        if order.children and (limit_price is not None or stop_price is not None):
            moved = order._replace(
                limit_price=order.limit_price if limit_price is None else limit_price,
                stop_price=order.stop_price if stop_price is None else stop_price,
            )
            legs = [self.orders.get(leg_id) for leg_id in order.children]
            check_modified_bracket_sides(moved, legs, price)
        if quantity is not None:
            self.orders.check_quantity_changeable(order)
            remaining = quantity - order.filled_quantity
            held = self.ledger.position(order.symbol).quantity
            if order.side is _SELL and not self.router.allow_short:
                check_not_short(
                    order.symbol, remaining, held, self.orders.open_orders(order.symbol),
                    replacing=order,
                )  # fmt: skip
            if order.side is _BUY and order.role is _ENTRY:
                changed = OrderIntent(
                    order.symbol,
                    _BUY,
                    remaining,
                    order.order_type,
                    limit_price if limit_price is not None else order.limit_price,
                    stop_price if stop_price is not None else order.stop_price,
                    role=_ENTRY,
                )
                reference = expected_price(
                    changed.order_type, price, changed.limit_price, changed.stop_price
                )
                view = self._view_at(
                    ts, order.symbol, reference, order_id, day_start_equity=day_start_equity
                )
                self.router.check_order(changed, view, instrument, reference)
        return self.orders.modify(
            order_id, ts, quantity=quantity, limit_price=limit_price, stop_price=stop_price
        )

    def instrument(self, symbol: str) -> Instrument:
        """The instrument the portfolio trades ``symbol`` as (its lots, ticks and pips)."""
        return self._instrument(symbol)

    def cancel_working(self, symbol: str, ts: datetime, reason: str) -> list[Event]:
        """Cancel every working order of ``symbol`` (before an exit a person sends: the old
        exits and bracket legs must not sell the position a second time)."""
        return self.orders.cancel_all(symbol, ts, reason)

    def decide(
        self,
        signal: Signal,
        ts: datetime,
        price: Decimal,
        day_start_equity: Decimal | None = None,
    ) -> RoutingDecision:
        """The router's decision on a signal a person executes (one click) at the last price
        ``price``: the filters, the sizing and the risk chain a strategy's signal passes
        (``day_start_equity``: the daily loss limit's, as at a tick). Nothing is submitted;
        the caller submits the intents (``submit_order``)."""
        instrument = self._instrument(signal.symbol)
        view = self._view_at(ts, signal.symbol, price, day_start_equity=day_start_equity)
        return self.router.route(signal, view, instrument, price, self._bar_index)

    def close_position(
        self, symbol: str, ts: datetime, reason: str, quantity: Decimal | None = None
    ) -> list[Event]:
        """Cancel the symbol's working orders (its exit legs were sized for the whole position)
        and send a market order that flattens it, or reduces it by ``quantity`` (whole lots,
        at most the position)."""
        position = self.ledger.positions.get(symbol)
        if position is None:
            raise OrderRefusedError(f"the portfolio holds no {symbol} position", "no_position")
        held = abs(position.quantity)
        if quantity is not None:
            check_increments(self._instrument(symbol), quantity)
            if quantity > held:
                raise OrderRefusedError(
                    f"quantity {quantity} is more than the {held} {symbol} the portfolio holds",
                    "quantity_exceeds_position",
                )
        events = self.orders.cancel_all(symbol, ts, reason)
        side = _SELL if position.quantity > 0 else _BUY
        intent = OrderIntent(
            symbol, side, held if quantity is None else quantity, role=_EXIT, strategy="manual",
            reason=reason,
        )  # fmt: skip
        events.extend(self.orders.submit(intent, ts))
        return events

    def standing_close(
        self, symbol: str, reason: str, quantity: Decimal | None = None
    ) -> Order | None:
        """The close order an earlier ``close_position(symbol, ..., reason, quantity)`` placed,
        when it still stands alone for the position: the symbol's one open order, a market exit
        on the closing side, for the same kind of close (``reason``) and the same quantity (the
        whole remaining position, or ``quantity``). None otherwise. A retried close answers it
        instead of canceling it and placing a new one."""
        position = self.ledger.positions.get(symbol)
        standing = self.orders.open_orders(symbol)
        if position is None or len(standing) != 1:
            return None
        order = standing[0]
        if quantity is None:
            same_size = order.quantity - order.filled_quantity == abs(position.quantity)
        else:
            same_size = order.quantity == quantity
        closing = _SELL if position.quantity > 0 else _BUY
        same_kind = (order.order_type, order.role, order.side, order.strategy, order.reason) == (
            _MARKET, _EXIT, closing, "manual", reason
        )  # fmt: skip
        return order if same_size and same_kind else None

    # ----------------------------------------------------------------------- restoring

    def restore(
        self,
        orders: Iterable[WorkingOrder],
        sequence: int,
        prices: Mapping[str, Decimal],
    ) -> None:
        """Load a stored book and the last known prices into a kernel built from a stored
        ledger (see ``paperdesk.engine.wiring.build_kernel``)."""
        self.orders.restore(((o.order, o.ts_eligible) for o in orders), sequence)
        self.prices.update(prices)

    def restore_last_bars(self, bar_closes: Mapping[str, datetime]) -> None:
        """The close of the last bar processed of each symbol: a split or dividend applies at
        the first bar after it whose trade date is on or after the ex-date, and never again."""
        for symbol, ts_close in bar_closes.items():
            self.last_trade_date[symbol] = trade_date(ts_close)

    def settle_orders_as_stored(self, order_ids: Iterable[str]) -> bool:
        """After commands that changed only the orders ``order_ids`` (placed, canceled,
        modified), make the book what a restore of the stored rows loads
        (``OrderBook.settle_as_stored``); False, with nothing changed, when only a whole
        restore of the book gives it."""
        return self.orders.settle_as_stored(order_ids)

    def replay_fills(self, fills: Iterable[FillRecord]) -> int:
        """Book stored fills again (those after the ledger's checkpoint); returns how many."""
        count = 0
        for record in fills:
            self.ledger.apply_fill(record.fill, strategy=record.strategy, reason=record.reason)
            count += 1
        return count

    def restore_bar_counts(
        self, symbol: str, opened_at_bar: int | None, last_accepted_at_bar: int | None
    ) -> None:
        """Where the symbol's position opened and its last accepted signal came, as bar indexes
        of the history the caller feeds (max holding period and cooldown count from them)."""
        if opened_at_bar is not None:
            self.entry_bar[symbol] = opened_at_bar
        if last_accepted_at_bar is not None:
            self.router.restore_accepted(symbol, last_accepted_at_bar)

    # ---------------------------------------------------------------------------- queries

    def account(self) -> AccountState:
        ledger = self.ledger
        return AccountState(ledger.cash, ledger.fees, ledger.realized_pnl, self.orders.sequence)

    def ledger_state(self) -> LedgerState:
        return self.ledger.state()

    def position(self, symbol: str) -> Position:
        return self.ledger.position(symbol)

    def positions(self) -> dict[str, Position]:
        return dict(self.ledger.positions)

    def order(self, order_id: str) -> Order:
        return self.orders.get(order_id)

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        return self.orders.open_orders(symbol)

    def working_orders(self) -> list[WorkingOrder]:
        """The open orders and their bracket relatives with the first bar open each may trade
        at: the book ``restore`` loads (``OrderBook.working``)."""
        return [WorkingOrder(order, eligible) for order, eligible in self.orders.working()]

    def last_price(self, symbol: str) -> Decimal | None:
        return self.prices.get(symbol)

    def mark_between_bars(self, prices: Mapping[str, Decimal]) -> None:
        """Mark positions at prices seen since the last bar closed (a live feed's last trade),
        for an equity snapshot between bars; the next bar's close replaces them."""
        self.prices.update(prices)

    def committed(self, ts: datetime) -> Decimal:
        """What the portfolio commits at ``ts`` as the exposure cap counts it: the positions'
        gross notional at their marks plus the entries still working, each valued at the
        price the risk rules check it at (``expected_price``: the limit, the higher of the
        last price and the stop, else the last price)."""
        view = self._working_view(ts, self.prices)
        return view.gross_exposure() + view.working_notional()

    def marks(self) -> dict[str, Decimal]:
        """The price each position is marked at: its symbol's last close, else its average."""
        prices = self.prices
        return {s: prices.get(s, p.average_price) for s, p in self.ledger.positions.items()}

    def equity_point(self, ts: datetime) -> EquityView:
        """Cash, positions at their marks, equity, realized and unrealized P&L and fees."""
        ledger, marks = self.ledger, self.marks()
        cash = ledger.free_cash(marks)
        value = ledger.position_value(marks)
        return EquityView(
            ts,
            cash,
            value,
            cash + value,
            ledger.realized_pnl,
            ledger.unrealized_pnl(marks),
            ledger.fees,
        )

    # ----------------------------------------------------------------- per-bar strategies

    def strategy_context(
        self, strategy: str, bar: Bar, bar_index: int, state: Mapping[str, Any]
    ) -> StrategyContext:
        """What a per-bar strategy may see of the portfolio at ``bar``'s close (read-only)."""
        symbol = bar.symbol
        position = self.ledger.position(symbol)
        held = position.quantity
        opened = self.entry_bar.get(symbol)
        return StrategyContext(
            strategy=strategy,
            symbol=symbol,
            ts=bar.ts_close,
            bar_index=bar_index,
            cash=self.ledger.free_cash(self.prices),
            equity=self.ledger.equity(self.prices),
            position=held,
            average_price=position.average_price if held else None,
            unrealized_pnl=position.unrealized_pnl(bar.close) if held else ZERO,
            open_orders=tuple(self.orders.open_orders(symbol)),
            bars_since_entry=bar_index - opened if held and opened is not None else None,
            state=state,
        )

    def submit_strategy_order(self, intent: OrderIntent, bar: Bar) -> list[Event]:
        """An order a per-bar strategy asked for at ``bar``'s close: the pre-trade checks a
        person's order passes; a refusal comes back as the strategy's rejected wish."""
        try:
            return self.submit_order(intent, bar.ts_close, price=bar.close)
        except OrderRefusedError as refusal:
            direction = Direction.LONG if intent.side is _BUY else Direction.SHORT
            wish = Signal(
                intent.strategy, intent.symbol, direction, bar.ts_close, reason=intent.reason
            )
            rejected = SignalRejected(bar.ts_close, wish, str(refusal))
            self.rejections.append(rejected)
            return [rejected]

    # ---------------------------------------------------------------------------- helpers

    def _instrument(self, symbol: str) -> Instrument:
        instrument = self.instruments.get(symbol)
        if instrument is None:
            raise UnknownNameError(f"{symbol} is not an instrument of this portfolio")
        return instrument

    def _check(
        self,
        intent: OrderIntent,
        held: Decimal,
        price: Decimal,
        ts: datetime,
        day_start_equity: Decimal | None = None,
    ) -> None:
        symbol = intent.symbol
        if intent.side is _SELL and not self.router.allow_short:
            check_not_short(symbol, intent.quantity, held, self.orders.open_orders(symbol))
        if intent.role is _ENTRY:
            reference = expected_price(
                intent.order_type, price, intent.limit_price, intent.stop_price
            )
            view = self._view_at(ts, symbol, reference, day_start_equity=day_start_equity)
            self.router.check_order(intent, view, self.instruments[symbol], reference)

    def _view_at(
        self,
        ts: datetime,
        symbol: str,
        price: Decimal,
        replacing: str | None = None,
        day_start_equity: Decimal | None = None,
    ) -> PortfolioView:
        prices = dict(self.prices)
        prices.setdefault(symbol, price)
        return self._working_view(ts, prices, day_start_equity, replacing=replacing)

    def _route(self, signal: Signal, bar: Bar, day_start_equity: Decimal | None) -> list[Event]:
        self.signals_seen += 1
        instrument = self.instruments[signal[SIGNAL_SYMBOL]]
        view = self._working_view(bar[BAR_TS_CLOSE], self.prices, day_start_equity)  # ``view``
        decision = self.router.route(signal, view, instrument, bar[BAR_CLOSE], self._bar_index)
        rejection = decision[DECISION_REJECTION]
        if rejection is not None:
            return [self._reject(signal, rejection)]
        notes = decision[DECISION_NOTES]
        if notes:
            self.adjustments.append((signal[SIGNAL_TS], "; ".join(notes)))
        events: list[Event] = (
            [_signal_accepted((signal[SIGNAL_TS], signal, notes))] if self.signal_events else []
        )
        for intent in decision[DECISION_INTENTS]:
            events.extend(self._submit(intent, bar))
        return events

    def _reject(self, signal: Signal, reason: str) -> SignalRejected:
        rejected = SignalRejected(signal.ts, signal, reason)
        self.rejections.append(rejected)
        return rejected

    def _submit(self, intent: OrderIntent, bar: Bar) -> list[Event]:
        events: list[Event] = []
        # fields by position (compiled: an item read each, not an attribute lookup): the
        # intent's role (7), symbol (0) and order type (3), the bar's close time
        ts_close = bar[BAR_TS_CLOSE]
        if intent[7] is _EXIT:
            # The newest decision replaces every working order of the symbol: an older exit
            # (two exits would oversell the position into a short), the bracket legs (they must
            # not fire on a flat book) and an entry still filling under a volume cap.
            events.extend(self.orders.cancel_all(intent[0], ts_close, "replaced by a new exit"))
        orders = self.orders
        events.extend(orders.submit(intent, ts_close))
        if self.fill_timing is _AT_CLOSE and intent[3] is _MARKET:
            order = orders.last_record  # the order this intent made (its legs follow it)
            if order is not None and order.status is _ACCEPTED:
                filled: list[Event] = []
                self._settle(self.venue.fill_at_close(order.order_id, bar, orders, filled))
                filled = self._with_positions(filled)
                self._note_cuts(filled)
                events.extend(filled)
        return events

    def _note_cuts(self, events: list[Event]) -> None:
        """Remember the entries the fill-time checks trimmed or canceled, with the reason."""
        for event in events:
            if (isinstance(event, OrderModified) and event.reason) or (
                isinstance(event, OrderCanceled) and event.reason.startswith(_NOTHING_FITS)
            ):
                self.adjustments.append((event.ts_event, event.reason))

    def _close_if_held_too_long(self, bar: Bar) -> list[Event]:
        assert self.max_holding is not None
        symbol = bar.symbol
        opened = self.entry_bar.get(symbol)
        if opened is None or not self.max_holding.is_due(self._bar_index - opened):
            return []
        if any(o.role is _EXIT for o in self.orders.open_orders(symbol)):
            return []
        position = self.ledger.position(symbol)
        held = self._bar_index - opened
        intent = OrderIntent(
            symbol,
            _SELL if position.quantity > 0 else _BUY,
            abs(position.quantity),
            role=_EXIT,
            reason=f"max holding period: held {held} bars",
        )
        return self._submit(intent, bar)

    def _settle(self, steps: Iterable[VenueStep]) -> None:
        """Drive a venue's matching: size each entry it asks about, book each fill it reports."""
        for step in steps:
            if isinstance(step, SizeEntry):
                step.quantity, step.reason = self._size_entry(step.order, step.price)
            else:
                self._book_fill(step)

    def _book_fill(self, step: OrderFilled | BookedFill) -> None:
        """Book a fill in the ledger as it happens (the venue waits for this before it matches
        the next order of the bar, so an entry is sized with the cash an exit freed)."""
        if isinstance(step, BookedFill):  # a quiet book's: its record, no event built
            record, fill = step.order, step.fill
            order_id, role, why, strategy = (
                record.order_id,
                record.role,
                record.reason,
                record.strategy,
            )
        else:
            order, fill = step.order, step.fill
            order_id, role, why, strategy = (
                order[ORDER_ID],
                order[ORDER_ROLE],
                order[ORDER_REASON],
                order[ORDER_STRATEGY],
            )
        symbol, ledger = fill[FILL_SYMBOL], self.ledger
        positions = ledger.positions
        cash_before = ledger.cash
        held = positions.get(symbol)  # absent when flat
        # the exit reason is read only when the fill reduces the position (it may close the
        # round trip): not worked out for the others
        if held is None or (held[POSITION_QUANTITY] > ZERO) == (fill[FILL_SIDE] is _BUY):
            reason = ""
        else:
            reason = exit_reason_of(role, why)
        if self.position_events:
            changes: list[Event] = list(ledger.book(fill, strategy=strategy, reason=reason))
            overdraft = self._overdraft(fill, order_id, role, cash_before)
            if overdraft is not None:
                changes.append(overdraft)
            event = step if isinstance(step, OrderFilled) else step.event()
            self._position_events.append((event, changes))
        else:
            ledger.apply_fill(fill, strategy=strategy, reason=reason)
            if may_have_overdrawn(ledger, cash_before):  # ``overdraft``'s own first test
                # recorded in ``overdrafts`` all the same
                self._overdraft(fill, order_id, role, cash_before)
        position = positions.get(symbol)  # absent when flat
        entry_bar = self.entry_bar
        if position is None:
            entry_bar.pop(symbol, None)
        elif symbol not in entry_bar or position[POSITION_TS_OPENED] == fill[FILL_TS]:
            entry_bar[symbol] = self._bar_index  # opened (or reversed) by this fill

    def _with_positions(self, events: list[Event]) -> list[Event]:
        """``events`` with each fill's position events right after it."""
        pending = self._position_events
        if not pending:
            return events
        merged: list[Event] = []
        index = 0
        for event in events:
            merged.append(event)
            if index < len(pending) and event is pending[index][0]:
                merged.extend(pending[index][1])
                index += 1
        pending.clear()
        return merged

    def _overdraft(
        self, fill: Fill, order_id: str, role: OrderRole, cash_before: Decimal
    ) -> CashOverdrawn | None:
        """The fee floor: a fill leaving cash below zero is recorded with its reason."""
        recorded = overdraft(self.ledger, fill, order_id, role, cash_before, self.prices)
        if recorded is not None:
            self.overdrafts.append(recorded)
        return recorded

    def _margin_call_if_due(self, bar: Bar) -> list[Event]:
        """At a close, equity below the maintenance requirement liquidates positions by the
        margin-call rule (``paperdesk.portfolio.margin_calls``), reported as an event."""
        called = margin_call(self.ledger, self.prices, bar.ts_close, self._being_liquidated)
        if called is None:
            return []
        event, exits = called
        self.margin_calls.append(event)
        events: list[Event] = [event]
        for intent in exits:
            events.extend(self._submit(intent, bar))
        return events

    def _being_liquidated(self, symbol: str) -> bool:
        """A margin call's exit for ``symbol`` is still working (in the book, so a restored
        paper portfolio knows it too)."""
        return any(
            order.role is _EXIT and order.strategy == MARGIN_CALL
            for order in self.orders.open_orders(symbol)
        )

    def _size_entry(self, entry: Order | LiveOrder, price: Decimal) -> tuple[Decimal, str]:
        """An entry's quantity at its fill price: an all-in order is sized from the equity
        available at that moment; any entry is checked by the risk rules again (the reason
        says what a rule cut). ``entry``: the book's record (a venue of its own may ask about
        an ``Order``)."""
        order = entry if isinstance(entry, LiveOrder) else live_order(entry)
        symbol = order.symbol
        instrument = self.instruments[symbol]
        prices = dict(self.prices)
        prices[symbol] = price
        view = self.ledger.view(order.ts_submitted, prices)
        router = self.router
        quantity, fraction = order.quantity, order.size_fraction
        # ``SignalRouter.sized_at_fill`` on the order's fields, the intent built once at the
        # size the fill allows (its fields were validated as an intent already; a new
        # quantity is checked as ``intent_with_quantity`` checks it)
        sized = router.quantity_at_fill(fraction, quantity, view, instrument, price)
        if sized <= ZERO:
            return fill_quantity(fraction, quantity, ZERO, instrument), ""
        if sized is not quantity:
            validate_order_fields(symbol, sized, _MARKET, None, None, fraction is not None)
        intent = _intent(
            (
                symbol,
                order.side,
                sized,
                _MARKET,
                None,
                None,
                _GTC,
                order.role,
                None,
                None,
                fraction,
                order.strategy,
                "",
            )
        )
        checked, reason = router.checked_at_fill(intent, view, instrument, price)
        return fill_quantity(fraction, quantity, checked, instrument), reason


def trade_date(ts_close: datetime) -> date:
    """The New York trade date of a bar closing at ``ts_close``."""
    return ts_close.astimezone(_NEW_YORK).date()


def _role(side: Side, quantity: Decimal, held: Decimal) -> OrderRole:
    """A person's order reduces a position (an exit) or opens or adds to one (an entry)."""
    reducing = (held > 0 and side is _SELL) or (held < 0 and side is _BUY)
    return _EXIT if reducing and quantity <= abs(held) else _ENTRY
