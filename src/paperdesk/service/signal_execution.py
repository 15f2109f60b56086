"""Execute a signal in one click (seed 001's ``trades/execute``): a stored signal, or a symbol
and a direction, becomes orders sized by the portfolio's own rules.

The plan is the router's decision (the filters, the sizer and the risk chain a strategy's
signal passes) at the symbol's last price: an exit when the position points the other way, an
entry sized by the sizer, a bracket when the signal carries a stop and a target. A quantity in
the request replaces the sizer's (and then passes the same checks a manual order passes). Forex
is reported in lots (``contract_size`` units, 100,000 for a standard lot) with the stop and
target distances in pips, so a dashboard can show what a click will do before it is clicked.

``plan_execution`` decides without writing (the preview); ``submit_plan`` submits the plan's
intents through the kernel's pre-trade checks (the execution). The portfolio service runs both
in its transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from paperdesk.domain import (
    AssetClass,
    Direction,
    Event,
    Instrument,
    OrderIntent,
    OrderRole,
    Signal,
)
from paperdesk.domain.records import SignalView
from paperdesk.routing import OrderRefusedError

if TYPE_CHECKING:
    from paperdesk.engine.kernel import TradingKernel as Kernel

MANUAL_STRATEGY = "manual"
SIGNAL_REFUSED = "signal_refused"  # a filter refused the signal without naming a rule


@dataclass(frozen=True, slots=True)
class SignalOrder:
    """What to execute: a symbol and a direction, with an optional stop, target and quantity
    (the quantity replaces the sizer's); ``signal_id`` names the stored signal it came from."""

    symbol: str
    direction: Direction
    quantity: Decimal | None = None
    stop: Decimal | None = None
    target: Decimal | None = None
    signal_id: int | None = None
    strategy: str = MANUAL_STRATEGY
    reason: str = "signal executed by user"

    @classmethod
    def of_signal(cls, view: SignalView, quantity: Decimal | None = None) -> SignalOrder:
        """The stored signal's symbol, direction, stop and target (a flat signal closes)."""
        return cls(
            view.symbol,
            Direction(view.direction),
            quantity,
            view.stop,
            view.target,
            view.id,
            view.strategy,
            f"signal {view.id} executed by user" + (f": {view.reason}" if view.reason else ""),
        )


@dataclass(frozen=True, slots=True)
class ExecutionPlan:
    """The orders a click sends, at the reference ``price`` (the symbol's last close).

    ``quantity`` is the entry's (or, for a flat signal, the exit's) in units; ``lots`` is it in
    lots for forex; ``stop_pips`` and ``target_pips`` are the bracket's distances from the
    price in pips (forex only). ``sized_by`` is ``sizer`` or ``request``."""

    symbol: str
    asset_class: AssetClass
    direction: Direction
    price: Decimal
    intents: tuple[OrderIntent, ...]
    quantity: Decimal
    sized_by: str
    lots: Decimal | None
    pip_size: Decimal | None
    stop_pips: Decimal | None
    target_pips: Decimal | None
    notes: tuple[str, ...]


def plan_execution(
    kernel: Kernel,
    order: SignalOrder,
    at: datetime,
    price: Decimal,
    day_start_equity: Decimal | None = None,
) -> ExecutionPlan:
    """The router's decision on ``order`` at ``price``; ``OrderRefusedError`` (with the
    rule's code) when it refuses. ``day_start_equity``: what the daily loss limit measures
    from (``live.day_start``), so a click's entry is refused where a strategy's would be."""
    signal = Signal(
        order.strategy,
        order.symbol,
        order.direction,
        at,
        entry=None,
        stop=order.stop,
        target=order.target,
        reason=order.reason,
    )
    decision = kernel.decide(signal, at, price, day_start_equity)
    if decision.rejection is not None:
        raise OrderRefusedError(
            f"the portfolio's rules refuse to {_verb(order.direction)} {order.symbol}: "
            f"{decision.rejection}",
            decision.code or SIGNAL_REFUSED,
        )
    intents = decision.intents
    sized_by = "sizer"
    if order.quantity is not None:
        intents = _with_quantity(intents, order.quantity)
        sized_by = "request"
    instrument = kernel.instrument(order.symbol)
    if order.signal_id is not None:  # a strategy's prices: on the tick, as its own legs were
        intents = tuple(_on_the_tick(intent, instrument) for intent in intents)
    main = _main_intent(intents)
    return ExecutionPlan(
        symbol=order.symbol,
        asset_class=instrument.asset_class,
        direction=order.direction,
        price=price,
        intents=intents,
        quantity=main.quantity,
        sized_by=sized_by,
        lots=_lots(instrument, main.quantity),
        pip_size=instrument.pip_size,
        stop_pips=pip_distance(instrument, price, main.stop_loss),
        target_pips=pip_distance(instrument, price, main.take_profit),
        notes=decision.notes,
    )


def submit_plan(kernel: Kernel, plan: ExecutionPlan, at: datetime) -> list[Event]:
    """Submit the plan's intents through the pre-trade checks a manual order passes (nothing
    is submitted when one fails: the caller's transaction rolls back)."""
    events: list[Event] = []
    for intent in plan.intents:
        if intent.role is OrderRole.EXIT:
            events.extend(kernel.cancel_working(intent.symbol, at, "replaced by a new exit"))
        events.extend(kernel.submit_order(intent, at, price=plan.price))
    return events


def _with_quantity(intents: tuple[OrderIntent, ...], quantity: Decimal) -> tuple[OrderIntent, ...]:
    """The requested quantity on the entry (or, with no entry, the exit): sized now, not at the
    fill (an all-in sizer's deferred fraction is dropped)."""
    main = _main_intent(intents)
    changed = main.with_quantity(quantity)._replace(size_fraction=None)
    return tuple(changed if intent is main else intent for intent in intents)


def _on_the_tick(intent: OrderIntent, instrument: Instrument) -> OrderIntent:
    """``intent`` with its bracket prices rounded to the tick against the trader, as the
    strategy's own bracket legs were placed (a strategy's ATR stop is a float's digits, which
    the pre-trade check refused as off the tick)."""
    from paperdesk.execution.orders_from_intents import levels_on_the_tick

    stop, target = levels_on_the_tick(intent.side, intent.stop_loss, intent.take_profit, instrument)
    return intent._replace(stop_loss=stop, take_profit=target)


def _main_intent(intents: tuple[OrderIntent, ...]) -> OrderIntent:
    entries = [intent for intent in intents if intent.role is OrderRole.ENTRY]
    return entries[-1] if entries else intents[-1]


def _lots(instrument: Instrument, quantity: Decimal) -> Decimal | None:
    if instrument.asset_class is not AssetClass.FOREX:
        return None
    return quantity / instrument.contract_size


def pip_distance(instrument: Instrument, price: Decimal, level: Decimal | None) -> Decimal | None:
    """How many pips ``level`` lies from ``price`` (None off forex or without a level)."""
    if instrument.pip_size is None or level is None:
        return None
    return abs(price - level) / instrument.pip_size


def _verb(direction: Direction) -> str:
    return {Direction.LONG: "go long", Direction.SHORT: "go short"}.get(direction, "close")
