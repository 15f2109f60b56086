"""Risk rules: check, trim or reject an entry order; exits always pass."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final, Protocol

from paperdesk.domain import (
    ZERO,
    AccountKind,
    CashCheck,
    Instrument,
    InvalidInputError,
    OrderIntent,
    OrderRole,
    PortfolioView,
    Side,
)
from paperdesk.domain.order_fields import intent_with_quantity, whole_lots
from paperdesk.routing.affordability import (
    FeeEstimator,
    charges_nothing,
    estimated_fee,
    max_affordable_quantity,
)
from paperdesk.routing.outcomes import Adjusted, Rejection, RiskOutcome
from paperdesk.routing.view_fields import (
    INTENT_QUANTITY,
    INTENT_ROLE,
    INTENT_SIDE,
    VIEW_CASH,
    VIEW_EQUITY,
    VIEW_POSITIONS,
    VIEW_WORKING_ENTRIES,
)
from paperdesk.routing.wording import amount, money, percent

__all__: Final = [
    "Adjusted",
    "CashAndBuyingPower",
    "CompositeRisk",
    "DailyLossLimit",
    "ExposureCap",
    "MaxHoldingPeriod",
    "MaxOpenPositions",
    "MaxPositionSize",
    "NullRisk",
    "Rejection",
    "RiskOutcome",
    "RiskRule",
]

_HUNDRED: Final = Decimal(100)
_ENTRY: Final = OrderRole.ENTRY  # module constants: enum member lookups are slow
_BUY: Final = Side.BUY
_SELL: Final = Side.SELL
_CASH: Final = AccountKind.CASH
_MARGIN: Final = AccountKind.MARGIN
_FUTURES: Final = AccountKind.FUTURES
_REJECT: Final = CashCheck.REJECT


class RiskRule(Protocol):
    """One risk stage: the intent unchanged, ``Adjusted`` (changed, with notes) or ``Rejection``.

    ``price`` is the price the entry is expected to fill at (the limit price for a limit entry).
    """

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome: ...


def _percent_option(value: Decimal, name: str, *, at_most_hundred: bool = False) -> Decimal:
    if value <= 0 or (at_most_hundred and value > _HUNDRED):
        expected = "between 0 (excluded) and 100" if at_most_hundred else "positive"
        raise InvalidInputError(f"{name} must be {expected}, got {value}")
    return value


def _trim(
    intent: OrderIntent, allowed: Decimal, instrument: Instrument, limit: str, code: str
) -> RiskOutcome:
    """Keep ``intent`` if it fits ``allowed`` units, else trim it to whole lots or reject it."""
    if intent.quantity <= allowed:
        return intent
    fitted = whole_lots(allowed, instrument.lot_size) if allowed > ZERO else ZERO
    if fitted <= ZERO:
        return Rejection(f"{limit}; not even one lot of {intent.symbol} fits", code)
    note = f"{limit}; {intent.symbol} quantity trimmed from {amount(intent.quantity)} to "
    return Adjusted(intent_with_quantity(intent, fitted), (note + amount(fitted),), code, (limit,))


class NullRisk:
    """Lets every order through unchanged."""

    __slots__ = ()

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome:
        return intent


class ExposureCap:
    """Gross exposure of all positions plus the entries still working plus this entry stays
    within ``percent`` of equity."""

    __slots__ = ("fraction", "percent")

    def __init__(self, percent: Decimal = Decimal(80)) -> None:
        self.percent = _percent_option(percent, "exposure cap percent")
        self.fraction = percent / _HUNDRED

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome:
        if intent.role is not _ENTRY:
            return intent
        cap = view.equity * self.fraction
        exposure = view.gross_exposure() if view.positions else ZERO
        working = view.working_notional() if view.working_entries else ZERO
        room = cap - exposure - working
        if intent.quantity * price <= room:
            return intent
        counted = f"gross exposure {money(exposure)} plus "
        if view.working_entries:
            counted += f"working entries {money(working)} plus "
        limit = (
            f"{counted}the {intent.symbol} entry would exceed the "
            f"cap {money(cap)} ({percent(self.percent)} of equity {money(view.equity)})"
        )
        return _trim(intent, room / price, instrument, limit, "exposure_cap")


class MaxPositionSize:
    """This symbol's resulting position notional, with its entries still working on the same
    side, stays within ``percent`` of equity."""

    __slots__ = ("fraction", "percent")

    def __init__(self, percent: Decimal) -> None:
        self.percent = _percent_option(percent, "max position percent")
        self.fraction = percent / _HUNDRED

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome:
        if intent.role is not _ENTRY:
            return intent
        position = view.positions.get(intent.symbol)
        held = ZERO
        if position is not None and (position.quantity > ZERO) == (intent.side is _BUY):
            held = abs(position.quantity)
        working = ZERO
        if view.working_entries:
            working = view.working_quantity(intent.symbol, intent.side)
            held += working
        limit_value = view.equity * self.fraction
        if (held + intent.quantity) * price <= limit_value:
            return intent
        counted = f"the {intent.symbol} position "
        if working:
            counted += f"plus its working entries of {amount(working)} "
        limit = (
            f"{counted}may not exceed {money(limit_value)} "
            f"({percent(self.percent)} of equity {money(view.equity)})"
        )
        return _trim(intent, limit_value / price - held, instrument, limit, "max_position_size")


class MaxOpenPositions:
    """Rejects an entry that would open a new symbol while ``count`` positions are open, a
    symbol with an entry still working counting as open."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        if count < 1:
            raise InvalidInputError(f"max open positions must be at least 1, got {count}")
        self.count = count

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome:
        if intent.role is not _ENTRY:
            return intent
        position = view.positions.get(intent.symbol)
        if position is not None and position.quantity != ZERO:
            return intent
        open_positions = view.open_positions
        pending = _pending_symbols(view)
        if intent.symbol in pending:
            return intent  # an entry of this symbol is working: it opens nothing new
        if open_positions + len(pending) >= self.count:
            counted = f"{open_positions} positions are open"
            if pending:
                names = ", ".join(sorted(pending))
                counted += f" plus {len(pending)} with a working entry ({names})"
            return Rejection(
                f"{counted} and the maximum is {self.count}; not opening {intent.symbol}",
                "max_open_positions",
            )
        return intent


def _pending_symbols(view: PortfolioView) -> frozenset[str]:
    """The symbols with an entry still working and no position open yet."""
    if not view.working_entries:
        return frozenset()
    positions = view.positions
    return frozenset(
        entry.symbol
        for entry in view.working_entries
        if (held := positions.get(entry.symbol)) is None or held.quantity == ZERO
    )


class CashAndBuyingPower:
    """An entry fits what the account can pay, by its kind (``paperdesk.domain.AccountKind``):

    - cash: a long's cost plus fee fits cash; a short needs equity for 100% of its notional;
    - margin: cost plus fee fits buying power = equity x leverage - gross exposure (Reg T
      style: leverage 2 buys twice the equity), longs and shorts alike;
    - futures: initial margin x contracts plus fee fits the free cash (cash with the open
      variation settled).

    The entries still working (``PortfolioView.working_entries``) take their share first, as
    a broker's buying power is reduced by open orders: each one's notional (a contract's
    initial margin) plus its estimated fee, at the price the risk rules value it at, is taken
    off the budget: a cash account's long counts the working buys, its short the working
    sells, a margin or futures account all of them.

    ``mode`` trims an entry that does not fit to what does (the default), or rejects it; either
    way the outcome carries the reason. ``cash_check=off`` leaves this rule out of the chain.
    """

    __slots__ = ("_free", "fee_estimator", "kind", "leverage", "mode")

    def __init__(
        self,
        fee_estimator: FeeEstimator | None = None,
        *,
        kind: AccountKind = AccountKind.CASH,
        mode: CashCheck = CashCheck.TRIM,
        leverage: Decimal = Decimal(1),
    ) -> None:
        if mode is CashCheck.OFF:
            raise InvalidInputError("cash_check 'off' means no cash rule; do not build one")
        self.fee_estimator = fee_estimator
        self._free = charges_nothing(fee_estimator)  # its fee not asked: ZERO
        self.kind = kind
        self.mode = mode
        self.leverage = leverage

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome:
        # the intent's and the view's fields read by position (``routing/view_fields.py``)
        if intent[INTENT_ROLE] is not _ENTRY:
            return intent
        fee_estimator = self.fee_estimator
        quantity = intent[INTENT_QUANTITY]
        fee = estimated_fee(fee_estimator, self._free, quantity, price, instrument)
        kind = self.kind
        cash = view[VIEW_CASH]
        has_working = bool(view[VIEW_WORKING_ENTRIES])
        if kind is _FUTURES:
            margin = instrument.initial_margin or ZERO
            working = self.working_cost(view, intent[INTENT_SIDE]) if has_working else None
            budget = cash if working is None else cash - working
            if quantity * margin + fee <= budget:
                return intent
            counted = f"free cash {money(cash)} "
            if working is not None:
                counted += f"less working entries {money(working)} "
            limit = (
                f"{counted}cannot block the initial margin "
                f"{money(margin)} x {amount(quantity)} {intent.symbol} contracts and the fee"
            )
            allowed = _contracts_affordable(budget, margin, instrument, fee_estimator, price)
            return self._outcome(intent, allowed, instrument, limit, "insufficient_margin")
        cost = quantity * price + fee
        if kind is _MARGIN:
            exposure = view.gross_exposure() if view[VIEW_POSITIONS] else ZERO
            working = self.working_cost(view, intent[INTENT_SIDE]) if has_working else None
            equity = view[VIEW_EQUITY]
            budget = equity * self.leverage - exposure
            if working is not None:
                budget -= working
            if cost <= budget:
                return intent
            counted = f" - gross exposure {money(exposure)}"
            if working is not None:
                counted += f" - working entries {money(working)}"
            limit = (
                f"buying power {money(budget)} (equity {money(equity)} x leverage "
                f"{amount(self.leverage)}{counted}) cannot pay for "
                f"the {intent.symbol} entry and its fee"
            )
            code = "insufficient_buying_power"
        elif intent[INTENT_SIDE] is _BUY:
            working = self.working_cost(view, _BUY) if has_working else None
            budget = cash if working is None else cash - working
            if cost <= budget:
                return intent
            counted = f"cash {money(cash)} "
            if working is not None:
                counted += f"less working entries {money(working)} "
            limit = f"{counted}cannot pay for the {intent.symbol} entry and its fee"
            code = "insufficient_cash"
        else:
            short_exposure = self._short_exposure(view)
            working = self.working_cost(view, _SELL) if has_working else None
            equity = view[VIEW_EQUITY]
            budget = equity - short_exposure
            if working is not None:
                budget -= working
            if cost <= budget:
                return intent
            counted = f"open shorts {money(short_exposure)} "
            if working is not None:
                counted += f"and working short entries {money(working)} "
            limit = (
                f"a short needs 100% margin: equity {money(equity)} less "
                f"{counted}leaves {money(budget)}"
            )
            code = "insufficient_margin"
        allowed = max_affordable_quantity(budget, price, instrument, fee_estimator, self._free)
        return self._outcome(intent, allowed, instrument, limit, code)

    def working_cost(self, view: PortfolioView, side: Side) -> Decimal | None:
        """What the entries still working take off the budget of a new entry on ``side`` when
        they fill, estimated as this rule estimates the entry itself: notional (a contract's
        initial margin) plus the fee model's fee, at the price they are valued at; a cash
        account counts those on ``side`` (a long's cash, a short's margin), the others all.
        None when none is counted (one with no known price adds nothing), so a message names
        working entries only when there are some."""
        fee_estimator = self.fee_estimator
        futures = self.kind is _FUTURES
        either = self.kind is not _CASH
        total: Decimal | None = None
        for entry in view.working_entries:
            price = entry.price
            if (not either and entry.side is not side) or price is None:
                continue
            quantity, instrument = entry.quantity, entry.instrument
            if futures:
                margin = instrument.initial_margin if instrument is not None else None
                cost = quantity * (margin or ZERO)
            else:
                cost = quantity * price
            if fee_estimator is not None and instrument is not None:
                cost += fee_estimator.fee(quantity, price, instrument)
            total = cost if total is None else total + cost
        return total

    def _outcome(
        self,
        intent: OrderIntent,
        allowed: Decimal,
        instrument: Instrument,
        limit: str,
        code: str,
    ) -> RiskOutcome:
        if self.mode is _REJECT:
            return Rejection(f"{limit}; cash_check=reject refuses it", code)
        return _trim(intent, allowed, instrument, limit, code)

    @staticmethod
    def _short_exposure(view: PortfolioView) -> Decimal:
        total = ZERO
        positions = view[VIEW_POSITIONS]
        if not positions:  # flat (an entry after its exit): nothing short
            return total
        prices = view.prices
        for symbol, position in positions.items():
            if position.quantity < ZERO:
                total -= position.quantity * prices.get(symbol, position.average_price)
        return total


def _contracts_affordable(
    budget: Decimal,
    margin: Decimal,
    instrument: Instrument,
    fee_estimator: FeeEstimator | None,
    price: Decimal,
) -> Decimal:
    """The most whole lots of contracts whose margin plus fee fits ``budget``."""
    if budget <= 0:
        return ZERO
    lot = instrument.lot_size
    quantity = whole_lots(budget / margin, lot) if margin > 0 else ZERO
    if margin <= 0:  # no margin: only the fee limits it; one lot at a time is enough here
        return ZERO

    def fits(candidate: Decimal) -> bool:
        fee = fee_estimator.fee(candidate, price, instrument) if fee_estimator else ZERO
        return candidate * margin + fee <= budget

    while quantity > 0 and not fits(quantity):
        quantity -= lot
    return max(quantity, ZERO)


class DailyLossLimit:
    """Rejects entries once equity is ``percent`` or more below the day's starting equity."""

    __slots__ = ("floor_fraction", "percent")

    def __init__(self, percent: Decimal) -> None:
        self.percent = _percent_option(percent, "daily loss limit percent", at_most_hundred=True)
        self.floor_fraction = 1 - percent / _HUNDRED

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome:
        start = view.day_start_equity
        if intent.role is not _ENTRY or start is None or start <= 0:
            return intent
        if view.equity > start * self.floor_fraction:
            return intent
        drop = (start - view.equity) / start * _HUNDRED
        return Rejection(
            f"equity {money(view.equity)} is {drop:.2f}% below the day's start {money(start)}; "
            f"the daily loss limit is {percent(self.percent)}",
            "daily_loss_limit",
        )


class CompositeRisk:
    """Applies ``rules`` in order to entries, each seeing the previous one's (trimmed) intent."""

    __slots__ = ("rules",)

    def __init__(self, rules: Iterable[RiskRule]) -> None:
        self.rules = tuple(rules)

    def check(
        self, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> RiskOutcome:
        if intent.role is not _ENTRY:
            return intent
        notes: tuple[str, ...] = ()
        limits: tuple[str, ...] = ()
        code = ""
        for rule in self.rules:
            outcome = rule.check(intent, view, instrument, price)
            if isinstance(outcome, OrderIntent):
                intent = outcome
            elif isinstance(outcome, Adjusted):
                intent = outcome.intent
                notes += outcome.notes
                limits += outcome.limits
                code = code or outcome.code
            else:
                return outcome
        return Adjusted(intent, notes, code, limits) if notes else intent


class MaxHoldingPeriod:
    """Tells the engine to close a position held for ``bars`` bars or more."""

    __slots__ = ("bars",)

    def __init__(self, bars: int) -> None:
        if bars < 1:
            raise InvalidInputError(f"max holding bars must be at least 1, got {bars}")
        self.bars = bars

    def is_due(self, bars_held: int) -> bool:
        return bars_held >= self.bars
