"""The signal router: filters, direction translation, sizing and risk, in one short flow."""

from __future__ import annotations

from decimal import Decimal
from typing import Final, NamedTuple

from paperdesk.domain import (
    ZERO,
    Direction,
    Instrument,
    InvalidInputError,
    OrderIntent,
    OrderRole,
    OrderType,
    PortfolioView,
    Side,
    Signal,
    TimeInForce,
)
from paperdesk.domain.money import plain_whole
from paperdesk.domain.order_fields import intent_with_quantity, validate_order_fields
from paperdesk.domain.trusted import trusted_maker
from paperdesk.routing.affordability import FeeEstimator, max_affordable_quantity
from paperdesk.routing.filters import FilterRule, signal_memories
from paperdesk.routing.outcomes import Adjusted, Rejection, RiskOutcome
from paperdesk.routing.pretrade import check_risk
from paperdesk.routing.risk import CashAndBuyingPower, RiskRule
from paperdesk.routing.sizers import Sizer
from paperdesk.routing.wording import amount, money

# Enum member lookups cost a metaclass call each; the hot path reads these module constants.
_LONG: Final = Direction.LONG
_FLAT: Final = Direction.FLAT
_BUY: Final = Side.BUY
_SELL: Final = Side.SELL
_MARKET: Final = OrderType.MARKET
_LIMIT: Final = OrderType.LIMIT
_ENTRY: Final = OrderRole.ENTRY
_EXIT: Final = OrderRole.EXIT
_NO_INTENTS: Final[tuple[OrderIntent, ...]] = ()
_NO_NOTES: Final[tuple[str, ...]] = ()
_view: Final = trusted_maker(PortfolioView)  # every field of a view, in order
_intent: Final = trusted_maker(OrderIntent)  # every field of an intent, in order


class RoutingDecision(NamedTuple):
    """What the router made of one signal: the intents to submit, or why there are none."""

    signal: Signal
    intents: tuple[OrderIntent, ...] = ()
    rejection: str | None = None
    notes: tuple[str, ...] = ()
    code: str = ""  # the refusing rule, for machines (insufficient_cash...), when it names one

    @property
    def accepted(self) -> bool:
        return self.rejection is None


# an accepted decision without RoutingDecision's generated (interpreted) constructor
_decision: Final = trusted_maker(RoutingDecision)  # (signal, intents, rejection, notes, code)


def size_rounds_to_zero(symbol: str, price: Decimal, equity: Decimal, lot_size: Decimal) -> str:
    """The router's reason for an entry its sizer sizes to nothing at ``price`` (the signal's
    close) with the portfolio's ``equity``."""
    return size_rounds_to_zero_words(symbol, amount(price), money(equity), amount(lot_size))


def size_rounds_to_zero_words(symbol: str, price: str, equity: str, lot_size: str) -> str:
    """``size_rounds_to_zero`` of the amounts printed already (the price and the lot size by
    ``amount``, the equity by ``money``)."""
    return f"{symbol} size rounds to zero at price {price} (equity {equity}, lot size {lot_size})"


class SignalRouter:
    """Turns a signal into order intents against the current position.

    ``size_fraction`` set defers entry sizing to the fill (see ``size_at_fill``); entries then
    carry it and their quantity is only the estimate at the signal price.
    """

    __slots__ = (
        "_cash_rule",
        "_fee_estimator",
        "_filters",
        "_memories",
        "_order_type",
        "_risk",
        "_size_fraction",
        "_sizer",
        "_time_in_force",
        "allow_short",
    )

    def __init__(
        self,
        filters: FilterRule,
        sizer: Sizer,
        risk: RiskRule,
        *,
        allow_short: bool = False,
        fee_estimator: FeeEstimator | None = None,
        order_type: OrderType = OrderType.MARKET,
        time_in_force: TimeInForce = TimeInForce.GTC,
        size_fraction: Decimal | None = None,
        cash_rule: RiskRule | bool | None = True,
    ) -> None:
        if order_type not in (OrderType.MARKET, OrderType.LIMIT):
            raise InvalidInputError(
                f"router order type must be market or limit, got {order_type.value}"
            )
        if size_fraction is not None and not ZERO < size_fraction <= 1:
            raise InvalidInputError(
                f"size fraction must be above 0 and at most 1, got {size_fraction}"
            )
        self._filters = filters
        self._sizer = sizer
        self._risk = risk
        self.allow_short = allow_short
        self._fee_estimator = fee_estimator
        self._order_type = order_type
        self._time_in_force = time_in_force
        self._size_fraction = size_fraction
        self._memories = tuple(signal_memories(filters))
        # a person's order passes the cash check first (True: a cash account's, None: off)
        self._cash_rule: RiskRule | None = (
            CashAndBuyingPower(fee_estimator) if cash_rule is True else cash_rule or None
        )

    def route(
        self,
        signal: Signal,
        view: PortfolioView,
        instrument: Instrument,
        price: Decimal,
        bar_index: int = 0,
    ) -> RoutingDecision:
        """Decide what ``signal`` means for the portfolio in ``view`` at ``price``."""
        memories = self._memories
        for memory in memories:
            memory.advance(bar_index)
        reason = self._filters.allow(signal, view)
        if reason is not None:
            return RoutingDecision(signal, _NO_INTENTS, reason)
        decision = self._translate(signal, view, instrument, price)
        if memories and decision.rejection is None:
            for memory in memories:
                memory.remember(signal)
        return decision

    @property
    def remembers(self) -> bool:
        """Whether a filter remembers the signals routed (``route`` then advances it bar by
        bar, so every signal must go through it)."""
        return bool(self._memories)

    def check_order(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> None:
        """Raise ``OrderRefusedError`` when a person's entry fails the same risk chain a
        strategy's entries pass (exits always pass). Cash is checked first, so an order the
        account cannot pay for says so whatever else it breaks."""
        if self._cash_rule is not None:
            check_risk(self._cash_rule, intent, view, instrument, price)
        check_risk(self._risk, intent, view, instrument, price)

    def restore_accepted(self, symbol: str, bar_index: int) -> None:
        """Recall an accepted signal of an earlier session, for the rules that remember them."""
        for memory in self._memories:
            memory.restore(symbol, bar_index)

    def size_at_fill(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal:
        """Final quantity of an entry filling at ``price``; 0 when nothing fits (see
        ``sized_at_fill``)."""
        return self.sized_at_fill(intent, view, instrument, price)[0]

    def sized_at_fill(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> tuple[Decimal, str]:
        """Final quantity of an entry filling at ``price`` (0 when nothing fits) and, when a
        risk rule trimmed or refused it, the rule's reason (else "").

        ``view`` must reflect cash and equity after any exit filled just before. A deferred
        (all-in) entry takes the largest q with q*price + fee(q, price) <= equity * size_fraction;
        any other entry keeps its quantity. Either is then checked by the risk rules again at
        the fill price, so a gap between the signal and the fill can never spend cash the account
        does not have or break the exposure cap.
        """
        fraction = intent.size_fraction
        if fraction is None:
            quantity = intent.quantity
        else:
            quantity = max_affordable_quantity(
                view.equity * fraction, price, instrument, self._fee_estimator
            )
        if quantity <= ZERO:
            return ZERO, ""
        resized = intent if quantity is intent.quantity else intent_with_quantity(intent, quantity)
        outcome = self._risk.check(resized, view, instrument, price)
        if isinstance(outcome, Rejection):
            return ZERO, outcome.reason
        if isinstance(outcome, Adjusted):
            return outcome.intent.quantity, "; ".join(outcome.notes)
        return outcome.quantity, ""

    def _translate(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RoutingDecision:
        symbol = signal.symbol
        position = view.positions.get(symbol)
        held = position.quantity if position is not None else ZERO
        direction = signal.direction
        if direction is _FLAT:
            if not held:
                return RoutingDecision(
                    signal, _NO_INTENTS, f"no open position in {symbol} to close"
                )
            return _decision((signal, (self._exit(signal, held),), None, _NO_NOTES, ""))
        long = direction is _LONG
        exits = _NO_INTENTS
        if held and (held > ZERO) is not long:
            exits = (self._exit(signal, held),)
            if not long and not self.allow_short:
                return _decision((signal, exits, None, _NO_NOTES, ""))
            view = self._after_exit(view, instrument, held, price)
        elif not long and not self.allow_short:
            return RoutingDecision(signal, _NO_INTENTS, "short selling is disabled")
        outcome = self._entry(signal, view, instrument, price, _BUY if long else _SELL)
        if isinstance(outcome, OrderIntent):
            return _decision((signal, (*exits, outcome), None, _NO_NOTES, ""))
        if isinstance(outcome, Adjusted):
            return _decision((signal, (*exits, outcome.intent), None, outcome.notes, ""))
        if exits:
            return RoutingDecision(signal, exits, None, (f"entry rejected: {outcome.reason}",))
        return RoutingDecision(signal, _NO_INTENTS, outcome.reason, code=outcome.code)

    def _entry(
        self,
        signal: Signal,
        view: PortfolioView,
        instrument: Instrument,
        price: Decimal,
        side: Side,
    ) -> RiskOutcome:
        order_type = _MARKET
        limit_price = None
        if self._order_type is _LIMIT and signal.entry is not None:
            order_type = _LIMIT
            limit_price = price = signal.entry
        fraction = self._size_fraction
        if fraction is not None:
            quantity = max_affordable_quantity(
                view.equity * fraction, price, instrument, self._fee_estimator
            )
        else:
            sized = self._sizer.size(signal, view, instrument, price)
            if isinstance(sized, Rejection):
                return sized
            if sized <= ZERO:
                return Rejection(
                    size_rounds_to_zero(signal.symbol, price, view.equity, instrument.lot_size)
                )
            quantity = sized
        symbol = signal.symbol
        # OrderIntent's checks, then the tuple without its interpreted constructor's frame
        validate_order_fields(
            symbol, quantity, order_type, limit_price, None, allow_zero=fraction is not None
        )
        intent = _intent(
            (
                symbol,
                side,
                quantity,
                order_type,
                limit_price,
                None,
                self._time_in_force,
                _ENTRY,
                signal.stop,
                signal.target,
                fraction,
                signal.strategy,
                signal.reason,
            )
        )
        return self._risk.check(intent, view, instrument, price)

    def _exit(self, signal: Signal, held: Decimal) -> OrderIntent:
        symbol = signal.symbol
        quantity = held if plain_whole(held) else abs(held)  # the position's own object when equal
        validate_order_fields(symbol, quantity, _MARKET, None, None)  # OrderIntent's checks
        return _intent(
            (
                symbol,
                _SELL if held > ZERO else _BUY,
                quantity,
                _MARKET,
                None,
                None,
                self._time_in_force,
                _EXIT,
                None,
                None,
                None,
                signal.strategy,
                signal.reason,
            )
        )

    def _after_exit(
        self, view: PortfolioView, instrument: Instrument, held: Decimal, price: Decimal
    ) -> PortfolioView:
        """The view as it would be once the whole ``held`` position closed at ``price``; the
        exit replaces the symbol's working orders, so its working entries are not counted."""
        symbol = instrument.symbol
        estimator = self._fee_estimator
        fee = estimator.fee(abs(held), price, instrument) if estimator is not None else ZERO
        mark = view.prices.get(symbol, price)
        positions = {
            name: held_position for name, held_position in view.positions.items() if name != symbol
        }
        symbols, working = view.working_entry_symbols, view.working_entries
        if working:
            symbols = symbols - {symbol}
            working = tuple(entry for entry in working if entry.symbol != symbol)
        return _view(
            (
                view.ts,
                view.cash + held * price - fee,
                view.equity + held * (price - mark) - fee,
                positions,
                view.prices,
                view.day_start_equity,
                symbols,
                working,
            )
        )
