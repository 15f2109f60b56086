"""Paperdesk's money rules (fee, slippage, all-in sizing) in whole integer units, so the fast
path's loop decides exactly as the Decimal ledger; tests prove it identical to the event kernel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, getcontext
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from paperdesk.engine.fastpath import compiled
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.execution import (
    FeeModel,
    FixedBasisPoints,
    NoFee,
    PercentOfNotional,
    PerShare,
    SlippageModel,
)

_HUNDRED = Decimal(100)
_BASIS_POINTS = 10_000


def exact_limit() -> int:
    """The bound, in money units, below which the ledger's Decimal amounts are exact in the
    current Decimal context: 10**(prec - 1) (10**49 at ``paperdesk.MONEY_PRECISION``, 10**27 in
    Python's default 28-digit context, the bound the fast path hardcoded before).

    Why it holds: every amount the ledger forms (the cash, a fill's notional q x price and its
    fee, a trade's P&L, a partial sum of fills and fees) is a whole number N of money units of
    10**-money_places, the unit chosen as the least exponent of the run's prices (``grid_places``
    keeps trailing zeros; a tick is the price's own exponent) plus the slippage factor's and the
    fee rate's decimals (``MoneyScale``). Its exact Decimal is N' x 10**e with e no lower than the
    unit's exponent, so |N'| = |N| / 10**(e + money_places) <= |N| < 10**(prec - 1): at most
    prec - 1 significant digits. An addition or subtraction of two such
    amounts (each cash update is one) is below 2 x 10**(prec - 1) < 10**prec, a product q x price
    is N itself: every result fits the context's prec digits, so no operation rounds and each
    Decimal equals its integer. The callers check the largest amount (or a bound on every partial
    sum) against this limit; at or above it they give up (the event kernel runs the run). The
    context is read when called: the run's own (``paperdesk`` raises every process's to at least
    50 digits)."""
    return int(10 ** (getcontext().prec - 1))


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
class PerShareUnits:
    """``PerShare`` in money units: ``rate`` per unit traded, at least ``minimum``, at most
    ``cap_per_tick`` per unit per price tick (the maximum percent of the notional; None: no
    maximum). Each is whole in the money unit (``MoneyScale.for_run`` picks it so)."""

    rate: int
    minimum: int
    cap_per_tick: int | None

    def fee(self, quantity: int, price_ticks: int) -> int:
        """``PerShare.fee`` of ``quantity`` >= 0 units (0 units still pay the minimum, as the
        model charges)."""
        amount = max(self.rate * quantity, self.minimum)
        cap = self.cap_per_tick
        if cap is not None:
            amount = min(amount, quantity * price_ticks * cap)
        return amount


@dataclass(frozen=True, slots=True)
class MoneyScale:
    """Money in units of 10**-money_places; prices in ticks of 10**-tick_places.

    ``units_per_tick`` is the money of one unit traded at one tick; ``fee_per_tick`` the fee of
    one unit at one tick (PercentOfNotional: notional x percent / 100, exact in these units; 0
    with a per-share fee, which ``per_share`` carries: not linear in the notional, so only the
    code that calls ``fee`` takes it).
    """

    tick_places: int
    money_places: int
    units_per_tick: int
    fee_per_tick: int
    per_share: PerShareUnits | None = None

    @classmethod
    def for_run(cls, tick_places: int, fee_model: FeeModel) -> MoneyScale:
        if isinstance(fee_model, PerShare):
            return cls._per_share(tick_places, fee_model)
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

    @classmethod
    def _per_share(cls, tick_places: int, fee_model: PerShare) -> MoneyScale:
        """The unit in which a notional, the rate x a quantity, the minimum and the maximum
        percent's share of a notional are all whole: the most decimals of the four."""
        cap = None if fee_model.maximum_percent is None else fee_model.maximum_percent / _HUNDRED
        money_places = max(
            tick_places,
            decimal_places(fee_model.rate),
            decimal_places(fee_model.minimum),
            tick_places + (0 if cap is None else decimal_places(cap)),
        )
        units_per_tick = 10 ** (money_places - tick_places)
        per_share = PerShareUnits(
            int(fee_model.rate.scaleb(money_places)),
            int(fee_model.minimum.scaleb(money_places)),
            None if cap is None else int(cap * units_per_tick),
        )
        return cls(tick_places, money_places, units_per_tick, 0, per_share)

    def fee(self, quantity: int, price_ticks: int) -> int:
        """The fee of ``quantity`` units at ``price_ticks``, in money units (exact)."""
        per_share = self.per_share
        if per_share is None:
            return quantity * price_ticks * self.fee_per_tick
        return per_share.fee(quantity, price_ticks)

    def exit_fee(self, quantity: int, price_ticks: int) -> int:
        """The fee the router deducts for closing ``quantity`` held units (signed or not) at
        ``price_ticks``: none when nothing is held (a per-share fee's minimum is not charged
        for nothing)."""
        return self.fee(abs(quantity), price_ticks) if quantity else 0

    def linear(self) -> MoneyScale:
        """This scale, asserting the fee is linear in the notional (``fee_per_tick``): the
        all-in and bracket loops read it directly; a per-share fee gives up there."""
        if self.per_share is not None:
            raise FastPathUnsupportedError("a per-share fee outside the loop sized at the signal")
        return self

    def to_decimal(self, units: int) -> Decimal:
        return Decimal(units).scaleb(-self.money_places)


class AllInSizer:
    """``max_affordable_quantity(equity x fraction, price)`` for lot size 1 and a fee linear in
    the notional: the largest q with q x price x (1 + rate) <= budget, where the budget is
    equity x fraction rounded as the Decimal context rounds it (precision, half-even).

    ``quantity(equity_units, price_ticks)``: the whole units an all-in entry buys; 0 if none.
    ``fast_quantity``: the same, from one float quotient where that is certain.
    ``entries(prices, increments, cash)``: the all-in recurrence of a run whose entries all fill
    (see ``_all_in_entries``).
    """

    __slots__ = ("_ends", "entries", "fast_quantity", "quantity")

    def __init__(self, fraction: Decimal, scale: MoneyScale) -> None:
        coefficient, spread, precision = fraction_terms(fraction)
        unit_cost = (scale.linear().units_per_tick + scale.fee_per_tick) * spread
        self.quantity: Callable[[int, int], int] = _all_in_quantity(
            coefficient, unit_cost, precision
        )
        self.fast_quantity, self.entries, self._ends = _fast_all_in_quantity(
            coefficient, unit_cost, precision, self.quantity
        )

    def undecided(
        self, equities: npt.NDArray[Any], prices: npt.NDArray[Any]
    ) -> npt.NDArray[np.bool_]:
        """Where ``fast_quantity`` would ask the exact rule (which may refuse the quotient):
        everywhere else its float ends decide, and the exact quotient is not whole."""
        count = len(equities)
        if self._ends is None or equities.dtype != np.int64 or prices.dtype != np.int64:
            return np.ones(count, dtype=bool)
        low, high = self._ends
        inside = (equities > 0) & (equities < _EXACT_FLOAT) & (prices > 0) & (prices < _EXACT_FLOAT)
        divisors = np.where(inside, prices, 1).astype(np.float64)
        amounts = equities.astype(np.float64)
        decided = np.floor(amounts * (low / divisors)) == np.floor(amounts * (high / divisors))
        undecided: npt.NDArray[np.bool_] = ~(inside & decided)
        return undecided


Quantities = list[int] | npt.NDArray[np.int64]
"""The entries' quantities: a list of ints, or (from the compiled loop) an int64 array of them."""


class Entries(Protocol):
    """``AllInSizer.entries``: (the quantities, the final cash), or None. The quantities are a
    list, or with ``as_array`` possibly the compiled loop's int64 array of the same values."""

    def __call__(
        self,
        prices: npt.NDArray[np.int64],
        increments: npt.NDArray[np.int64],
        cash: int,
        *,
        as_array: bool = False,
    ) -> tuple[Quantities, int] | None: ...


def _fast_all_in_quantity(
    coefficient: int, unit_cost: int, precision: int, exact: Callable[[int, int], int]
) -> tuple[Callable[[int, int], int], Entries, tuple[float, float] | None]:
    """``AllInSizer.fast_quantity``, ``entries`` and the float ends' factors (None: the exact
    rule only): ``exact``'s quantity, read off the float quotient q = equity x ((coefficient /
    unit_cost) / price) x (1 -/+ margin) when both ends give the same whole part, else
    ``exact``'s.

    Why that is exact: with equity and price below 2**53 (exact as floats), each end carries
    four roundings (the ratio, over the price, the margin, the equity), each within 2**-53
    relatively; the budget's rounding to the context's precision moves the exact quotient by at
    most 10**(1 - precision) / 2 relatively. ``margin`` is more than twice the sum, so the
    exact quotient lies strictly between the two ends; when both have the same whole part, that
    is the quantity, and the quotient is not whole (so ``exact`` would not have refused it).
    """
    try:
        ratio = coefficient / unit_cost  # correctly rounded (int / int)
    except OverflowError:
        ratio = 0.0
    if not 1e-200 < ratio < 1e200:  # so that no product or quotient below under- or overflows
        return exact, _all_in_entries(exact, 0.0, 0.0), None
    margin = 4e-15 + 10.0 ** (1 - precision)
    low, high = ratio * (1.0 - margin), ratio * (1.0 + margin)

    def fast_quantity(equity_units: int, price_ticks: int) -> int:
        if 0 < equity_units < _EXACT_FLOAT and 0 < price_ticks < _EXACT_FLOAT:
            whole = int(equity_units * (low / price_ticks))
            if whole == int(equity_units * (high / price_ticks)):
                return whole
        return exact(equity_units, price_ticks)

    return fast_quantity, _all_in_entries(exact, low, high), (low, high)


_EXACT_FLOAT = 2**53  # integers below this are exact as floats


def _all_in_entries(exact: Callable[[int, int], int], low: float, high: float) -> Entries:
    """``AllInSizer.entries``: entry i buys q = the all-in quantity of the cash at ``prices[i]``
    (``fast_quantity``'s rule, its float ends made for every price at once, since this is the
    fast path's one loop; ``low`` 0: the exact rule only), then the cash grows by q x
    ``increments[i]`` (its round trip). Returns the quantities and the final cash, or None as
    soon as an entry buys nothing. With the compiled loops loaded (``compiled.prepare``), the
    float-first entries run compiled and only the ones it hands back run here."""

    def entries(
        prices: npt.NDArray[np.int64],
        increments: npt.NDArray[np.int64],
        cash: int,
        *,
        as_array: bool = False,
    ) -> tuple[Quantities, int] | None:
        if low > 0 and (not len(prices) or (prices.min() > 0 and prices.max() < _EXACT_FLOAT)):
            floats = prices.astype(np.float64)
            lows, highs = low / floats, high / floats
            loops = compiled.loaded()
            if loops is not None and increments.dtype == np.int64:
                found = _compiled_entries(loops, exact, prices, lows, highs, increments, cash)
                if found is None or as_array or isinstance(found[0], list):
                    return found
                return found[0].tolist(), found[1]
            return _float_first_entries(
                exact, prices.tolist(), lows.tolist(), highs.tolist(), increments.tolist(), cash
            )
        quantities: list[int] = []
        add = quantities.append
        for price, increment in zip(prices.tolist(), increments.tolist(), strict=True):
            quantity = exact(cash, price)
            if quantity <= 0:
                return None
            add(quantity)
            cash += quantity * increment
        return quantities, cash

    return entries


def _float_first_entries(
    exact: Callable[[int, int], int],
    ticks: list[int],
    lows: list[float],
    highs: list[float],
    increments: list[int],
    cash: int,
) -> tuple[list[int], int] | None:
    """``entries`` in Python: the float ends decide where they agree, else ``exact``."""
    quantities: list[int] = []
    add = quantities.append
    for index, increment in enumerate(increments):
        if 0 < cash < _EXACT_FLOAT:
            quantity = int(cash * lows[index])
            if quantity != int(cash * highs[index]):
                quantity = exact(cash, ticks[index])
        else:
            quantity = exact(cash, ticks[index])
        if quantity <= 0:
            return None
        add(quantity)
        cash += quantity * increment
    return quantities, cash


def _compiled_entries(
    loops: compiled.CompiledLoops,
    exact: Callable[[int, int], int],
    prices: npt.NDArray[np.int64],
    lows: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
    increments: npt.NDArray[np.int64],
    cash: int,
) -> tuple[Quantities, int] | None:
    """``entries`` by the compiled loop, which stops at each entry it leaves to Python (the
    exact rule, or cash beyond int64's safe range: then the rest runs in Python); the
    quantities as the loop's int64 array when it decided them all, without a list between."""
    count = len(increments)
    quantities = np.zeros(count, dtype=np.int64)
    start = 0
    while start < count:
        if not 0 < cash < _EXACT_FLOAT:  # beyond the loop's int64 bounds: the rest in Python
            rest = _float_first_entries(
                exact,
                prices[start:].tolist(),
                lows[start:].tolist(),
                highs[start:].tolist(),
                increments[start:].tolist(),
                cash,
            )
            if rest is None:
                return None
            return quantities[:start].tolist() + rest[0], rest[1]
        start, cash = loops.all_in_run(lows, highs, increments, cash, start, quantities)
        if start == count or not 0 < cash < _EXACT_FLOAT:
            continue
        decided = _float_first_entries(
            exact,
            [int(prices[start])],
            [float(lows[start])],
            [float(highs[start])],
            [int(increments[start])],
            cash,
        )
        if decided is None:
            return None
        quantities[start], cash = decided[0][0], decided[1]
        start += 1
    return quantities, cash


def _all_in_quantity(coefficient: int, unit_cost: int, precision: int) -> Callable[[int, int], int]:
    """``AllInSizer.quantity``: a closure over its constants, since the loop calls it per entry."""

    def quantity(equity_units: int, price_ticks: int) -> int:
        if equity_units <= 0 or price_ticks <= 0:
            return 0
        budget = rounded_budget(equity_units, coefficient, precision)
        units, remainder = divmod(budget, price_ticks * unit_cost)
        if not remainder and units and not units % 10:
            # an exact quotient keeps trailing zeros in its exponent (2E+1 for 20), which the
            # event path carries into the order and fill: not reproduced here
            raise FastPathUnsupportedError("an all-in budget divides exactly into round lots")
        return units

    return quantity


def fraction_terms(fraction: Decimal) -> tuple[int, int, int]:
    """A budget of equity x ``fraction`` in integers: (coefficient, spread, precision) with
    equity x fraction = equity x coefficient / spread, spread a power of ten (the costs it is
    compared with are multiplied by it), precision the Decimal context's. Gives up on a
    fraction of at most 0 and on a context that does not round half-even."""
    coefficient, exponent = integer_parts(fraction)
    if coefficient <= 0:
        raise FastPathUnsupportedError("all-in fraction must be positive")
    context = getcontext()
    if context.rounding != "ROUND_HALF_EVEN":
        raise FastPathUnsupportedError("Decimal context rounding is not half-even")
    if exponent >= 0:
        return coefficient * 10**exponent, 1, context.prec
    return coefficient, 10**-exponent, context.prec


def rounded_budget(equity_units: int, coefficient: int, precision: int) -> int:
    """equity x coefficient (both > 0) rounded to ``precision`` significant digits, half-even,
    as the Decimal context rounds the product equity x fraction."""
    budget = equity_units * coefficient
    drop = _digits(budget) - precision
    if drop <= 0:
        return budget
    divisor = _POWERS_OF_TEN[drop] if drop < len(_POWERS_OF_TEN) else int(10**drop)
    high, low = divmod(budget, divisor)
    twice = low + low
    if twice > divisor or (twice == divisor and high & 1):
        high += 1
    return high * divisor


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


def slipped_tick_array(
    raw_ticks: npt.NDArray[np.int64], buy: bool, model: SlippageModel
) -> npt.NDArray[np.int64] | npt.NDArray[np.object_]:
    """``slipped_ticks`` on an array: int64 where no product can overflow, else Python ints."""
    if not isinstance(model, FixedBasisPoints):
        return raw_ticks
    coefficient, exponent = integer_parts(model.bps)
    denominator = _BASIS_POINTS * 10 ** max(0, -exponent)
    moved = coefficient * 10 ** max(0, exponent)
    factor = denominator + moved if buy else denominator - moved
    largest = int(np.abs(raw_ticks).max(initial=0))
    if largest * max(factor, denominator) >= 2**62:
        return np.array(slipped_ticks(raw_ticks.tolist(), buy, model), dtype=object)
    if buy:
        slipped: npt.NDArray[np.int64] = -((-raw_ticks * factor) // denominator)
    else:
        slipped = (raw_ticks * factor) // denominator
    return slipped
