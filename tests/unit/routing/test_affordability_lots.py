"""``max_affordable_quantity`` rounds a fresh quotient to lots with ``lots_in_quotient`` (no
``abs``, no sign; for a lot of exactly 1 no division and no product) and returns as soon as the
estimate fits. Both must give what they replaced digit for digit: ``whole_lots``, and the
function as it was (kept verbatim below as the reference), for every fee model."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import ZERO, AssetClass, Instrument
from paperdesk.domain.order_fields import whole_lots
from paperdesk.execution.fees import NoFee, PercentOfNotional, PerLot, PerShare
from paperdesk.routing.affordability import (
    FeeEstimator,
    _bisect,
    _fits,
    lots_in_quotient,
    max_affordable_quantity,
)

D = Decimal
LOTS = [D(1), D("1.0"), D("1E+1"), D(10), D("0.01"), D("0.001"), D(100_000), D("0.5"), D(3)]
FEES: list[FeeEstimator | None] = [
    None,
    NoFee(),
    PercentOfNotional(D("0.2")),
    PerShare(D("0.005"), D("1")),
    PerShare(D("0.01"), D("2"), D("1")),
    PerLot(D("7")),
]
_NUDGE_STEPS = 3


def max_affordable_quantity_before(
    budget: Decimal, price: Decimal, instrument: Instrument, fee_estimator: FeeEstimator | None
) -> Decimal:
    """``max_affordable_quantity`` before ``lots_in_quotient`` and the early return."""
    if budget <= ZERO or price <= ZERO:
        return ZERO
    lot = instrument.lot_size
    quantity = whole_lots(budget / price, lot)
    if quantity <= ZERO:
        return ZERO
    if fee_estimator is None:
        return quantity - lot if quantity * price > budget else quantity

    estimator = fee_estimator
    upper = quantity
    fee = estimator.fee(quantity, price, instrument)
    if fee > ZERO:
        rate = fee / (quantity * price)
        quantity = whole_lots(budget / (price * (1 + rate)), lot)
        fitting = quantity > ZERO and _fits(quantity, price, budget, estimator, instrument)
    else:
        fitting = quantity * price + fee <= budget
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


def amounts() -> st.SearchStrategy[Decimal]:
    """Positive amounts of every size and number of digits, up to 40 (beyond the precision)."""
    return st.builds(
        lambda digits, exponent: D(f"{digits}E{exponent}"),
        st.integers(1, 10**40),
        st.integers(-30, 8),
    )


@settings(max_examples=1000, deadline=None)
@given(dividend=amounts(), divisor=amounts(), lot=st.sampled_from(LOTS))
def test_lots_in_a_quotient_are_whole_lots(
    dividend: Decimal, divisor: Decimal, lot: Decimal
) -> None:
    quotient = dividend / divisor
    assert lots_in_quotient(quotient, lot).as_tuple() == whole_lots(quotient, lot).as_tuple()


@settings(max_examples=300, deadline=None)
@given(dividend=amounts(), divisor=amounts(), precision=st.integers(3, 40))
def test_a_lot_of_one_is_whole_lots_at_any_precision(
    dividend: Decimal, divisor: Decimal, precision: int
) -> None:
    with localcontext() as context:
        context.prec = precision
        quotient = dividend / divisor
        expected = whole_lots(quotient, D(1)).as_tuple()
        assert lots_in_quotient(quotient, D(1)).as_tuple() == expected
        assert quotient.to_integral_value(ROUND_DOWN).as_tuple() == expected


def test_a_lot_equal_to_one_with_another_exponent_is_divided() -> None:
    quotient = D(7) / D(2)  # 3.5
    assert str(lots_in_quotient(quotient, D("1.0"))) == str(whole_lots(quotient, D("1.0")))
    assert str(lots_in_quotient(quotient, D("1.0"))) == "3.0"
    assert str(lots_in_quotient(quotient, D(1))) == "3"


@settings(max_examples=1000, deadline=None)
@given(
    budget=st.one_of(amounts(), st.just(ZERO), amounts().map(lambda value: -value)),
    price=amounts(),
    lot=st.sampled_from(LOTS),
    fee_index=st.integers(0, len(FEES) - 1),
)
def test_the_largest_affordable_quantity_is_as_before(
    budget: Decimal, price: Decimal, lot: Decimal, fee_index: int
) -> None:
    instrument = Instrument("X", AssetClass.EQUITY, lot_size=lot)
    fees = FEES[fee_index]
    expected = max_affordable_quantity_before(budget, price, instrument, fees)
    got = max_affordable_quantity(budget, price, instrument, fees)
    assert got.as_tuple() == expected.as_tuple()
