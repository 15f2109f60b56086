"""The bracket legs' prices of a signal frame in whole ticks, as the order book makes them: the
signal's float stop or target as ``Decimal(repr(float))``, rounded to the tick against the trader
(``execution.orders_from_intents.round_against_trader``: a long's stop and a short's target down,
a long's target and a short's stop up), and the Decimal each leg carries.

The ticks come from one float product per level where that is certain; a level whose product
lies within a relative 1e-9 of a whole tick (a level on the tick, whose Decimal keeps an exponent
of its own, or one too close to call) is rounded by the order book's own function."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from paperdesk.domain import Instrument, Side, to_decimal
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.execution.orders_from_intents import round_against_trader

NO_LEVEL = -1
"""The ticks of a leg a signal does not set."""

_MARGIN = 1e-9  # far above the float product's error (a few 2**-53 relatively)


@dataclass(frozen=True, slots=True)
class LegLevels:
    """Per signal: the stop and target legs' prices in ticks (``NO_LEVEL`` without one) for an
    entry on the signal's own side, and the Decimal of each leg (``decimal``)."""

    stop_ticks: npt.NDArray[np.int64]
    target_ticks: npt.NDArray[np.int64]
    stops: npt.NDArray[np.float64]
    targets: npt.NDArray[np.float64]
    sides: npt.NDArray[np.int64]  # the entry's side the levels were rounded for (0: none)
    exact: dict[tuple[int, bool], Decimal]  # the levels rounded by the order book's function
    places: int
    instrument: Instrument
    shared: dict[int, Decimal] = field(default_factory=dict)  # one Decimal per tick count
    exact_prices: bool = False  # on no tick grid: the loop compares highs and lows in units

    def decimal(self, signal: int, is_stop: bool) -> Decimal:
        """The leg's price as the order book gives it."""
        found = self.exact.get((signal, is_stop))
        if found is not None:
            return found
        ticks = int(self.stop_ticks[signal] if is_stop else self.target_ticks[signal])
        found = self.shared.get(ticks)
        if found is None:
            found = self.shared[ticks] = Decimal(ticks).scaleb(-self.places)
        return found

    def exponent(self, signal: int, is_stop: bool) -> int:
        """The exponent of ``decimal(signal, is_stop)``."""
        found = self.exact.get((signal, is_stop))
        if found is None:
            return -self.places
        exponent = found.as_tuple().exponent
        assert isinstance(exponent, int)
        return exponent


def leg_levels(
    stops: npt.NDArray[np.float64],
    targets: npt.NDArray[np.float64],
    sides: npt.NDArray[np.int64],
    places: int,
    instrument: Instrument,
) -> LegLevels:
    """The legs of each signal whose ``sides`` entry is 1 (long) or -1 (short); NaN levels and
    signals of side 0 (no entry) have none. Raises ``FastPathUnsupportedError`` for a level the
    order book would refuse (not positive, or rounded to no tick)."""
    exact: dict[tuple[int, bool], Decimal] = {}
    stop_ticks = _ticks(stops, sides, places, True, instrument, exact)
    target_ticks = _ticks(targets, sides, places, False, instrument, exact)
    return LegLevels(stop_ticks, target_ticks, stops, targets, sides, exact, places, instrument)


def _ticks(
    levels: npt.NDArray[np.float64],
    sides: npt.NDArray[np.int64],
    places: int,
    is_stop: bool,
    instrument: Instrument,
    exact: dict[tuple[int, bool], Decimal],
) -> npt.NDArray[np.int64]:
    ticks = np.full(len(levels), NO_LEVEL, dtype=np.int64)
    present = ~np.isnan(levels) & (sides != 0)
    if not present.any():
        return ticks
    if not ((levels[present] > 0) & (levels[present] < 1e12)).all():
        raise FastPathUnsupportedError("a stop or target that is not a positive price")
    scaled = levels * 10.0**places
    # a long's stop and a short's target round down, the others up
    down = (sides > 0) == is_stop
    lower = np.floor(scaled)
    rounded = np.where(down, lower, np.ceil(scaled))
    near = np.minimum(scaled - lower, lower + 1 - scaled) <= _MARGIN * np.abs(scaled)
    ticks[present] = rounded[present].astype(np.int64)
    for signal in np.flatnonzero(present & near).tolist():
        side = Side.SELL if sides[signal] > 0 else Side.BUY  # the legs' side
        price = to_decimal(float(levels[signal]), "stop" if is_stop else "target")
        leg = round_against_trader(price, side, is_stop, instrument)
        exact[signal, is_stop] = leg
        whole = leg.scaleb(places)
        if whole != whole.to_integral_value():
            raise FastPathUnsupportedError("a leg price off the tick")
        ticks[signal] = int(whole)
    if (ticks[present] < 1).any():
        raise FastPathUnsupportedError("a leg price rounds to no tick")
    return ticks


def level_decimals(
    stops: npt.NDArray[np.float64],
    targets: npt.NDArray[np.float64],
    sides: npt.NDArray[np.int64],
    instrument: Instrument,
) -> dict[tuple[int, bool], Decimal]:
    """On no tick grid (tick 0): each leg's Decimal, (signal, is_stop) -> the float's shortest
    repr as the order book rounds it (``round_against_trader`` keeps every digit on tick 0)."""
    found: dict[tuple[int, bool], Decimal] = {}
    for levels, is_stop in ((stops, True), (targets, False)):
        present = ~np.isnan(levels) & (sides != 0)
        if not ((levels[present] > 0) & (levels[present] < 1e12)).all():
            raise FastPathUnsupportedError("a stop or target that is not a positive price")
        for signal in np.flatnonzero(present).tolist():
            side = Side.SELL if sides[signal] > 0 else Side.BUY  # the legs' side
            price = to_decimal(float(levels[signal]), "stop" if is_stop else "target")
            found[signal, is_stop] = round_against_trader(price, side, is_stop, instrument)
    return found


def grid_levels(
    decimals: dict[tuple[int, bool], Decimal],
    units: list[int],
    stops: npt.NDArray[np.float64],
    targets: npt.NDArray[np.float64],
    sides: npt.NDArray[np.int64],
    places: int,
    instrument: Instrument,
) -> LegLevels:
    """The legs of ``level_decimals`` in units of 10**-places (``units`` in its order; Python
    ints), each leg's Decimal its own."""
    count = len(sides)
    stop_ticks = np.full(count, NO_LEVEL, dtype=object)
    target_ticks = np.full(count, NO_LEVEL, dtype=object)
    for (signal, is_stop), unit in zip(decimals, units, strict=True):
        if unit < 1:
            raise FastPathUnsupportedError("a leg price rounds to no unit")
        (stop_ticks if is_stop else target_ticks)[signal] = unit
    return LegLevels(
        stop_ticks, target_ticks, stops, targets, sides, decimals, places, instrument,
        exact_prices=True,
    )  # fmt: skip
