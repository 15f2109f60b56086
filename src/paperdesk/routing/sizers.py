"""Sizers: how many units an accepted entry signal trades, rounded down to whole lots."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from paperdesk.domain import ZERO, Direction, Instrument, InvalidInputError, PortfolioView, Signal
from paperdesk.routing.affordability import FeeEstimator, max_affordable_quantity
from paperdesk.routing.outcomes import Rejection
from paperdesk.routing.wording import amount

_HUNDRED = Decimal(100)


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
        return instrument.round_quantity(self.quantity)


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
        return instrument.round_quantity(risk_budget / abs(price - stop))


class ForexLots:
    """A fixed number of lots of the instrument's contract size (100,000 units per lot)."""

    __slots__ = ("lots",)

    def __init__(self, lots: Decimal) -> None:
        self.lots = _positive(lots, "lots")

    def size(
        self, signal: Signal, view: PortfolioView, instrument: Instrument, price: Decimal
    ) -> Decimal | Rejection:
        return instrument.round_quantity(self.lots * instrument.contract_size)
