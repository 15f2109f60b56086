"""The largest lot-rounded quantity whose cost plus estimated fee fits a budget."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Final, Protocol

from paperdesk.domain import ZERO, Instrument
from paperdesk.domain.money import INTEGRAL_DOWN


class FeeEstimator(Protocol):
    """The fee of trading ``quantity`` units of ``instrument`` at ``price`` (the venue's fee
    models are estimators: the router estimates with the model the venue charges with)."""

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal: ...


def charges_nothing(estimator: FeeEstimator | None) -> bool:
    """Whether ``estimator`` says its ``fee`` is ZERO (``paperdesk.domain.ZERO``) for every
    argument (a class attribute ``charges_nothing = True``: ``execution.fees.NoFee``), so a
    caller may take ZERO instead of asking it (an interpreted call, ~200 ns). Asked once, when
    a rule or the router is built.

    The class that says it must be the one whose ``fee`` is called: a subclass of ``NoFee``
    that overrides ``fee`` inherits the attribute but may charge, so it is asked as any model
    is (the first class in the MRO defining either decides, and it must define both)."""
    if estimator is None:
        return False
    for klass in type(estimator).__mro__:
        defined = vars(klass)
        if "fee" in defined or "charges_nothing" in defined:
            return "fee" in defined and defined.get("charges_nothing", False) is True
    return False


def estimated_fee(
    estimator: FeeEstimator | None,
    free: bool,
    quantity: Decimal,
    price: Decimal,
    instrument: Instrument,
) -> Decimal:
    """The fee the router and the risk rules count for ``quantity`` at ``price``, and the one the
    simulated venue charges at a fill: ZERO (the shared object, whose exponent the sums that add
    it keep) with no estimator or one that ``charges_nothing`` (``free``, asked once when the
    rule, router or venue is built), else the estimator's."""
    if estimator is None or free:
        return _ZERO
    return estimator.fee(quantity, price, instrument)


_NUDGE_STEPS: Final = 3
_ZERO: Final = ZERO  # compiled, a C static
_ONE: Final = Decimal(1)
# The last lot found to be exactly ``1`` (exponent 0): a Decimal is immutable, so an instrument's
# lot (the same object at every call) skips the comparison and ``same_quantum`` after its first.
_unit_lot: Final[list[Decimal]] = [_ONE]


def max_affordable_quantity(
    budget: Decimal,
    price: Decimal,
    instrument: Instrument,
    fee_estimator: FeeEstimator | None,
    free: bool = False,
) -> Decimal:
    """Return the largest q (whole lots) with q*price + fee(q, price) <= budget, or 0.

    A closed-form estimate (the fee read as a rate of the notional) is nudged a few lot steps;
    a bisection over lot counts takes over only for fee schedules the estimate misses by more.
    Fees are assumed non-negative and non-decreasing in quantity. ``free``: the caller knows
    the estimator ``charges_nothing`` (its fee of the estimate is then ZERO, not asked).
    """
    if budget <= _ZERO or price <= _ZERO:
        return _ZERO
    lot = instrument.lot_size
    quantity = lots_in_quotient(budget / price, lot)
    if quantity <= _ZERO:
        return _ZERO
    if fee_estimator is None:
        return quantity - lot if quantity * price > budget else quantity

    estimator = fee_estimator
    upper = quantity  # fees are non-negative, so nothing above budget/price fits
    fee = estimated_fee(estimator, free, quantity, price, instrument)
    if fee > _ZERO:
        rate = fee / (quantity * price)
        quantity = lots_in_quotient(budget / (price * (1 + rate)), lot)
        fitting = quantity > _ZERO and _fits(quantity, price, budget, estimator, instrument)
    else:  # the estimate is ``upper``, whose fee is known: not asked again
        if quantity * price + fee <= budget:
            return quantity  # ``upper`` fits: what the two loops below come back with
        fitting = False
    steps = 0
    while quantity > ZERO and not fitting:
        if steps == _NUDGE_STEPS:
            return _bisect(ZERO, quantity - lot, lot, price, budget, estimator, instrument)
        quantity -= lot
        steps += 1
        fitting = quantity > ZERO and _fits(quantity, price, budget, estimator, instrument)
    quantity = max(quantity, ZERO)
    steps = 0
    while quantity < upper and _fits(quantity + lot, price, budget, estimator, instrument):
        if steps == _NUDGE_STEPS:
            return _bisect(quantity + lot, upper, lot, price, budget, estimator, instrument)
        quantity += lot
        steps += 1
    return quantity


def lots_in_quotient(quotient: Decimal, lot: Decimal) -> Decimal:
    """``whole_lots(quotient, lot)`` for a positive ``quotient`` a Decimal operation has just
    returned (so it has no more digits than the context's precision) and a positive ``lot``.

    That makes ``whole_lots``' ``abs`` and its sign a no-op, and for a lot of exactly ``1``
    (exponent 0, an equity's) its division and product too: ``quotient / 1`` is ``quotient``
    digit for digit (an exact quotient takes the ideal exponent, the dividend's), and so is
    ``n * 1`` for the whole number ``n`` it rounds down to (``tests/unit/routing/
    test_affordability_lots.py`` checks both against ``whole_lots``)."""
    unit = _unit_lot[0]
    if lot is not unit and lot == _ONE and lot.same_quantum(_ONE):
        _unit_lot[0] = unit = lot
    if lot is unit:
        return INTEGRAL_DOWN(quotient)  # an operation's result, so no sNaN
    return INTEGRAL_DOWN(quotient / lot) * lot


def _fits(
    quantity: Decimal,
    price: Decimal,
    budget: Decimal,
    estimator: FeeEstimator,
    instrument: Instrument,
) -> bool:
    """Whether ``quantity`` at ``price`` plus its fee fits ``budget`` (a function, not a
    closure: the compiled build would build one per call)."""
    return quantity * price + estimator.fee(quantity, price, instrument) <= budget


def _bisect(
    low: Decimal,
    high: Decimal,
    lot: Decimal,
    price: Decimal,
    budget: Decimal,
    estimator: FeeEstimator,
    instrument: Instrument,
) -> Decimal:
    """Largest lot multiple in [low, high] that fits, given that ``low`` fits (or is zero)."""
    low_lots = int(low / lot)
    high_lots = int(high / lot)
    while low_lots < high_lots:
        middle = (low_lots + high_lots + 1) // 2
        if _fits(middle * lot, price, budget, estimator, instrument):
            low_lots = middle
        else:
            high_lots = middle - 1
    return low_lots * lot if low_lots > 0 else ZERO


class FeeFunction:
    """A fee estimator from a plain ``fee(quantity, price)`` function, the same for every
    instrument (a flat schedule in a test or a notebook)."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Decimal, Decimal], Decimal]) -> None:
        self.function = function

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return self.function(quantity, price)

    def __call__(self, quantity: Decimal, price: Decimal) -> Decimal:
        return self.function(quantity, price)
