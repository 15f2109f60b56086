"""The Decimal prices of a bracket run's fills, as the simulated venue makes them: a fill at a
bar's open takes the open's ``Decimal(repr(float))``, a fill at a leg's level the leg's Decimal
(``bracket_levels``); market-like fills (entries, exits, stop-losses) then pay the slippage
model, a take-profit (a limit) does not. Checked against the loop's integer ticks."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from paperdesk.domain import Instrument
from paperdesk.engine.fastpath.bracket_levels import LegLevels
from paperdesk.engine.fastpath.bracket_loop import (
    AT_OPEN,
    KIND,
    ROW,
    SIDE,
    SIGNAL,
    SOURCE,
    STOP,
    TARGET,
    TICKS,
)
from paperdesk.engine.fastpath.columns import SIDES, exponent, open_exponent
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.execution import NoSlippage, SlippageModel

_PLAIN_TICKS = 10**15  # see columns.open_exponent


class BracketFillPrices:
    """Each fill's Decimal price and per-unit slippage (against the taker)."""

    def __init__(
        self,
        fills: list[list[int]],
        raw_opens: npt.NDArray[np.int64],
        levels: LegLevels,
        slippage: SlippageModel,
        instrument: Instrument,
        open_decimals: dict[int, Decimal] | None = None,
    ) -> None:
        """``fills``: the loop's filled orders; ``raw_opens``: each bar's open in ticks, of which
        only the fills' are kept (at their ROW); ``open_decimals``: each open's exact Decimal
        by its units on no tick grid (``bracket_grid``; else the float's shortest repr)."""
        self._fills = fills
        self._fill_opens = raw_opens[np.array([fill[ROW] for fill in fills], dtype=np.intp)]
        self._levels = levels
        self._slippage = slippage
        self._instrument = instrument
        self._places = levels.places
        self._exact = isinstance(slippage, NoSlippage)
        self._given_opens = open_decimals is not None
        self._opens: dict[int, Decimal] = {} if open_decimals is None else open_decimals
        self._built: tuple[list[Decimal], list[Decimal]] | None = None
        if not self._exact:  # every slipped price checked now: the objects cannot fail later
            self.build()

    def _open(self, raw: int) -> Decimal:
        found = self._opens.get(raw)
        if found is None:
            found = self._opens[raw] = Decimal(repr(raw / 10**self._places))
        return found

    def build(self) -> tuple[list[Decimal], list[Decimal]]:
        """(prices, slippages) of the fills, in order."""
        if self._built is not None:
            return self._built
        tick_unit = Decimal(1).scaleb(-self._places)
        levels, slippage, instrument = self._levels, self._slippage, self._instrument
        prices: list[Decimal] = []
        slips: list[Decimal] = []
        slipped_opens: dict[tuple[int, int], Decimal] = {}
        zeros: dict[int, Decimal] = {}  # raw - raw, one per raw (kept alive in ``prices``)
        for fill, open_ticks in zip(self._fills, self._fill_opens.tolist(), strict=True):
            kind = fill[KIND]
            if fill[SOURCE] == AT_OPEN:
                raw = self._open(open_ticks)
            else:
                raw = levels.decimal(fill[SIGNAL], kind == STOP)
            if self._exact or kind == TARGET:
                price = raw
                slip = zeros.get(id(raw))  # a Decimal zero is falsy: no ``or`` here
                if slip is None:
                    slip = zeros[id(raw)] = raw - raw
            else:
                key = (fill[ROW], fill[SIDE]) if fill[SOURCE] == AT_OPEN else None
                cached = slipped_opens.get(key) if key is not None else None
                price = (
                    cached
                    if cached is not None
                    else slippage.adjust(raw, SIDES[fill[SIDE]], instrument)
                )
                if key is not None:
                    slipped_opens[key] = price
                if price != fill[TICKS] * tick_unit:
                    raise FastPathUnsupportedError("integer slippage differs from the model")
                slip = price - raw if fill[SIDE] > 0 else raw - price
            prices.append(price)
            slips.append(slip)
        self._built = (prices, slips)
        return self._built

    def release(self) -> None:
        """Lets the loop's rows go once the prices are built (as ``build`` then returns them)."""
        self.build()
        self._fills = []

    def least_exponent(self) -> int | None:
        """The least exponent of the fill prices (None without fills)."""
        if not self._fills:
            return None
        if not self._exact:
            return min(exponent(price) for price in self.build()[0])
        at_open = np.array([fill[SOURCE] == AT_OPEN for fill in self._fills])
        least: int | None = None
        if at_open.any():
            raw = self._fill_opens[at_open]
            if not self._given_opens and raw.max() < _PLAIN_TICKS:
                least = open_exponent(raw, self._places)
            else:
                least = min(exponent(self._open(int(tick))) for tick in raw.tolist())
        levels = self._levels
        for fill in self._fills:
            if fill[SOURCE] != AT_OPEN:
                found = levels.exponent(fill[SIGNAL], fill[KIND] == STOP)
                least = found if least is None else min(least, found)
        return least
