"""The prices of a run on no tick grid (an instrument of tick 0: an adjusted series, whose exact
prices are raw x the bar's ``price_scale`` with up to 17 decimals, or any series traded without a
tick) as whole units of one power of ten, so the fast path's integer money decides exactly as the
Decimal ledger.

The event kernel fills at the bar's exact open (``BarArrays.open_price``), moves it by the
slippage model and rounds it to no tick (``round_to_increment`` with an increment of 0 keeps every
digit); it sizes at the signal bar's exact close and marks at the last bar's exact close. All of
those are exact multiples of 10**-places, where ``places`` is the most decimals any of the run's
fill opens and signal closes has, plus the decimals of the slippage factor ``bps / 10000``: a
slipped price ``open x (1 +- bps / 10000)`` is then a whole number of units, so the fast path's
slippage rule (round the moved price to the unit against the taker) moves it exactly, and its
integer money is the ledger's. The Decimals themselves (their exponents show in the fills and
the cash) are the kernel's own: each distinct open's is kept by its units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import decimal_places
from paperdesk.execution import FixedBasisPoints, NoSlippage, SlippageModel

_BASIS_POINTS = Decimal(10_000)
_MOST_PLACES = 30  # beyond this the ledger's amounts leave the Decimal context anyway
_INT64_SAFE = 2**62


class ExactBars(Protocol):
    """The exact Decimal prices of the bars (``data.bar_convert.BarArrays``)."""

    def open_price(self, i: int) -> Decimal: ...

    def close_price(self, i: int) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class PriceGrid:
    """The run's prices in units of 10**-places: the fill opens (``raw_ticks``, one per signal,
    the next bar's) and the signal closes (``close_ticks``), int64 where every product of the
    loops fits, else Python ints; each distinct open's exact Decimal by its units; the last
    bar's exact close (the final mark); the opens of ``exit_rows`` (a holding limit's exits
    fill there) by their row."""

    places: int
    raw_ticks: npt.NDArray[Any]  # int64, or object (Python ints) where int64 could overflow
    close_ticks: npt.NDArray[Any]
    open_decimals: dict[int, Decimal]
    last_close: Decimal
    exit_opens: dict[int, int]


def slippage_places(slippage: SlippageModel) -> int:
    """The decimals the slippage model adds to a price (that of ``bps / 10000``)."""
    if isinstance(slippage, NoSlippage):
        return 0
    if isinstance(slippage, FixedBasisPoints):
        return decimal_places(slippage.bps / _BASIS_POINTS)
    raise FastPathUnsupportedError(f"slippage model {type(slippage).__name__}")


def grid_places(prices: list[Decimal], slippage: SlippageModel) -> int:
    """The most decimals of ``prices`` plus the slippage factor's."""
    exponents = [price.as_tuple().exponent for price in prices]
    if not all(isinstance(exponent, int) for exponent in exponents):
        raise FastPathUnsupportedError("a price that is not finite")
    least = min(exponents, default=0)
    assert isinstance(least, int)
    places = max(0, -least) + slippage_places(slippage)
    if places > _MOST_PLACES:
        raise FastPathUnsupportedError("prices have too many decimals")
    return places


def grid_units(
    prices: list[Decimal],
    slippage: SlippageModel,
    check_places: Callable[[int], None] | None = None,
) -> tuple[int, list[int]]:
    """(places, each price in units of 10**-places): ``places`` the most decimals of
    ``prices`` plus the slippage factor's; ``check_places`` may refuse it first."""
    places = grid_places(prices, slippage)
    if check_places is not None:
        check_places(places)
    # exact: each price's coefficient fits the context, and ``places`` covers its decimals
    return places, [int(price.scaleb(places)) for price in prices]


def unit_dtype(units: list[int], slippage: SlippageModel) -> type:
    """int64 where a price times the slippage factor (below 10**5 x 10**its places) still fits,
    else object (Python ints)."""
    largest = max(map(abs, units), default=0)
    return np.int64 if largest * 10 ** (slippage_places(slippage) + 5) < _INT64_SAFE else object


def open_decimals_of(units: list[int], opens: list[Decimal]) -> dict[int, Decimal]:
    """Each distinct open's Decimal by its units; one value with two exponents (97.3 x 1 and
    48.65 x 2) is given up on (which one a fill shows is its bar's)."""
    found: dict[int, Decimal] = {}
    for unit, price in zip(units, opens, strict=True):
        known = found.setdefault(unit, price)
        if known is not price and repr(known) != repr(price):
            raise FastPathUnsupportedError("an open's Decimal differs between bars")
    return found


def price_grid(
    bars: ExactBars,
    fill_rows: list[int],
    signal_rows: list[int],
    last_row: int,
    slippage: SlippageModel,
    check_places: Callable[[int], None] | None = None,
    exit_rows: list[int] | None = None,
) -> PriceGrid:
    """The grid of a run whose signals at ``signal_rows`` fill at the opens of ``fill_rows``,
    and whose orders of no signal (a holding limit's exits) may fill at the opens of
    ``exit_rows``. ``check_places`` may refuse the places (``FastPathUnsupportedError``) before
    the units are made."""
    exit_rows = exit_rows or []
    opens = [bars.open_price(row) for row in [*fill_rows, *exit_rows]]
    closes = [bars.close_price(row) for row in signal_rows]
    last_close = bars.close_price(last_row)
    places, units = grid_units([*opens, *closes, last_close], slippage, check_places)
    count, fills = len(opens), len(fill_rows)
    open_units, close_units = units[:count], units[count : count + len(closes)]
    dtype = unit_dtype(units, slippage)
    return PriceGrid(
        places,
        np.array(open_units[:fills], dtype=dtype),
        np.array(close_units, dtype=dtype),
        open_decimals_of(open_units, opens),
        last_close,
        dict(zip(exit_rows, open_units[fills:], strict=True)),
    )
