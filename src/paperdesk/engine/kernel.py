"""The trading kernel: one closed bar in, routed signals and simulated fills booked in the ledger.

Backtest, walk-forward and live paper trading all drive this same object, bar by bar, so a
strategy behaves the same in each. The order of work for a bar is fixed:
1. resting orders are matched against the bar (they were all submitted before it opened);
2. positions held too long are closed (an exit order for the next bar);
3. the bar's signals are routed and their orders submitted, to fill on a later bar
   (or at this bar's close when that is explicitly asked for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from paperdesk.domain import (
    Bar,
    Event,
    Instrument,
    Order,
    OrderAccepted,
    OrderFilled,
    OrderIntent,
    OrderRole,
    OrderType,
    PortfolioView,
    Side,
    Signal,
    SignalRejected,
    TimeInForce,
)
from paperdesk.engine.config import FillTiming
from paperdesk.execution import OrderManager
from paperdesk.portfolio import PortfolioLedger
from paperdesk.routing import MaxHoldingPeriod, RoutingDecision, SignalRouter

_BRACKET_ROLES = (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)
_MARKET, _GTC = OrderType.MARKET, TimeInForce.GTC


class TradingKernel:
    """Wires router, order manager and ledger for a set of instruments."""

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        router: SignalRouter,
        orders: OrderManager,
        ledger: PortfolioLedger,
        *,
        fill_timing: FillTiming = FillTiming.NEXT_OPEN,
        max_holding: MaxHoldingPeriod | None = None,
    ) -> None:
        self.instruments = instruments
        self.router = router
        self.orders = orders
        self.ledger = ledger
        self.fill_timing = fill_timing
        self.max_holding = max_holding
        self.prices: dict[str, Decimal] = {}
        self.rejections: list[SignalRejected] = []
        self.entry_bar: dict[str, int] = {}
        self.signals_seen = 0
        self.decisions: list[RoutingDecision] | None = None  # set to a list to keep every one
        self._bar_index = 0
        orders.set_fill_listener(self._book_fill)

    def on_bar(
        self,
        bar: Bar,
        signals: Sequence[Signal] = (),
        bar_index: int = 0,
        day_start_equity: Decimal | None = None,
    ) -> list[Event]:
        """Process one closed bar; return every event it caused."""
        self._bar_index = bar_index
        symbol = bar.symbol
        self.prices[symbol] = bar.open  # resting orders fill from the open onwards
        events = self.orders.on_bar(bar, self._resolve_quantity)
        self.prices[symbol] = bar.close
        if self.max_holding is not None:
            events.extend(self._close_if_held_too_long(bar))
        for signal in signals:
            events.extend(self._route(signal, bar, day_start_equity))
        return events

    def route_late(
        self,
        bar: Bar,
        signals: Sequence[Signal],
        bar_index: int,
        day_start_equity: Decimal | None = None,
    ) -> list[Event]:
        """Route signals of a bar whose resting orders were already matched (a second strategy
        ticking the same candle in live trading): steps 1 and 2 of ``on_bar`` are not repeated."""
        self._bar_index = bar_index
        self.prices[bar.symbol] = bar.close
        events: list[Event] = []
        for signal in signals:
            events.extend(self._route(signal, bar, day_start_equity))
        return events

    def view(self, bar: Bar, day_start_equity: Decimal | None = None) -> PortfolioView:
        return self.ledger.view(
            bar.ts_close,
            self.prices,
            day_start_equity=day_start_equity,
            working_entry_symbols=self.orders.working_entry_symbols(),
        )

    def _route(self, signal: Signal, bar: Bar, day_start_equity: Decimal | None) -> list[Event]:
        self.signals_seen += 1
        instrument = self.instruments[signal.symbol]
        decision = self.router.route(
            signal, self.view(bar, day_start_equity), instrument, bar.close, self._bar_index
        )
        if self.decisions is not None:
            self.decisions.append(decision)
        if decision.rejection is not None:
            rejected = SignalRejected(signal.ts, signal, decision.rejection)
            self.rejections.append(rejected)
            return [rejected]
        events: list[Event] = []
        for intent in decision.intents:
            events.extend(self._submit(intent, bar))
        return events

    def _submit(self, intent: OrderIntent, bar: Bar) -> list[Event]:
        events: list[Event] = []
        if intent.role is OrderRole.EXIT:
            # The newest decision replaces every working order of the symbol: an older exit
            # (two exits would oversell the position into a short), the bracket legs (they must
            # not fire on a flat book) and an entry still filling under a volume cap.
            events.extend(
                self.orders.cancel_all(intent.symbol, bar.ts_close, "replaced by a new exit")
            )
        submitted = self.orders.submit(intent, bar.ts_close)
        events.extend(submitted)
        if self.fill_timing is FillTiming.CLOSE and intent.order_type is OrderType.MARKET:
            for order in _accepted_orders(submitted):
                if order.parent_id is None:
                    events.extend(
                        self.orders.fill_at_close(order.order_id, bar, self._resolve_quantity)
                    )
        return events

    def _close_if_held_too_long(self, bar: Bar) -> list[Event]:
        assert self.max_holding is not None
        symbol = bar.symbol
        opened = self.entry_bar.get(symbol)
        if opened is None or not self.max_holding.is_due(self._bar_index - opened):
            return []
        if any(o.role is OrderRole.EXIT for o in self.orders.open_orders(symbol)):
            return []
        position = self.ledger.position(symbol)
        held = self._bar_index - opened
        intent = OrderIntent(
            symbol,
            Side.SELL if position.quantity > 0 else Side.BUY,
            abs(position.quantity),
            role=OrderRole.EXIT,
            reason=f"max holding period: held {held} bars",
        )
        return self._submit(intent, bar)

    def _book_fill(self, event: OrderFilled) -> None:
        """Book a fill in the ledger as it happens (the order manager calls this)."""
        order, symbol = event.order, event.fill.symbol
        self.ledger.apply_fill(event.fill, strategy=order.strategy, reason=exit_reason(order))
        position = self.ledger.positions.get(symbol)  # absent when flat
        if position is None:
            self.entry_bar.pop(symbol, None)
        elif symbol not in self.entry_bar or position.ts_opened == event.fill.ts:
            self.entry_bar[symbol] = self._bar_index  # opened (or reversed) by this fill

    def _resolve_quantity(self, order: Order, price: Decimal) -> Decimal:
        """An entry's quantity at its fill price: an all-in order is sized from the equity
        available at that moment; any entry is checked by the risk rules again."""
        instrument = self.instruments[order.symbol]
        prices = dict(self.prices)
        prices[order.symbol] = price
        view = self.ledger.view(order.ts_submitted, prices)
        intent = OrderIntent._make(  # the order's fields were validated as an intent already
            (
                order.symbol,
                order.side,
                order.quantity,
                _MARKET,
                None,
                None,
                _GTC,
                order.role,
                None,
                None,
                order.size_fraction,
                order.strategy,
                "",
            )
        )
        return self.router.size_at_fill(intent, view, instrument, price)


def _accepted_orders(events: list[Event]) -> list[Order]:
    return [e.order for e in events if isinstance(e, OrderAccepted)]


def exit_reason(order: Order) -> str:
    """Why a fill of ``order`` closes a position (the round trip's exit reason)."""
    if order.role in _BRACKET_ROLES:
        return order.role.value.replace("_", "-")
    return order.reason or order.role.value
