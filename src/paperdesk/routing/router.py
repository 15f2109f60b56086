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
    Position,
    Side,
    Signal,
    TimeInForce,
)
from paperdesk.domain.field_positions import POSITION_QUANTITY
from paperdesk.domain.money import plain_whole
from paperdesk.domain.order_fields import intent_with_quantity, validate_order_fields
from paperdesk.domain.trusted import trusted_maker
from paperdesk.routing.affordability import (
    FeeEstimator,
    charges_nothing,
    estimated_fee,
    max_affordable_quantity,
)
from paperdesk.routing.filters import FilterRule
from paperdesk.routing.outcomes import Adjusted, Rejection, RiskOutcome
from paperdesk.routing.pretrade import check_risk
from paperdesk.routing.risk import CashAndBuyingPower, RiskRule
from paperdesk.routing.signal_memory import signal_memories
from paperdesk.routing.sizers import Sizer
from paperdesk.routing.view_fields import (
    INTENT_QUANTITY,
    INTENT_SIZE_FRACTION,
    SIGNAL_DIRECTION,
    SIGNAL_ENTRY,
    SIGNAL_REASON,
    SIGNAL_STOP,
    SIGNAL_STRATEGY,
    SIGNAL_SYMBOL,
    SIGNAL_TARGET,
    VIEW_CASH,
    VIEW_DAY_START_EQUITY,
    VIEW_EQUITY,
    VIEW_POSITIONS,
    VIEW_PRICES,
    VIEW_TS,
    VIEW_WORKING_ENTRIES,
    VIEW_WORKING_SYMBOLS,
)
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
# its fields by position, for the compiled kernel (a NamedTuple's read by name is a lookup)
DECISION_INTENTS: Final = 1
DECISION_REJECTION: Final = 2
DECISION_NOTES: Final = 3
if RoutingDecision._fields[1:4] != ("intents", "rejection", "notes"):  # pragma: no cover
    raise RuntimeError("RoutingDecision's field layout changed: update its positions")


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
        "_free",
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
        self._free = charges_nothing(fee_estimator)  # its fee not asked: ZERO
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
        if memories and decision[DECISION_REJECTION] is None:
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
        quantity = intent[INTENT_QUANTITY]
        fraction = intent[INTENT_SIZE_FRACTION]
        sized = self.quantity_at_fill(fraction, quantity, view, instrument, price)
        if sized <= ZERO:
            return ZERO, ""
        resized = intent if sized is quantity else intent_with_quantity(intent, sized)
        return self.checked_at_fill(resized, view, instrument, price)

    def quantity_at_fill(
        self,
        fraction: Decimal | None,
        quantity: Decimal,
        view: PortfolioView,
        instrument: Instrument,
        price: Decimal,
    ) -> Decimal:
        """``sized_at_fill``'s first step: an all-in entry's (``fraction``) largest affordable
        quantity at ``price``, else the entry's own ``quantity`` (the same object)."""
        if fraction is None:
            return quantity
        return max_affordable_quantity(
            view[VIEW_EQUITY] * fraction, price, instrument, self._fee_estimator, self._free
        )

    def checked_at_fill(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> tuple[Decimal, str]:
        """``sized_at_fill``'s second step: the risk rules' quantity for ``intent`` (sized
        already, above zero) at ``price`` and the reason a rule gave (else "")."""
        outcome = self._risk.check(intent, view, instrument, price)
        if isinstance(outcome, Rejection):
            return ZERO, outcome.reason
        if isinstance(outcome, Adjusted):
            return outcome.intent[INTENT_QUANTITY], "; ".join(outcome.notes)
        return outcome[INTENT_QUANTITY], ""

    def _translate(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RoutingDecision:
        symbol = signal[SIGNAL_SYMBOL]
        positions = view[VIEW_POSITIONS]  # a Mapping: ``in`` and ``[]``, not a call of ``get``
        held = positions[symbol][POSITION_QUANTITY] if symbol in positions else ZERO
        direction = signal[SIGNAL_DIRECTION]
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
        if self._order_type is _LIMIT:
            entry = signal[SIGNAL_ENTRY]
            if entry is not None:
                order_type = _LIMIT
                limit_price = price = entry
        symbol = signal[SIGNAL_SYMBOL]
        fraction = self._size_fraction
        if fraction is not None:
            quantity = max_affordable_quantity(
                view[VIEW_EQUITY] * fraction, price, instrument, self._fee_estimator, self._free
            )
        else:
            sized = self._sizer.size(signal, view, instrument, price)
            if isinstance(sized, Rejection):
                return sized
            if sized <= ZERO:
                return Rejection(
                    size_rounds_to_zero(symbol, price, view[VIEW_EQUITY], instrument.lot_size)
                )
            quantity = sized
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
                signal[SIGNAL_STOP],
                signal[SIGNAL_TARGET],
                fraction,
                signal[SIGNAL_STRATEGY],
                signal[SIGNAL_REASON],
            )
        )
        return self._risk.check(intent, view, instrument, price)

    def _exit(self, signal: Signal, held: Decimal) -> OrderIntent:
        symbol = signal[SIGNAL_SYMBOL]
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
                signal[SIGNAL_STRATEGY],
                signal[SIGNAL_REASON],
            )
        )

    def _after_exit(
        self, view: PortfolioView, instrument: Instrument, held: Decimal, price: Decimal
    ) -> PortfolioView:
        """The view as it would be once the whole ``held`` position closed at ``price``; the
        exit replaces the symbol's working orders, so its working entries are not counted."""
        symbol = instrument.symbol
        fee = estimated_fee(self._fee_estimator, self._free, abs(held), price, instrument)
        prices = view[VIEW_PRICES]
        mark = price
        if symbol in prices:  # ``in`` and ``[]``: compiled, no call of a Mapping's ``get``
            mark = prices[symbol]
        held_positions = view[VIEW_POSITIONS]
        if len(held_positions) == 1 and symbol in held_positions:  # only the one it closes
            positions: dict[str, Position] = {}
        else:
            positions = {
                name: held_position
                for name, held_position in held_positions.items()
                if name != symbol
            }
        symbols, working = view[VIEW_WORKING_SYMBOLS], view[VIEW_WORKING_ENTRIES]
        if working:
            symbols = symbols - {symbol}
            working = tuple(entry for entry in working if entry.symbol != symbol)
        return _view(
            (
                view[VIEW_TS],
                view[VIEW_CASH] + held * price - fee,
                view[VIEW_EQUITY] + held * (price - mark) - fee,
                positions,
                prices,
                view[VIEW_DAY_START_EQUITY],
                symbols,
                working,
            )
        )
