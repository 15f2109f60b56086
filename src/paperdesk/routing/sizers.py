"""Sizers: how many units an accepted entry signal trades, rounded down to whole lots."""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Protocol

from paperdesk.domain import ZERO, Direction, Instrument, InvalidInputError, PortfolioView, Signal
from paperdesk.domain.order_fields import whole_lots
from paperdesk.routing.affordability import FeeEstimator, max_affordable_quantity
from paperdesk.routing.outcomes import Rejection
from paperdesk.routing.wording import amount, money
from paperdesk.routing.wording import percent as percent_text

_HUNDRED: Final = Decimal(100)


class Sizer(Protocol):
    """One sizing stage: a lot-rounded quantity (0 if nothing can be bought) or a Rejection."""

    def size(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal | Rejection: ...


def _positive(value: Decimal, name: str) -> Decimal:
    if value <= 0:
        raise InvalidInputError(f"{name} must be positive, got {value}")
    return value


class FixedQuantity:
    """Always the same number of units."""

    __slots__ = ("quantity",)

    def __init__(self, quantity: Decimal) -> None:
        self.quantity = _positive(quantity, "quantity")

    def size(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal | Rejection:
        return whole_lots(self.quantity, instrument.lot_size)


class PercentOfEquity:
    """The largest quantity whose cost plus estimated fee fits ``percent`` of equity."""

    __slots__ = ("fee_estimator", "fraction", "percent")

    def __init__(self, percent: Decimal, fee_estimator: FeeEstimator | None = None) -> None:
        self.percent = _positive(percent, "percent")
        self.fraction = percent / _HUNDRED
        self.fee_estimator = fee_estimator

    def size(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal | Rejection:
        budget = view.equity * self.fraction
        return max_affordable_quantity(budget, price, instrument, self.fee_estimator)


class RiskPerTrade:
    """Risks ``risk_percent`` of equity between the entry price and the signal's stop."""

    __slots__ = ("fraction", "risk_percent")

    def __init__(self, risk_percent: Decimal) -> None:
        self.risk_percent = _positive(risk_percent, "risk_percent")
        self.fraction = risk_percent / _HUNDRED

    def size(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal | Rejection:
        stop = signal.stop
        if stop is None:
            return Rejection(
                f"risk-per-trade sizing needs a stop; the {signal.symbol} signal has none"
            )
        long = signal.direction is not Direction.SHORT
        if (long and stop >= price) or (not long and stop <= price):
            where = "below" if long else "above"
            return Rejection(
                f"stop {amount(stop)} must be {where} the entry price {amount(price)} "
                f"for a {'long' if long else 'short'} {signal.symbol} signal"
            )
        if view.equity <= 0:
            return ZERO
        risk_budget = view.equity * self.fraction
        return whole_lots(risk_budget / abs(price - stop), instrument.lot_size)


class ForexLots:
    """A fixed number of lots of the instrument's contract size (100,000 units per lot)."""

    __slots__ = ("lots",)

    def __init__(self, lots: Decimal) -> None:
        self.lots = _positive(lots, "lots")

    def size(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal | Rejection:
        return whole_lots(self.lots * instrument.contract_size, instrument.lot_size)


class TargetPercent:
    """Lean's ``SetHoldings``: hold ``percent`` of the total portfolio value, keeping a free
    buffer.

    target value = equity x (1 - free_buffer_percent/100) x percent/100; the order is the
    largest whole-lot quantity q with q x price + fee(q) <= target value - the value already held
    on the signal's side (the fee from the configured fee model), so an existing position buys
    only the difference. Nothing to buy (already at or above the target, or not one lot fits) is
    a rejection naming the values; an existing position is never trimmed down to the target.
    """

    __slots__ = ("fee_estimator", "fraction", "free_buffer_percent", "kept", "percent")

    def __init__(
        self,
        percent: Decimal,
        free_buffer_percent: Decimal = Decimal("0.25"),
        fee_estimator: FeeEstimator | None = None,
    ) -> None:
        self.percent = _positive(percent, "target percent (size_pct)")
        if not ZERO <= free_buffer_percent < _HUNDRED:
            raise InvalidInputError(
                f"free_buffer_pct must be at least 0 and below 100, got {free_buffer_percent}"
            )
        self.free_buffer_percent = free_buffer_percent
        self.fraction = percent / _HUNDRED
        self.kept = 1 - free_buffer_percent / _HUNDRED
        self.fee_estimator = fee_estimator

    def size(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal | Rejection:
        symbol = signal.symbol
        target = view.equity * self.kept * self.fraction
        position = view.positions.get(symbol)
        held = position.quantity if position is not None else ZERO
        if signal.direction is Direction.SHORT:
            held = -held
        held_value = max(held, ZERO) * price
        budget = target - held_value
        described = (
            f"the target {money(target)} is {percent_text(self.percent)} of equity "
            f"{money(view.equity)} after the {percent_text(self.free_buffer_percent)} free buffer"
        )
        if budget <= 0 or price <= 0:
            return Rejection(
                f"{symbol} already holds {amount(held)} units worth {money(held_value)} at "
                f"{amount(price)}, at or above its target ({described})",
                "at_target",
            )
        quantity = max_affordable_quantity(budget, price, instrument, self.fee_estimator)
        if quantity <= 0:
            return Rejection(
                f"one lot ({amount(instrument.lot_size)}) of {symbol} at {amount(price)} plus its "
                f"fee does not fit {money(budget)} ({described}, less {money(held_value)} held)",
                "below_one_lot",
            )
        return quantity
