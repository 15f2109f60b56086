"""Entries sized against a per-share fee (``PerShare``: a rate per unit, at least a minimum, at
most a percent of the notional) in whole integer money units, as the kernel's
``max_affordable_quantity`` sizes them; tests prove it identical to the event kernel.

The kernel returns the largest whole q (lot 1) with q x price + fee(q, price) <= budget (it nudges
an estimate and bisects, both on that exact predicate, and the cost is non-decreasing in q). In
integers that q has a closed form: fee(q) = min(max(rate x q, minimum), cap x q x price), so q
fits exactly when q x price + max(rate x q, minimum) fits (both q x (price + rate) and q x price +
minimum within the budget) or q x price + cap x q x price fits; each set is every q up to its
largest, so the answer is the larger of the two largest.

Its Decimal: the kernel's quantity is its estimate round_quantity(budget / (price x (1 + rate)))
(rate = fee(upper) / (upper x price), upper = round_quantity(budget / price); upper itself when
that fee is 0) when no nudge moved it, else a whole number of exponent 0. The estimate keeps a
positive exponent (``2E+1`` for 20) only when that quotient is exact: for a quantity ending in
zero the estimate is redone with the context's Decimals (their values are the kernel's: each
operation rounds its exact result) and the run is given up on if the quotient is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal, Inexact, localcontext
from typing import Protocol

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import (
    AllInSizer,
    MoneyScale,
    PerShareUnits,
    fraction_terms,
    rounded_budget,
)


class Sizer(Protocol):
    """``quantity(equity_units, price_ticks)``: the whole units a budget of the equity's
    fraction buys with the run's fee (``AllInSizer``, ``PerShareSizer``)."""

    @property
    def quantity(self) -> Callable[[int, int], int]: ...


def affordable_sizer(fraction: Decimal, scale: MoneyScale) -> AllInSizer | PerShareSizer:
    """The sizer for the run's fee: linear in the notional (``AllInSizer``) or per share."""
    if scale.per_share is None:
        return AllInSizer(fraction, scale)
    return PerShareSizer(fraction, scale)


class PerShareSizer:
    """``max_affordable_quantity(equity x fraction, price)`` with a per-share fee, lot 1:
    ``quantity(equity_units, price_ticks)``, 0 when nothing fits."""

    __slots__ = ("quantity",)

    def __init__(self, fraction: Decimal, scale: MoneyScale) -> None:
        per_share = scale.per_share
        if per_share is None:
            raise ValueError("PerShareSizer needs a per-share fee")
        coefficient, spread, precision = fraction_terms(fraction)
        self.quantity: Callable[[int, int], int] = _quantity(
            coefficient, spread, precision, scale, per_share
        )


def _quantity(
    coefficient: int, spread: int, precision: int, scale: MoneyScale, fee: PerShareUnits
) -> Callable[[int, int], int]:
    """``PerShareSizer.quantity``: a closure over its constants, in units of 10**-money_places
    / ``spread`` (the budget's)."""
    per_tick = scale.units_per_tick * spread
    rate, minimum = fee.rate * spread, fee.minimum * spread
    cap = None if fee.cap_per_tick is None else fee.cap_per_tick * spread

    def quantity(equity_units: int, price_ticks: int) -> int:
        if equity_units <= 0 or price_ticks <= 0:
            return 0
        budget = rounded_budget(equity_units, coefficient, precision)
        notional = price_ticks * per_tick  # one unit's
        fitted = min(budget // (notional + rate), (budget - minimum) // notional)
        if cap is not None:
            fitted = max(fitted, budget // (notional + price_ticks * cap))
        if fitted <= 0:
            return 0
        if not fitted % 10:
            _check_estimate(budget, spread, price_ticks, scale, fee)
        return fitted

    return quantity


def _check_estimate(
    budget: int, spread: int, price_ticks: int, scale: MoneyScale, fee: PerShareUnits
) -> None:
    """Gives up where the kernel's estimate (see the module) is an exact quotient, so its
    Decimal could keep a positive exponent; ``budget`` in units of 10**-money_places /
    ``spread``."""
    money_places = scale.money_places
    with localcontext() as context:
        amount = Decimal(budget).scaleb(-money_places) / spread  # exact: spread is 10**k
        price = Decimal(price_ticks).scaleb(-scale.tick_places)
        upper = (amount / price).to_integral_value(rounding=ROUND_DOWN)
        upper_fee = fee.fee(int(upper), price_ticks) if upper > 0 else 0
        divisor = price
        if upper_fee > 0:
            rate = Decimal(upper_fee).scaleb(-money_places) / (upper * price)
            divisor = price * (1 + rate)
        context.clear_flags()
        estimate = amount / divisor
        if estimate and not context.flags[Inexact]:
            raise FastPathUnsupportedError("a per-share budget divides exactly into round lots")
