"""The loop's orders as columns, and the Decimal fill prices they use: what both the settled
figures (``materialise``) and the objects built on first read (``objects``) are made from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from paperdesk.domain import Instrument, Side
from paperdesk.engine.equity_curve import datetime_index
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.engine.fastpath.loop import FILLED, ORDER_FIELDS
from paperdesk.engine.fastpath.vectorised import OrderTable
from paperdesk.execution import NoSlippage, SlippageModel

T = TypeVar("T")
SIDES = {1: Side.BUY, -1: Side.SELL}


class Picker:
    """Takes the items at fixed ascending positions from a sequence."""

    __slots__ = ("_get", "_indices", "_prefix")

    def __init__(self, indices: list[int]) -> None:
        self._indices = indices
        # positions 0, 1, ..., n - 1 (e.g. every order filled): a slice does
        self._prefix = len(indices) if indices and indices[-1] == len(indices) - 1 else None
        self._get = itemgetter(*indices) if len(indices) > 1 and self._prefix is None else None

    def __call__(self, items: Sequence[T]) -> list[T]:
        if self._prefix is not None:
            return list(items[: self._prefix])
        if self._get is None:
            return [items[index] for index in self._indices]
        return list(self._get(items))


@dataclass(frozen=True, slots=True)
class OrderColumns:
    """The loop's orders (``loop.ORDER_FIELDS``) column by column, and the positions of the filled
    ones (the fills, in order)."""

    signal_of: list[int]
    roles: list[int]
    sides: list[int]
    quantities: list[int]
    statuses: list[int]
    ticks: list[int]
    fees: list[int]
    filled: list[int]
    pick: Picker  # takes the items at the fills' positions

    @classmethod
    def of(cls, flat: list[int]) -> OrderColumns:
        signal_of, roles, sides, quantities, statuses, ticks, fees = (
            flat[field::ORDER_FIELDS] for field in range(ORDER_FIELDS)
        )
        filled: list[int] = np.flatnonzero(np.array(statuses, dtype=np.int8) == FILLED).tolist()
        return cls(
            signal_of, roles, sides, quantities, statuses, ticks, fees, filled, Picker(filled)
        )

    @classmethod
    def of_table(cls, table: OrderTable) -> OrderColumns:
        filled: list[int] = np.flatnonzero(table.statuses == FILLED).tolist()
        return cls(
            table.signal_of.tolist(),
            table.roles.tolist(),
            table.sides.tolist(),
            table.quantities.tolist(),
            table.statuses.tolist(),
            table.ticks.tolist(),
            table.fees.tolist(),
            filled,
            Picker(filled),
        )


class FillPrices:
    """The Decimal price and per-unit slippage of the fills, as the simulated venue computes them:
    the open's ``Decimal(repr(float))`` (eligibility put every open on the tick, so the float is
    the one nearest ticks / 10**places), moved by the slippage model; checked against the loop's
    integer fill ticks. Computed once per distinct (open, side)."""

    def __init__(
        self,
        raw_ticks: list[int],
        sides: list[int],
        ticks: list[int],
        slippage: SlippageModel,
        scale: MoneyScale,
        instrument: Instrument,
    ) -> None:
        """``raw_ticks``, ``sides``, ``ticks``: each fill's open, side and fill price (ticks).
        Without slippage the prices are the opens, made when first asked for."""
        self._tick_places = scale.tick_places
        self._raw_ticks = raw_ticks
        self._exact = isinstance(slippage, NoSlippage)  # the price is the open
        self._opens: dict[int, Decimal] | None = None
        self._price_of: dict[tuple[int, int], Decimal] = {}
        self._slip_of: dict[tuple[int, int], Decimal] = {}
        self._zeros: dict[int, Decimal] | None = None
        if self._exact:
            return
        tick_unit = Decimal(1).scaleb(-scale.tick_places)
        for raw, side, tick in set(zip(raw_ticks, sides, ticks, strict=True)):
            open_ = self._raw_of[raw]
            price = slippage.adjust(open_, SIDES[side], instrument)
            if price != tick * tick_unit:
                raise FastPathUnsupportedError("integer slippage differs from the model")
            self._price_of[raw, side] = price
            self._slip_of[raw, side] = price - open_ if side > 0 else open_ - price

    @property
    def _raw_of(self) -> dict[int, Decimal]:
        """Each distinct open's Decimal (``Decimal(repr(float))``, as the venue makes it)."""
        if self._opens is None:
            tick_scale = 10**self._tick_places
            self._opens = {raw: Decimal(repr(raw / tick_scale)) for raw in set(self._raw_ticks)}
        return self._opens

    def least_exponent(self) -> int | None:
        """The least exponent of the fill prices (None without fills)."""
        if not self._raw_ticks:
            return None
        if self._exact and max(self._raw_ticks) < _PLAIN_TICKS:
            return open_exponent(self._raw_ticks, self._tick_places)
        prices = self._raw_of.values() if self._exact else self._price_of.values()
        return min(exponent(price) for price in prices)

    def prices(self, raw_ticks: list[int], sides: list[int]) -> list[Decimal]:
        """The fill prices of fills at these opens and sides."""
        if self._exact:
            return list(map(self._raw_of.__getitem__, raw_ticks))
        return list(map(self._price_of.__getitem__, zip(raw_ticks, sides, strict=True)))

    def slippages(self, raw_ticks: list[int], sides: list[int]) -> list[Decimal]:
        """The per-unit slippage (against the taker) of fills at these opens and sides."""
        if self._exact:
            if self._zeros is None:
                self._zeros = {raw: price - price for raw, price in self._raw_of.items()}
            return list(map(self._zeros.__getitem__, raw_ticks))
        return list(map(self._slip_of.__getitem__, zip(raw_ticks, sides, strict=True)))


_PLAIN_TICKS = 10**15  # a whole number of ticks below this has at most 15 significant digits


def open_exponent(raw_ticks: list[int], places: int) -> int:
    """The least exponent of ``Decimal(repr(tick / 10**places))`` over ``raw_ticks`` (each below
    ``_PLAIN_TICKS``): a decimal of at most 15 significant digits is the only one of that many
    digits a double holds, so the float's shortest repr is that decimal, trailing zeros dropped
    but one kept after the point ("12.5", "12.0"; "1e-08" has the exponent of 0.00000001): the
    exponent is minus its decimals, at most -1."""
    ticks = np.asarray(raw_ticks, dtype=np.int64)
    decimals = 1
    for place in range(places, 1, -1):  # the most decimals any open shows
        if (ticks % 10 ** (places - place + 1)).any():
            decimals = place
            break
    return -decimals


def exponent(value: Decimal) -> int:
    found = value.as_tuple().exponent
    if not isinstance(found, int):
        raise FastPathUnsupportedError(f"{value} is not finite")
    return found


def datetimes(nanoseconds: npt.NDArray[np.int64]) -> list[datetime]:
    """The UTC datetimes of ``nanoseconds`` (equal to the event driver's ``_EPOCH +
    microseconds`` for the whole microseconds after the epoch that eligibility asks)."""
    if not len(nanoseconds):
        return []
    stamps: list[datetime] = datetime_index(nanoseconds).to_pydatetime().tolist()
    return stamps
