"""The loop's orders as columns, and the Decimal fill prices they use: what both the settled
figures (``materialise``) and the objects built on first read (``objects``) are made from."""

from __future__ import annotations

from collections.abc import Sequence
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
from paperdesk.engine.fastpath.loop import CANCELED, ENTRY, FILLED, ORDER_FIELDS
from paperdesk.engine.fastpath.vectorised import OrderTable
from paperdesk.execution import NoSlippage, SlippageModel

T = TypeVar("T")
NOTHING_FITS = "nothing fits at fill"  # the venue's reason for an entry canceled at its fill
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


class OrderColumns:
    """The loop's orders (``loop.ORDER_FIELDS``) column by column, and the positions of the filled
    ones (the fills, in order). From the array form (``of_table``) the columns stay arrays until
    a list is first asked for (the objects, built on first read): the settled figures use the
    array summaries below."""

    __slots__ = ("_lists", "_pick", "_table")

    def __init__(self, lists: dict[str, list[int]] | None, table: OrderTable | None) -> None:
        self._lists = lists or {}
        self._table = table
        self._pick: Picker | None = None

    @classmethod
    def of(cls, flat: list[int]) -> OrderColumns:
        names = ("signal_of", "roles", "sides", "quantities", "statuses", "ticks", "fees")
        lists = {name: flat[field::ORDER_FIELDS] for field, name in enumerate(names)}
        statuses = np.array(lists["statuses"], dtype=np.int8)
        lists["filled"] = np.flatnonzero(statuses == FILLED).tolist()
        return cls(lists, None)

    @classmethod
    def of_table(cls, table: OrderTable) -> OrderColumns:
        return cls(None, table)

    def _list(self, name: str) -> list[int]:
        found = self._lists.get(name)
        if found is None:
            assert self._table is not None
            if name == "filled":
                found = self._filled_array().tolist()
            else:
                found = getattr(self._table, name).tolist()
            self._lists[name] = found
        return found

    def _filled_array(self) -> npt.NDArray[np.intp]:
        assert self._table is not None
        return np.flatnonzero(self._table.statuses == FILLED)

    signal_of = property(lambda self: self._list("signal_of"))
    roles = property(lambda self: self._list("roles"))
    sides = property(lambda self: self._list("sides"))
    quantities = property(lambda self: self._list("quantities"))
    statuses = property(lambda self: self._list("statuses"))
    ticks = property(lambda self: self._list("ticks"))
    fees = property(lambda self: self._list("fees"))
    filled = property(lambda self: self._list("filled"))

    @property
    def pick(self) -> Picker:
        """Takes the items at the fills' positions."""
        if self._pick is None:
            self._pick = Picker(self.filled)
        return self._pick

    @property
    def count(self) -> int:
        """How many orders."""
        return len(self._table.signal_of) if self._table is not None else len(self.signal_of)

    @property
    def fill_count(self) -> int:
        """How many orders filled."""
        if self._table is None:
            return len(self.filled)
        return int(np.count_nonzero(self._table.statuses == FILLED))

    def largest(self, name: str) -> int:
        """The largest value of a column (0 without orders)."""
        if self._table is None:
            return max(self._list(name), default=0)
        column = getattr(self._table, name)
        return int(column.max()) if len(column) else 0

    def total(self, name: str) -> int:
        """The exact sum of a column."""
        if self._table is None:
            return sum(self._list(name))
        return int(getattr(self._table, name).sum())

    def canceled_entries(self) -> list[int]:
        """The signals whose entry was canceled (at its fill: nothing fits), in order."""
        if self._table is None:
            roles, statuses = self._list("roles"), self._list("statuses")
            signals = self._list("signal_of")
            return [
                signal
                for signal, role, status in zip(signals, roles, statuses, strict=True)
                if role == ENTRY and status == CANCELED
            ]
        table = self._table
        canceled = (table.roles == ENTRY) & (table.statuses == CANCELED)
        found: list[int] = table.signal_of[canceled].tolist()
        return found

    def filled_column(self, name: str) -> npt.NDArray[np.int64] | npt.NDArray[np.object_]:
        """A column's values at the fills, as an array."""
        if self._table is None:
            return np.array(self.pick(self._list(name)))
        values: npt.NDArray[np.int64] = getattr(self._table, name)[self._filled_array()]
        return values


class FillPrices:
    """The Decimal price and per-unit slippage of the fills, as the simulated venue computes them:
    the open's ``Decimal(repr(float))`` (eligibility put every open on the tick, so the float is
    the one nearest ticks / 10**places), moved by the slippage model; checked against the loop's
    integer fill ticks. Computed once per distinct (open, side)."""

    def __init__(
        self,
        raw_ticks: npt.NDArray[np.int64],
        sides: list[int],
        ticks: list[int],
        slippage: SlippageModel,
        scale: MoneyScale,
        instrument: Instrument,
        open_decimals: dict[int, Decimal] | None = None,
    ) -> None:
        """``raw_ticks``, ``sides``, ``ticks``: each fill's open, side and fill price (ticks).
        Without slippage the prices are the opens, made when first asked for.
        ``open_decimals``: each open's exact Decimal by its ticks, on a run with no tick grid
        (``price_grid``; else the float's shortest repr)."""
        self._tick_places = scale.tick_places
        self._raw_ticks = raw_ticks
        self._exact = isinstance(slippage, NoSlippage)  # the price is the open
        self._given_opens = open_decimals is not None
        self._opens: dict[int, Decimal] | None = open_decimals
        self._price_of: dict[tuple[int, int], Decimal] = {}
        self._slip_of: dict[tuple[int, int], Decimal] = {}
        self._zeros: dict[int, Decimal] | None = None
        if self._exact:
            return
        tick_unit = Decimal(1).scaleb(-scale.tick_places)
        for raw, side, tick in set(zip(raw_ticks.tolist(), sides, ticks, strict=True)):
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
            distinct = np.unique(self._raw_ticks).tolist()
            self._opens = {raw: Decimal(repr(raw / tick_scale)) for raw in distinct}
        return self._opens

    def least_exponent(self) -> int | None:
        """The least exponent of the fill prices (None without fills)."""
        if not len(self._raw_ticks):
            return None
        if self._exact and not self._given_opens and self._raw_ticks.max() < _PLAIN_TICKS:
            return open_exponent(self._raw_ticks, self._tick_places)
        if self._exact and self._given_opens:  # the given opens are every signal's
            opens = self._raw_of
            return min(exponent(opens[raw]) for raw in set(self._raw_ticks.tolist()))
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


def open_exponent(raw_ticks: npt.NDArray[np.int64] | list[int], places: int) -> int:
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


def shared_datetimes(nanoseconds: npt.NDArray[np.int64]) -> list[datetime]:
    """``datetimes(nanoseconds)`` with one object per distinct instant (an order's legs and
    the orders of one bar share theirs): equal values, a fraction of the memory."""
    if not len(nanoseconds):
        return []
    distinct, positions = np.unique(nanoseconds, return_inverse=True)
    stamps = datetimes(distinct)
    return [stamps[position] for position in positions.tolist()]


_EXACT_FLOAT = 2**53  # integers below this in magnitude are exact as floats


def units_to_floats(
    units: Sequence[int] | npt.NDArray[np.int64], places: int
) -> npt.NDArray[np.float64]:
    """``units x 10**-places`` as the nearest floats (exactly what ``float(Decimal)`` gives):
    one correctly rounded division of two exact floats when both are exact, else Python's
    correctly rounded integer division."""
    divisor = 10**places
    if not len(units):
        return np.zeros(0)
    if isinstance(units, np.ndarray) and units.dtype == object:
        units = units.tolist()  # Python ints, of any size
    array = units if isinstance(units, np.ndarray) else None
    low, high = (array.min(), array.max()) if array is not None else (min(units), max(units))
    if places <= 22 and low > -_EXACT_FLOAT and high < _EXACT_FLOAT:
        floats: npt.NDArray[np.float64] = np.asarray(units, dtype=np.int64) / float(divisor)
        return floats
    exact = units.tolist() if isinstance(units, np.ndarray) else units  # Python ints
    return np.array([unit / divisor for unit in exact], dtype=np.float64)
