"""Paperdesk's money rules (fee, slippage, all-in sizing) in whole integer units, so the fast
path's loop decides exactly as the Decimal ledger; tests prove it identical to the event kernel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, getcontext

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.execution import FeeModel, FixedBasisPoints, NoFee, PercentOfNotional, SlippageModel

_HUNDRED = Decimal(100)
_BASIS_POINTS = 10_000


def decimal_places(value: Decimal) -> int:
    """How many decimal places ``value`` needs (0 for whole numbers)."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def integer_parts(value: Decimal) -> tuple[int, int]:
    """(coefficient, exponent) with ``value == coefficient * 10**exponent``."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    coefficient = int("".join(map(str, digits))) if digits else 0
    return (-coefficient if sign else coefficient), exponent


@dataclass(frozen=True, slots=True)
class MoneyScale:
    """Money in units of 10**-money_places; prices in ticks of 10**-tick_places.

    ``units_per_tick`` is the money of one unit traded at one tick; ``fee_per_tick`` the fee of
    one unit at one tick (PercentOfNotional: notional x percent / 100, exact in these units).
    """

    tick_places: int
    money_places: int
    units_per_tick: int
    fee_per_tick: int

    @classmethod
    def for_run(cls, tick_places: int, fee_model: FeeModel) -> MoneyScale:
        if isinstance(fee_model, NoFee):
            rate = Decimal(0)
        elif isinstance(fee_model, PercentOfNotional):
            rate = fee_model.percent / _HUNDRED
        else:
            raise FastPathUnsupportedError(f"fee model {type(fee_model).__name__}")
        money_places = tick_places + (decimal_places(rate) if rate else 0)
        units_per_tick = 10 ** (money_places - tick_places)
        fee_per_tick = rate * units_per_tick
        if fee_per_tick != fee_per_tick.to_integral_value():
            raise FastPathUnsupportedError("fee rate is not whole in the money unit")
        return cls(tick_places, money_places, units_per_tick, int(fee_per_tick))

    def fee(self, quantity: int, price_ticks: int) -> int:
        """The fee of ``quantity`` units at ``price_ticks``, in money units (exact)."""
        return quantity * price_ticks * self.fee_per_tick

    def to_decimal(self, units: int) -> Decimal:
        return Decimal(units).scaleb(-self.money_places)


class AllInSizer:
    """``max_affordable_quantity(equity x fraction, price)`` for lot size 1 and a fee linear in
    the notional: the largest q with q x price x (1 + rate) <= budget, where the budget is
    equity x fraction rounded as the Decimal context rounds it (precision, half-even).

    ``quantity(equity_units, price_ticks)``: the whole units an all-in entry buys; 0 if none.
    """

    __slots__ = ("quantity",)

    def __init__(self, fraction: Decimal, scale: MoneyScale) -> None:
        coefficient, exponent = integer_parts(fraction)
        if coefficient <= 0:
            raise FastPathUnsupportedError("all-in fraction must be positive")
        context = getcontext()
        if context.rounding != "ROUND_HALF_EVEN":
            raise FastPathUnsupportedError("Decimal context rounding is not half-even")
        unit_cost = scale.units_per_tick + scale.fee_per_tick
        # budget (money units) = equity x coefficient x 10**exponent
        if exponent >= 0:
            coefficient *= 10**exponent
        else:
            unit_cost *= 10**-exponent
        self.quantity: Callable[[int, int], int] = _all_in_quantity(
            coefficient, unit_cost, context.prec
        )


def _all_in_quantity(coefficient: int, unit_cost: int, precision: int) -> Callable[[int, int], int]:
    """``AllInSizer.quantity``: a closure over its constants, since the loop calls it per entry."""
    limit = 10**precision
    powers = _POWERS_OF_TEN
    largest = len(powers) - 1
    digits = _digits

    def quantity(equity_units: int, price_ticks: int) -> int:
        if equity_units <= 0 or price_ticks <= 0:
            return 0
        budget = equity_units * coefficient
        if budget >= limit:  # round to the context's precision, half-even
            drop = digits(budget) - precision
            if drop > 0:
                divisor = powers[drop] if drop <= largest else 10**drop
                high, low = divmod(budget, divisor)
                twice = low + low
                if twice > divisor or (twice == divisor and high & 1):
                    high += 1
                budget = high * divisor
        units, remainder = divmod(budget, price_ticks * unit_cost)
        if not remainder and units and not units % 10:
            # an exact quotient keeps trailing zeros in its exponent (2E+1 for 20), which the
            # event path carries into the order and fill: not reproduced here
            raise FastPathUnsupportedError("an all-in budget divides exactly into round lots")
        return units

    return quantity


_POWERS_OF_TEN = [10**exponent for exponent in range(400)]


def _digits(value: int) -> int:
    """Decimal digits of a positive int (as ``len(str(value))``, without building the string)."""
    estimate = (value.bit_length() * 1233) >> 12  # floor(bits x log10(2)), at most 1 short
    if estimate + 1 >= len(_POWERS_OF_TEN):
        return len(str(value))
    return estimate + 1 if value >= _POWERS_OF_TEN[estimate] else estimate


def slipped_ticks(raw_ticks: list[int], buy: bool, model: SlippageModel) -> list[int]:
    """Fill prices in ticks after ``model`` (FixedBasisPoints or none): moved ``bps`` against
    the taker and rounded to the tick against it (buys up, sells down)."""
    if not isinstance(model, FixedBasisPoints):
        return raw_ticks
    coefficient, exponent = integer_parts(model.bps)
    denominator = _BASIS_POINTS * 10 ** max(0, -exponent)
    moved = coefficient * 10 ** max(0, exponent)
    if buy:
        factor = denominator + moved
        return [-((-raw * factor) // denominator) for raw in raw_ticks]
    factor = denominator - moved
    return [(raw * factor) // denominator for raw in raw_ticks]
