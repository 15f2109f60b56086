"""Rows of a bar frame as domain ``Bar`` objects: the one conversion (prices and volume are the
Decimals of the floats' shortest reprs, times whole microseconds in UTC; on an adjusted frame,
prices are the raw prices' Decimals times the bar's exact ``price_scale``, see
``paperdesk.data.adjustment``).

``BarArrays`` holds a frame's columns and builds a Bar only for the rows asked for, memoising
the price conversions and skipping the per-bar check for rows the vectorised rule passed (the
backtest's feed); ``bar_at`` converts one row of a frame through the same code. A frame with
the quote columns (``QUOTE_FIELDS``, NaN where a bar has no quote) gives its bars a ``Quote``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final, cast

import numpy as np
import pandas as pd
from pandas.arrays import DatetimeArray

from paperdesk.data.bar_rule import BarColumns, exact_decimal, utc_datetime, valid_rows
from paperdesk.domain import Bar, Quote, Timeframe
from paperdesk.domain.quotes import QUOTE_FIELDS, QUOTE_PRICE_FIELDS
from paperdesk.domain.trusted import trusted_maker

_PRICE_MEMO_SIZE = 100_000
_GAP_MEMO_SIZE: Final = 4096
_GRID_SIZE: Final = 1 << 18  # the most slots a feed's price grid holds (2 MB of them)
_GRID_SAMPLE = 64  # the values of a column its grid is chosen by
_STEP_LIMIT: Final = float(2**52)  # a step below it converts to a float exactly
_UTC = pd.DatetimeIndex([], dtype="datetime64[ns]").tz_localize("UTC").tz  # as a result's index
_bar: Final = trusted_maker(Bar)  # every field of a Bar, in order (Final: a C variable, compiled)


class BarArrays:
    """Column arrays of a bar history, and Bar objects built only for the rows asked for."""

    def __init__(self, bars: pd.DataFrame, symbol: str, timeframe: str) -> None:
        self.symbol = symbol
        self.timeframe = timeframe
        index = pd.DatetimeIndex(bars.index)
        self.opens = bars["open"].to_numpy(dtype=np.float64)
        self.highs = bars["high"].to_numpy(dtype=np.float64)
        self.lows = bars["low"].to_numpy(dtype=np.float64)
        self.closes = bars["close"].to_numpy(dtype=np.float64)
        self.volumes = bars["volume"].to_numpy(dtype=np.float64)
        self.ts_open_ns = index.as_unit("ns").asi8
        self._close_times, self._close_times_own = _close_times_ns(bars, timeframe)
        self.ts_close_ns = self._close_times.asi8
        self.length = len(bars)
        self._prices = _PriceMemo(self.closes)
        self._volumes = _PriceMemo(self.volumes)  # another range of numbers: a grid of its own
        self._exact = ExactPrices.of(bars)
        self.columns = BarColumns(
            self.opens,
            self.highs,
            self.lows,
            self.closes,
            self.volumes,
            self.ts_open_ns,
            self.ts_close_ns,
        )
        self.quotes = quote_array(bars)
        self.has_quotes = self.quotes is not None
        self._valid: np.ndarray | None = None  # ``valid``, once read
        self._cells: _Cells | None = None  # the views ``bar`` reads, once it is first called
        # ``_times``' memos: the last bar built's close (in ns, and as built), the last length
        self._last_close: tuple[int, datetime] | None = None
        self._length: tuple[int, timedelta] = (0, timedelta(0))
        self._gaps: dict[int, timedelta] = {}  # from a built close to a later open, by length

    @property
    def valid(self) -> np.ndarray:
        """Which rows pass the bar rule (``valid_rows``), decided when first read: a run that
        never reads it (the fast path with its compiled loops checks every bar in its own pass)
        never pays for it. (Memoised by hand: compiled by mypyc, a class has no ``__dict__`` for
        ``cached_property`` to keep its value in, and would decide it at every read.)"""
        if self._valid is None:
            self._valid = valid_rows(self.columns)
        return self._valid

    def close_index(self) -> pd.DatetimeIndex | None:
        """The close times as a UTC DatetimeIndex in nanoseconds (``engine.equity_curve.
        datetime_index`` of ``ts_close_ns``) for a result to keep, on the nanoseconds' own memory,
        when converting the frame's UTC times made them (no one writes to them); else None (the
        caller copies them), so that the index never shares the caller's frame."""
        times = self._close_times
        return times if self._close_times_own and times.tz is _UTC else None

    def mid_closes(self) -> np.ndarray:
        """Each bar's quote mid at the close, else its (trade) close: the marks of mark=mid."""
        if self.quotes is None:
            return self.closes
        mids = (self.quotes[:, 3] + self.quotes[:, 8]) / 2.0
        return np.where(np.isnan(mids), self.closes, mids)

    def envelope(self) -> tuple[np.ndarray, np.ndarray]:
        """The highest and lowest price of each bar over trades, bids and asks: where an order
        may act when either side of the quote can trigger it."""
        if self.quotes is None:
            return self.highs, self.lows
        highs = np.fmax(self.highs, np.fmax(self.quotes[:, 1], self.quotes[:, 6]))
        lows = np.fmin(self.lows, np.fmin(self.quotes[:, 2], self.quotes[:, 7]))
        return highs, lows

    def bar(self, i: int) -> Bar:
        """The bar at row ``i``; rows known to be valid skip the per-bar check."""
        cells = self._cells
        if cells is None:  # zero-copy views of the columns (``valid`` decided on first read)
            cells = self._cells = _Cells(self)
        if not cells.all_valid and not cells.valid[i]:
            return self.checked_bar(i)  # raises, naming what is wrong
        if self._exact is not None:
            return self._exact.bar(i, self.checked_bar(i))
        # Python floats and ints read straight from the columns' memory; their Decimals from
        # the memo (``_price``'s, called directly: compiled, a native method, one call a price)
        open_, high, low, close = cells.opens[i], cells.highs[i], cells.lows[i], cells.closes[i]
        volume = cells.volumes[i]  # memoised as prices are, but for a signed zero or NaN
        ts_open, ts_close = self._times(cells.ts_open_ns[i], cells.ts_close_ns[i])
        prices = self._prices
        return _bar(
            (
                self.symbol,
                self.timeframe,
                ts_open,
                ts_close,
                prices.exact(open_),
                prices.exact(high),
                prices.exact(low),
                prices.exact(close),
                self._volumes.exact(volume) if volume > 0 else exact_decimal(volume),
                None if self.quotes is None else quote_of(self.quotes[i]),
            )
        )

    def _times(self, open_ns: int, close_ns: int) -> tuple[datetime, datetime]:
        """A bar's open and close as ``utc_datetime`` gives them, built with fewer objects: a
        bar opening when the last one built closed (the next row) shares that close, another
        opens at that close plus the gap, and the close is the open plus the bar's length
        (whole microseconds; the lengths and gaps memoised: bars of a history mostly share the
        length, and skipped bars leave gaps of whole lengths; building a timedelta costs more
        than adding one). Equal values either way (datetimes are immutable); each
        memo is one tuple, replaced whole, so that no reader sees half of one."""
        last = self._last_close
        if last is None:
            ts_open = utc_datetime(open_ns)
        elif last[0] == open_ns:
            ts_open = last[1]
        else:  # the last close plus the gap (in whole microseconds, as both are held)
            gap_us = open_ns // 1000 - last[0] // 1000
            gaps = self._gaps
            gap = gaps.get(gap_us)
            if gap is None:  # a few gaps recur (bars skipped by whole bar lengths)
                if len(gaps) >= _GAP_MEMO_SIZE:
                    gaps.clear()
                gap = gaps[gap_us] = timedelta(0, 0, gap_us)
            ts_open = last[1] + gap
        length_us = close_ns // 1000 - open_ns // 1000
        length = self._length
        if length[0] != length_us:
            length = self._length = (length_us, timedelta(0, 0, length_us))  # positional: faster
        ts_close = ts_open + length[1]
        self._last_close = (close_ns, ts_close)
        return ts_open, ts_close

    def checked_bar(self, i: int) -> Bar:
        """The bar at row ``i`` through Bar's checking constructor."""
        return _checked_bar(
            self.symbol,
            self.timeframe,
            int(self.ts_open_ns[i]),
            int(self.ts_close_ns[i]),
            self.opens[i],
            self.highs[i],
            self.lows[i],
            self.closes[i],
            self.volumes[i],
            None if self.quotes is None else quote_of(self.quotes[i]),
        )

    def close_price(self, i: int) -> Decimal:
        """The exact close of row ``i`` (the mark of an open position)."""
        return self._exact_price("close", self.closes, i)

    def open_price(self, i: int) -> Decimal:
        """The exact open of row ``i`` (the price of a fill at that open), as ``bar(i).open``."""
        return self._exact_price("open", self.opens, i)

    def high_price(self, i: int) -> Decimal:
        """The exact high of row ``i``, as ``bar(i).high``."""
        return self._exact_price("high", self.highs, i)

    def low_price(self, i: int) -> Decimal:
        """The exact low of row ``i``, as ``bar(i).low``."""
        return self._exact_price("low", self.lows, i)

    def _exact_price(self, name: str, column: np.ndarray, i: int) -> Decimal:
        """Row ``i``'s exact ``name`` price: the series' own Decimal (an adjusted series: raw x
        the bar's price scale), else the float column's."""
        if self._exact is not None:
            return self._exact.price(name, i)
        return self._price(float(column[i]))

    def _price(self, value: float) -> Decimal:
        """The exact Decimal of a (valid) price; prices recur, so conversions are memoised."""
        return self._prices.exact(value)


class _PriceMemo:
    """The Decimals of a feed's prices, or of its volumes (``exact_decimal``), each converted
    once. A number on the memo's grid (a power of ten's multiples, chosen from the column's
    first values: most prices are in cents, most volumes whole) is found by its index in a list,
    without hashing a float (a dict of floats costs cache misses in a long run); any other in a
    dict by the float. Both hold the same Decimal for the same float: a float on the grid is the one
    nearest its step (``step / scale``, exact division of exact operands, correctly rounded),
    so a step names one float; a positive one (a signed zero never goes on the grid)."""

    __slots__ = ("_base", "_by_float", "_by_step", "_limit", "_places", "_scale")

    def __init__(self, column: np.ndarray) -> None:
        self._scale = _grid_scale(column)
        self._places = _GRID_PLACES.get(self._scale, 0)  # 2 for cents
        self._by_float: dict[float, Decimal] = {}
        self._by_step: list[Decimal | None] = []  # grown as steps are met, to _GRID_SIZE slots
        # the grid's slots: steps from ``_base`` (half of them below the first value's step)
        first = float(column[0]) * self._scale if len(column) else 0.0
        self._base = max(int(first) - _GRID_SIZE // 2, 0) if 0.0 < first < _STEP_LIMIT else 0
        self._limit = self._base + _GRID_SIZE

    def exact(self, value: float) -> Decimal:
        scale = self._scale
        scaled = value * scale
        if 0.0 < scaled < _STEP_LIMIT:  # False for a NaN, an infinity, zero, or no grid
            step = int(scaled + 0.5)
            if step / scale == value and self._base <= step < self._limit:
                slots = self._by_step
                slot = step - self._base
                if slot < len(slots):
                    known = slots[slot]
                    if known is not None:
                        return known
                else:  # grown by doubling (at least to this slot)
                    slots.extend([None] * (max(slot + 1, 2 * len(slots)) - len(slots)))
                    del slots[_GRID_SIZE:]
                exact = grid_decimal(step, self._places) if step < _SHORT_STEP else None
                if exact is None:
                    exact = exact_decimal(value)
                slots[slot] = exact
                return exact
        return self.by_float(value)

    def by_float(self, value: float) -> Decimal:
        """The Decimal of ``value`` memoised by the float alone (off the grid)."""
        known = self._by_float.get(value)
        if known is None:
            if len(self._by_float) >= _PRICE_MEMO_SIZE:
                self._by_float.clear()
            known = self._by_float[value] = exact_decimal(value)
        return known


def grid_decimal(step: int, places: int) -> Decimal | None:
    """``exact_decimal`` of the float ``step / 10**places`` (``places`` 0 to 4), built from the
    step's digits, not from the float's repr (the repr costs most of a conversion); None for a
    step that is not positive. The float's shortest repr is the step's digits at the scale: a
    decimal of at most 15 significant digits is the only one of them that rounds to its float
    (two differ by more than the float's spacing), so a step below 10**15 names it, with its
    trailing zeros dropped as the repr drops them; a whole number keeps one decimal ("12.0"),
    as the repr writes it."""
    if step <= 0:
        return None
    dropped = 0
    while dropped < places and step % 10 == 0:
        step //= 10
        dropped += 1
    if dropped == places:  # a whole number: the repr's "12.0" is 120 tenths
        return Decimal(str(step * 10) + "E-1")
    return Decimal(str(step) + _EXPONENTS[places - dropped])


_EXPONENTS: Final = ("", "E-1", "E-2", "E-3", "E-4")
_GRID_PLACES: Final = {10.0**places: places for places in range(5)}  # a grid's scale: its places
_SHORT_STEP: Final = 10**15  # a step of at most 15 digits names the float's shortest repr


def _grid_scale(column: np.ndarray) -> float:
    """The least power of ten, 1 to 10,000, whose multiples hold the first (positive, finite)
    values of a feed's column, else 0.0 (no grid: every value memoised by its float)."""
    sample = column[:_GRID_SAMPLE]
    sample = sample[np.isfinite(sample) & (sample > 0)]
    if not sample.size:
        return 0.0
    for digits in range(5):
        scale = 10.0**digits
        if np.array_equal(np.round(sample * scale) / scale, sample):
            return scale
    return 0.0


class _Cells:
    """Memoryviews of a feed's columns: indexing one gives the Python float (or int, or bool)
    that ``float(column[i])`` gives, without a NumPy scalar in between."""

    __slots__ = (
        "all_valid",
        "closes",
        "highs",
        "lows",
        "opens",
        "ts_close_ns",
        "ts_open_ns",
        "valid",
        "volumes",
    )

    # typed by what indexing gives (a memoryview is typed as of ints; compiled, a wrong type
    # is a TypeError)
    opens: memoryview[float]
    highs: memoryview[float]
    lows: memoryview[float]
    closes: memoryview[float]
    volumes: memoryview[float]
    ts_open_ns: memoryview[int]
    ts_close_ns: memoryview[int]
    valid: memoryview[bool]
    all_valid: bool

    def __init__(self, feed: BarArrays) -> None:
        self.opens = _cells_of(feed.opens, np.float64)
        self.highs = _cells_of(feed.highs, np.float64)
        self.lows = _cells_of(feed.lows, np.float64)
        self.closes = _cells_of(feed.closes, np.float64)
        self.volumes = _cells_of(feed.volumes, np.float64)
        self.ts_open_ns = _cells_of(feed.ts_open_ns, np.int64)
        self.ts_close_ns = _cells_of(feed.ts_close_ns, np.int64)
        self.valid = _cells_of(feed.valid, np.bool_)
        self.all_valid = bool(feed.valid.all())  # then no row's flag need be read


def _cells_of(column: np.ndarray, dtype: type[np.generic]) -> memoryview[Any]:
    """A read-only memoryview of ``column`` as ``dtype`` (a copy only when it is not that dtype
    already)."""
    return np.asarray(column, dtype=dtype).data.toreadonly()


class ExactPrices:
    """The exact prices of an adjusted frame: raw price x the bar's ``price_scale``."""

    def __init__(self, raw: dict[str, np.ndarray], scales: np.ndarray) -> None:
        self.raw = raw
        self.scales = scales
        self.quoted = all(name in raw for name in QUOTE_PRICE_FIELDS)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> ExactPrices | None:
        if "price_scale" not in frame.columns:
            return None
        names = [*_PRICES, *(q for q in QUOTE_PRICE_FIELDS if f"raw_{q}" in frame.columns)]
        raw = {name: frame[f"raw_{name}"].to_numpy(dtype=np.float64) for name in names}
        return cls(raw, frame["price_scale"].to_numpy(dtype=object))

    @classmethod
    def of_row(cls, frame: pd.DataFrame, position: int) -> ExactPrices | None:
        """``of`` for row ``position`` alone (its row 0): one cell per column, so reading one
        bar (a live tick) does not convert whole columns."""
        columns = frame.columns
        if "price_scale" not in columns:
            return None
        names = [*_PRICES, *(q for q in QUOTE_PRICE_FIELDS if f"raw_{q}" in columns)]
        raw = {
            name: np.array([_cell(frame, position, f"raw_{name}")], dtype=np.float64)
            for name in names
        }
        scales = np.empty(1, dtype=object)
        scales[0] = _cell(frame, position, "price_scale")
        return cls(raw, scales)

    def price(self, name: str, i: int) -> Decimal:
        scale: Decimal = self.scales[i]
        return exact_decimal(self.raw[name][i]) * scale

    def bar(self, i: int, checked: Bar) -> Bar:
        """``checked`` (the bar of the adjusted floats, times and volume) with exact prices."""
        quote = checked.quote
        if quote is not None and self.quoted:  # the bid and ask exact too (sizes as adjusted)
            quote = Quote(
                *(
                    getattr(quote, name) if name.endswith("_size") else self.price(name, i)
                    for name in QUOTE_FIELDS
                )
            )
        return checked._replace(
            open=self.price("open", i),
            high=self.price("high", i),
            low=self.price("low", i),
            close=self.price("close", i),
            quote=quote,
        )


_PRICES = ("open", "high", "low", "close")


def bar_at(frame: pd.DataFrame, position: int) -> Bar:
    """Row ``position`` of a bar frame as a checked Bar (symbol and timeframe from ``attrs``)."""
    exact = ExactPrices.of_row(frame, position)
    if exact is not None:
        return exact.bar(0, _bar_of_floats(frame, position))
    return _bar_of_floats(frame, position)


def _bar_of_floats(frame: pd.DataFrame, position: int) -> Bar:
    timeframe = str(frame.attrs.get("timeframe"))
    columns = frame.columns

    def cell(name: str) -> Any:
        return _cell(frame, position, name)

    if "ts_close" in columns:
        ts_close = pd.Timestamp(cell("ts_close"))
    else:
        ts_close = pd.Timestamp(_close_times(frame.iloc[[position]], timeframe)[0])

    def value(name: str) -> float:
        return float(cell(name))

    return _checked_bar(
        str(frame.attrs.get("symbol")),
        timeframe,
        _moment(pd.Timestamp(frame.index[position])),
        _moment(ts_close),
        value("open"),
        value("high"),
        value("low"),
        value("close"),
        value("volume"),
        quote_of(np.array([cell(name) for name in QUOTE_FIELDS], dtype=np.float64))
        if has_quote_columns(frame)
        else None,
    )


def _cell(frame: pd.DataFrame, position: int, name: str) -> Any:
    """One cell, without building the column's Series (a live tick reads one row)."""
    return frame.iat[position, cast(int, frame.columns.get_loc(name))]


def has_quote_columns(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` carries the quote columns (bars without a quote hold NaN there)."""
    return all(name in frame.columns for name in QUOTE_FIELDS)


def quote_array(frame: pd.DataFrame) -> np.ndarray | None:
    """The quote columns as one float array (a row per bar, ``QUOTE_FIELDS`` order), or None
    when the frame has no quote columns or no bar has a quote."""
    if not has_quote_columns(frame):
        return None
    array = frame[list(QUOTE_FIELDS)].to_numpy(dtype=np.float64)
    if np.isnan(array).all():
        return None
    return array


def quote_of(row: np.ndarray) -> Quote | None:
    """The checked quote of one row of a quote array (None: the bar has no quote)."""
    if np.isnan(row).all():
        return None
    return Quote(*(exact_decimal(value) for value in row))


def _moment(stamp: pd.Timestamp) -> datetime:
    # a naive time goes to Bar as it is, to be refused there
    return stamp.to_pydatetime() if stamp.tzinfo is None else utc_datetime(stamp.value)


def _checked_bar(
    symbol: str,
    timeframe: str,
    ts_open: int | datetime,
    ts_close: int | datetime,
    open: float,
    high: float,
    low: float,
    close: float,
    volume: float,
    quote: Quote | None = None,
) -> Bar:
    return Bar(
        symbol,
        timeframe,
        utc_datetime(ts_open) if isinstance(ts_open, int) else ts_open,
        utc_datetime(ts_close) if isinstance(ts_close, int) else ts_close,
        exact_decimal(open),
        exact_decimal(high),
        exact_decimal(low),
        exact_decimal(close),
        exact_decimal(volume),
        quote,
    )


def _close_times_ns(bars: pd.DataFrame, timeframe: str) -> tuple[pd.DatetimeIndex, bool]:
    """The close times (``_close_times``) in nanoseconds, unnamed and without a frequency, a
    datetime column converted without being copied first, and whether their memory is their own
    (shares nothing of ``bars``)."""
    source = bars["ts_close"].array if "ts_close" in bars else None
    if isinstance(source, DatetimeArray):
        times = pd.DatetimeIndex(source.as_unit("ns"), copy=False)
        return times, not np.may_share_memory(times.asi8, pd.DatetimeIndex(source, copy=False).asi8)
    times = pd.DatetimeIndex(_close_times(bars, timeframe).as_unit("ns").array, copy=False)
    return times, not np.may_share_memory(times.asi8, pd.DatetimeIndex(bars.index).asi8)


def _close_times(bars: pd.DataFrame, timeframe: str) -> pd.DatetimeIndex:
    if "ts_close" in bars:
        return pd.DatetimeIndex(bars["ts_close"])
    # a frame built by hand: bars close one timeframe after they open
    return pd.DatetimeIndex(bars.index) + Timeframe.parse(timeframe).delta


__all__ = ["BarArrays", "bar_at", "has_quote_columns", "quote_array", "quote_of"]
