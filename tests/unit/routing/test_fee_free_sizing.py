"""A fee model that says it charges nothing (``charges_nothing``: ``NoFee``) is not asked by the
router's all-in sizing, its view after an exit and the cash check: they take ZERO, which is what
it answers for every argument, so every quantity, cash figure and reason stays the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.config import RiskConfig, SizeTiming, SizingConfig
from paperdesk.domain import (
    ZERO,
    CashCheck,
    Direction,
    Instrument,
    OrderIntent,
    PortfolioView,
    Position,
    Side,
    Signal,
)
from paperdesk.execution.fees import NoFee, PercentOfNotional
from paperdesk.routing import build_router
from paperdesk.routing.affordability import (
    charges_nothing,
    estimated_fee,
    max_affordable_quantity,
)
from paperdesk.routing.risk import CashAndBuyingPower

D = Decimal
TS = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)
SPY = Instrument.equity("SPY")


@dataclass
class CountedFree:
    """Charges nothing and says so, and counts the times it is asked all the same."""

    charges_nothing: ClassVar[bool] = True
    asked: int = 0

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        self.asked += 1
        return ZERO


@dataclass
class CountedSilent(CountedFree):
    """The same, without saying it charges nothing: asked as any model is."""

    charges_nothing: ClassVar[bool] = False  # type: ignore[misc]


class SaysYes:
    charges_nothing = "yes"  # not True: asked as any model is

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return ZERO


def test_which_models_charge_nothing() -> None:
    assert charges_nothing(NoFee())
    assert charges_nothing(CountedFree())
    assert not charges_nothing(None)
    assert not charges_nothing(PercentOfNotional(D(0)))
    assert not charges_nothing(CountedSilent())
    assert not charges_nothing(SaysYes())


@settings(max_examples=200, deadline=None)
@given(
    quantity=st.decimals(D(0), D(10**9), allow_nan=False, allow_infinity=False),
    price=st.decimals(D(0), D(10**6), allow_nan=False, allow_infinity=False),
)
def test_no_fee_is_zero_for_every_argument(quantity: Decimal, price: Decimal) -> None:
    assert NoFee().fee(quantity, price, SPY) is ZERO


def view(cash: str, held: str | None = None) -> PortfolioView:
    positions = {} if held is None else {"SPY": Position("SPY", D(held), D(100))}
    prices = {} if held is None else {"SPY": D(101)}
    equity = D(cash) + (D(held) * D(101) if held is not None else ZERO)
    return PortfolioView(TS, D(cash), equity, positions, prices)


def test_a_model_that_charges_nothing_is_not_asked_on_the_hot_path() -> None:
    told, silent = CountedFree(), CountedSilent()
    sizing = SizingConfig(percent=D(100), timing=SizeTiming.FILL)
    risk = RiskConfig(allow_short=True, exposure_cap_percent=None)
    answers = []
    for model in (told, silent):
        router = build_router(sizing, risk, fees=model)
        decision = router.route(
            Signal("x", "SPY", Direction.SHORT, TS), view("500", "40"), SPY, D(99)
        )
        intent = OrderIntent("SPY", Side.BUY, D(10), size_fraction=D(1))
        answers.append((decision, router.sized_at_fill(intent, view("5000"), SPY, D(97))))
    assert answers[0] == answers[1]
    assert told.asked == 0
    assert silent.asked == 5  # the view after the exit, two sizings, two cash checks


@settings(max_examples=300, deadline=None)
@given(
    cash=st.decimals(D(-100), D(10**7), places=2, allow_nan=False, allow_infinity=False),
    price=st.decimals(D("0.01"), D(1000), places=2, allow_nan=False, allow_infinity=False),
    quantity=st.integers(1, 10**6),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    reject=st.booleans(),
)
def test_the_cash_check_says_the_same_with_or_without_asking(
    cash: Decimal, price: Decimal, quantity: int, side: Side, reject: bool
) -> None:
    mode = CashCheck.REJECT if reject else CashCheck.TRIM
    intent = OrderIntent("SPY", side, D(quantity))
    portfolio = view(str(cash))
    told = CashAndBuyingPower(CountedFree(), mode=mode).check(intent, portfolio, SPY, price)
    asked = CashAndBuyingPower(CountedSilent(), mode=mode).check(intent, portfolio, SPY, price)
    assert told == asked
    budget = cash * D("0.5")
    assert max_affordable_quantity(budget, price, SPY, NoFee(), True).as_tuple() == (
        max_affordable_quantity(budget, price, SPY, NoFee()).as_tuple()
    )


class ChargingNoFee(NoFee):
    """A subclass of the free model that charges: it inherits ``charges_nothing``, not the
    ``fee`` that makes it true."""

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return D(5)


class PlainNoFee(NoFee):
    """A subclass that keeps ``NoFee.fee``: still free."""


def test_a_subclass_that_overrides_the_fee_is_asked() -> None:
    assert not charges_nothing(ChargingNoFee())
    assert charges_nothing(PlainNoFee())
    view = PortfolioView(TS, D(1000), D(1000))
    intent = OrderIntent("SPY", Side.BUY, D(10))
    # 10 x 100 + a fee of 5 does not fit 1000: the fee is asked, so 9 are allowed
    outcome = CashAndBuyingPower(ChargingNoFee()).check(intent, view, SPY, D(100))
    assert not isinstance(outcome, OrderIntent)


def test_the_estimated_fee_is_the_shared_zero_unless_a_model_is_asked() -> None:
    model = CountedFree()
    assert estimated_fee(None, False, D(10), D(100), SPY) is ZERO
    assert estimated_fee(model, True, D(10), D(100), SPY) is ZERO
    assert model.asked == 0
    charged = estimated_fee(PercentOfNotional(D("0.1")), False, D(10), D(100), SPY)
    assert charged == PercentOfNotional(D("0.1")).fee(D(10), D(100), SPY)
    assert charged > ZERO
    assert estimated_fee(model, False, D(10), D(100), SPY) is ZERO
    assert model.asked == 1
