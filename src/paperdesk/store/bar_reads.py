"""A series' bars read into the loader's frame: its rows and its blocks' bars copied once,
in label order, straight into the frame's own columns (docs/data-import.md, "Loading bars
from the blocks").

``SqlBarStore.read_bars`` fetches the rows of ``bars`` (sorted by label), then the blocks'
payloads one at a time in month order, in one snapshot. Each label is in one place, and the
blocks span disjoint ranges with no row inside one, so the bars in label order are the rows
cut around the blocks: ``FrameBuilder`` copies each block's bars (decoded without a copy) into
columns the size of the whole read as soon as its payload arrives, with the rows before it,
and the payload is let go before the one after next is fetched (its memory, already touched,
then takes a later one). The times are scaled to nanoseconds and the sources coded on the way;
the frame takes the columns without a copy. Should the labels not come out strictly
increasing (a label stored twice), ``bar_frame`` sorts the concatenated bars first, as the
reader always did, so the frame is the one the sort gives in every case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store.bar_blocks import PRICES, BarColumns, concatenate, empty_columns, in_order

_NANOS_PER_MICRO = 1_000
_TIMES = ("ts", "ts_close", "fetched_at")
_UTC = pd.DatetimeTZDtype("ns", "UTC")
_UTC_NANOS = pa.timestamp("ns", tz="UTC")
# fetches a series' blocks: how many bars they hold at most, and their bars one block at a time
Blocks = Callable[[], tuple[int, Iterable[BarColumns]]]


def bar_frame(rows: BarColumns, blocks: Blocks) -> pd.DataFrame:
    """The frame of a series' bars: its ``rows`` (sorted by label) and the bars of its blocks,
    which ``blocks()`` fetches: how many they hold at most, and each block's (sorted, in
    month order), taken one at a time. Should a label come twice, ``blocks()`` is asked
    again and the bars are sorted first (a stable sort, the rows before the blocks)."""
    total, found = blocks()
    builder = FrameBuilder(rows, len(rows) + total)
    for block in found:
        builder.add(block)
        del block  # its payload let go before the next is fetched: the next takes its memory
    if not builder.finish():
        total, found = blocks()
        builder = FrameBuilder(in_order(concatenate([rows, *found])), len(rows) + total)
        builder.finish()
    return builder.frame()


class FrameBuilder:
    """The frame of a series' bars, filled from its rows (sorted by label, given first) and
    its blocks (each sorted, added in month order) with at most ``capacity`` bars in all."""

    def __init__(self, rows: BarColumns, capacity: int) -> None:
        self._rows, self._rows_at, self._at = rows, 0, 0
        self._times = {name: np.empty(capacity, np.int64) for name in _TIMES}
        self._prices = {name: np.empty(capacity) for name in PRICES}
        self._room = capacity
        # into ``_sources`` (in order of arrival): made when a second text comes
        self._codes: np.ndarray | None = None
        self._sources: dict[str, int] = {}
        self._quotes: np.ndarray | None = None  # made when a bar with quote columns comes

    def add(self, block: BarColumns) -> None:
        """A block's bars (the next in month order), after the rows before its first label."""
        if not len(block):
            return
        cut = int(np.searchsorted(self._rows.ts, block.ts[0]))
        self._copy(self._rows.take(slice(self._rows_at, cut)))
        self._rows_at = max(cut, self._rows_at)
        self._copy(block)

    def finish(self) -> bool:
        """The rows after the last block copied; whether each label came once, in order
        (strictly increasing)."""
        self._copy(self._rows.take(slice(self._rows_at, len(self._rows))))
        self._rows_at = len(self._rows)
        ts = self._times["ts"][: self._at]
        return bool((ts[1:] > ts[:-1]).all())

    def frame(self) -> pd.DataFrame:
        """The frame of the bars given (``finish`` first): its columns as they are, or, when
        fewer bars came than there is room for (a bound cut a block), copies of their bars
        (the frame then holds no more than its own)."""
        end, room = self._at, self._room

        def kept(values: np.ndarray) -> np.ndarray:
            return values[..., :end] if end == room else values[..., :end].copy()

        columns: dict[str, Any] = {name: kept(values) for name, values in self._prices.items()}
        columns["ts_close"] = _utc(kept(self._times["ts_close"]))
        columns["source"] = self._categories()
        columns["fetched_at"] = _utc(kept(self._times["fetched_at"]))
        quotes = None if self._quotes is None else kept(self._quotes)
        if quotes is not None and not np.isnan(quotes).all():  # a NaN quote is no quote
            columns.update(zip(QUOTE_FIELDS, quotes, strict=True))
        index = pd.DatetimeIndex(_utc(kept(self._times["ts"])), name="ts", copy=False)
        return pd.DataFrame(columns, index=index, copy=False)

    def _copy(self, piece: BarColumns) -> None:
        if not len(piece):
            return
        at, end = self._at, self._at + len(piece)
        for name in _TIMES:
            np.multiply(getattr(piece, name), _NANOS_PER_MICRO, out=self._times[name][at:end])
        for name in PRICES:
            self._prices[name][at:end] = piece.prices[name]
        codes = [self._sources.setdefault(text, len(self._sources)) for text in piece.sources]
        if self._codes is None and len(self._sources) > 1:  # the bars before: the first text
            self._codes = np.zeros(self._room, np.int32)
        if self._codes is not None and len(codes) == 1:
            self._codes[at:end] = codes[0]
        elif self._codes is not None:
            np.take(np.array(codes, np.int32), piece.codes, out=self._codes[at:end])
        if piece.quotes is not None and self._quotes is None:
            self._quotes = np.full((len(QUOTE_FIELDS), self._room), np.nan)
        if self._quotes is not None:
            quotes = piece.quote_columns()
            for row, field in enumerate(QUOTE_FIELDS):
                self._quotes[row, at:end] = quotes[field]
        self._at = end

    def _categories(self) -> pd.Categorical:
        """The sources as a categorical of the texts present, sorted (as ``pd.Categorical`` of
        the texts makes it), without a Python object per bar."""
        arrived = list(self._sources)
        if self._codes is None:  # one text for every bar (an import's), or no bar
            dtype = pd.CategoricalDtype(pd.Index(arrived, dtype=object))
            codes = np.zeros(self._at, np.int8)
            return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
        codes = self._codes[: self._at]
        present = np.bincount(codes, minlength=len(arrived)) > 0
        names = sorted(text for text, used in zip(arrived, present, strict=True) if used)
        position = {text: place for place, text in enumerate(names)}
        remap = np.array([position.get(text, -1) for text in arrived], _code_dtype(len(names)))
        dtype = pd.CategoricalDtype(pd.Index(names, dtype=object))
        return pd.Categorical.from_codes(remap[codes], dtype=dtype, validate=False)


def _code_dtype(categories: int) -> type[np.signedinteger]:
    """The integer type pandas keeps a categorical's codes in for this many categories."""
    for dtype in (np.int8, np.int16, np.int32):
        if categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _utc(nanos: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """UTC instants of nanoseconds since the epoch, without a copy (a ``DatetimeIndex`` of
    naive instants localised to UTC copies them all)."""
    timestamps = pa.Array.from_buffers(_UTC_NANOS, len(nanos), [None, pa.py_buffer(nanos)])
    return _UTC.__from_arrow__(timestamps)


def row_columns(
    found: list[Any], quoted: bool, micros: Callable[[np.ndarray], np.ndarray]
) -> BarColumns:
    """Rows of ``bars`` as fetched (``ts, ts_close``, the prices, ``source, fetched_at`` and,
    when ``quoted``, the quote fields; times as the database gives them, read by ``micros``)
    as columns, whole columns converted by numpy (no Python loop per value); ``found`` is
    let go of once copied."""
    if not found:
        return empty_columns()
    table = np.array(found, dtype=object)
    found.clear()
    codes, sources = pd.factorize(table[:, 7])
    quotes = None
    if quoted:  # NULL (None) becomes NaN
        quotes = {
            field: np.where(
                table[:, 9 + position] == None,  # noqa: E711
                np.nan,
                table[:, 9 + position],
            ).astype(np.float64)
            for position, field in enumerate(QUOTE_FIELDS)
        }
    return BarColumns(
        ts=micros(table[:, 0]),
        ts_close=micros(table[:, 1]),
        prices={
            price: table[:, 2 + position].astype(np.float64)
            for position, price in enumerate(PRICES)
        },
        codes=codes.astype(np.int32),
        sources=tuple(str(text) for text in sources),
        fetched_at=micros(table[:, 8]),
        quotes=quotes,
    )


def text_micros(values: np.ndarray) -> np.ndarray:
    """Microseconds since the epoch of the time texts SQLite holds (``UtcDateTime``'s)."""
    return np.asarray(values, dtype="datetime64[us]").view(np.int64)


__all__ = ["Blocks", "FrameBuilder", "bar_frame", "row_columns", "text_micros"]
