"""Bars stored as column blocks: one ``bar_blocks`` row per (symbol, timeframe, calendar month
of labels), its bars one Arrow IPC payload (docs/data-import.md, "Bars in column blocks").

A block's payload holds the labels and close times (int64 microseconds since the epoch, UTC),
the five prices as float64 (the very float written: ``-0.0`` and 17-digit prices come back
bit for bit), the per-bar ``source`` (dictionary-encoded) and ``fetched_at``, and the ten
quote fields (float64, NaN where a bar has none) only when a bar of the block has a quote.
Its first and last label, its smallest and largest close time and its row count are plain
columns, so a summary (a count, a date range, the newest closed bar) decodes nothing.

A series' bars live in rows (``bars``: small writes, a live tick's bar) and blocks (large
writes, an import); ``SqlBarStore`` keeps each label in exactly one of them. A block write
takes the whole months it touches: it reads their blocks and rows, merges (the new bars win at
a label; a write without quotes keeps the quotes stored), deletes them and writes the months
again as blocks, all in the series' write transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import numpy as np
import pyarrow as pa

from paperdesk.data.bar_rule import utc_datetime
from paperdesk.domain.quotes import QUOTE_FIELDS

PRICES = ("open", "high", "low", "close", "volume")
TIMES = ("ts", "ts_close", "fetched_at")
_COMPRESSION: str | None = None  # measured: lz4/zstd halve the bytes for 6-8x the CPU
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class BarColumns:
    """Bars as whole columns: labels, close and fetch times in int64 microseconds (UTC),
    float64 prices, ``source`` as int32 codes into ``sources``, and the quote fields (None:
    no bar of these has a quote)."""

    ts: np.ndarray
    ts_close: np.ndarray
    prices: dict[str, np.ndarray]
    codes: np.ndarray
    sources: tuple[str, ...]
    fetched_at: np.ndarray
    quotes: dict[str, np.ndarray] | None

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, rows: np.ndarray | slice) -> BarColumns:
        """These bars at ``rows`` (positions, a mask or a slice)."""
        quotes = None if self.quotes is None else {k: v[rows] for k, v in self.quotes.items()}
        return BarColumns(
            ts=self.ts[rows],
            ts_close=self.ts_close[rows],
            prices={name: values[rows] for name, values in self.prices.items()},
            codes=self.codes[rows],
            sources=self.sources,
            fetched_at=self.fetched_at[rows],
            quotes=quotes,
        )

    def quote_columns(self) -> dict[str, np.ndarray]:
        """The quote fields, NaN arrays when there are none."""
        if self.quotes is not None:
            return self.quotes
        return {name: np.full(len(self), np.nan) for name in QUOTE_FIELDS}

    def quoted(self) -> bool:
        """Whether any bar has a quote (a NaN quote is no quote)."""
        return self.quotes is not None and any(
            not np.isnan(values).all() for values in self.quotes.values()
        )

    def source_values(self) -> np.ndarray:
        """Each bar's source text (an object array)."""
        return np.asarray(self.sources, dtype=object)[self.codes] if len(self) else _no_text()


def _no_text() -> np.ndarray:
    return np.empty(0, dtype=object)


def empty_columns() -> BarColumns:
    """No bars."""
    none = np.empty(0, np.int64)
    return BarColumns(
        ts=none,
        ts_close=none,
        prices={name: np.empty(0) for name in PRICES},
        codes=np.empty(0, np.int32),
        sources=(),
        fetched_at=none,
        quotes=None,
    )


def concatenate(parts: Sequence[BarColumns]) -> BarColumns:
    """The bars of ``parts`` one after the other (their sources' dictionaries united)."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return empty_columns()
    if len(parts) == 1:
        return parts[0]
    sources: dict[str, int] = {}
    codes = []
    for part in parts:
        mapping = np.array([sources.setdefault(text, len(sources)) for text in part.sources])
        codes.append(mapping.astype(np.int32)[part.codes])
    quoted = any(part.quotes is not None for part in parts)
    return BarColumns(
        ts=np.concatenate([part.ts for part in parts]),
        ts_close=np.concatenate([part.ts_close for part in parts]),
        prices={name: np.concatenate([part.prices[name] for part in parts]) for name in PRICES},
        codes=np.concatenate(codes),
        sources=tuple(sources),
        fetched_at=np.concatenate([part.fetched_at for part in parts]),
        quotes={
            name: np.concatenate([part.quote_columns()[name] for part in parts])
            for name in QUOTE_FIELDS
        }
        if quoted
        else None,
    )


def in_order(columns: BarColumns) -> BarColumns:
    """The bars sorted by label (unchanged when they already are)."""
    if len(columns) < 2 or bool((columns.ts[1:] > columns.ts[:-1]).all()):
        return columns
    return columns.take(np.argsort(columns.ts, kind="stable"))


def merge(old: BarColumns, new: BarColumns) -> BarColumns:
    """``old`` with ``new`` written over it, sorted by label: a label of both takes ``new``'s
    bar; when ``new`` carries no quote columns such a bar keeps ``old``'s quote (a write
    without quotes leaves the stored quotes as they are, as the rows' upsert does)."""
    if not len(old) or not len(new):
        return in_order(concatenate([old, new]))
    new = in_order(new)  # sorted labels: each old label is looked up by bisection
    where = np.searchsorted(new.ts, old.ts)
    replaced = new.ts[np.minimum(where, len(new) - 1)] == old.ts  # (np.isin hashed them:
    # 0.9 s of CPU for 1M bars written over 1M stored, the file imported a second time)
    if new.quotes is None and old.quotes is not None and replaced.any():
        kept = old.take(replaced)  # the quotes of the labels rewritten
        where = np.searchsorted(kept.ts, new.ts)
        found = (where < len(kept)) & (kept.ts[np.minimum(where, len(kept) - 1)] == new.ts)
        quotes = {}
        for name, values in kept.quote_columns().items():
            column = np.full(len(new), np.nan)
            column[found] = values[where[found]]
            quotes[name] = column
        new = replace(new, quotes=quotes)
    return in_order(concatenate([old.take(~replaced), new]))


# ------------------------------------------------------------------------------ the payload


def encode(columns: BarColumns) -> memoryview:
    """The Arrow IPC stream of one block's bars (quotes only when one of them has one)."""
    fields: dict[str, pa.Array] = {
        "ts": pa.array(columns.ts, pa.int64()),
        "ts_close": pa.array(columns.ts_close, pa.int64()),
    }
    for name in PRICES:
        fields[name] = pa.array(columns.prices[name], pa.float64())
    fields["source"] = pa.DictionaryArray.from_arrays(
        pa.array(columns.codes, pa.int32()), pa.array(columns.sources, pa.string())
    )
    fields["fetched_at"] = pa.array(columns.fetched_at, pa.int64())
    if columns.quoted():
        for name, values in columns.quote_columns().items():
            fields[name] = pa.array(values, pa.float64())
    table = pa.table(fields)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=_COMPRESSION)
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return memoryview(sink.getvalue())  # the drivers bind it as it is: no copy of a block


def decode(payload: bytes | memoryview) -> BarColumns:
    """A block's bars from its payload (the number columns without a copy)."""
    table = pa.ipc.open_stream(pa.py_buffer(payload)).read_all()
    source = table.column("source").combine_chunks()
    if isinstance(source, pa.ChunkedArray):  # pragma: no cover - one chunk per block
        source = source.chunk(0)
    names = table.column_names
    return BarColumns(
        ts=_numbers(table, "ts"),
        ts_close=_numbers(table, "ts_close"),
        prices={name: _numbers(table, name) for name in PRICES},
        codes=source.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False),
        sources=tuple(source.dictionary.to_pylist()),
        fetched_at=_numbers(table, "fetched_at"),
        quotes={name: _numbers(table, name) for name in QUOTE_FIELDS}
        if QUOTE_FIELDS[0] in names
        else None,
    )


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    values: np.ndarray = table.column(name).chunk(0).to_numpy()
    return values


# ---------------------------------------------------------------------------------- months


def month_starts(micros: np.ndarray) -> np.ndarray:
    """The first microsecond of each label's calendar month (UTC)."""
    months = micros.astype("datetime64[us]").astype("datetime64[M]")
    return months.astype("datetime64[us]").view(np.int64)


def next_month(micros: int) -> int:
    """The first microsecond of the month after the one ``micros`` starts."""
    month = np.array([micros]).astype("datetime64[us]").astype("datetime64[M]") + 1
    return int(month.astype("datetime64[us]").view(np.int64)[0])


def by_month(columns: BarColumns) -> Iterable[tuple[int, BarColumns]]:
    """Sorted bars cut into calendar months of labels: (the month's start, its bars), the
    months' first instants searched for in the labels (no array per bar)."""
    if not len(columns):
        return
    first, last = (np.datetime64(int(columns.ts[at]), "us") for at in (0, -1))
    months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
    starts = months.astype("datetime64[us]").view(np.int64)
    bounds = [*np.searchsorted(columns.ts, starts).tolist(), len(columns)]
    for start, (low, high) in zip(starts.tolist(), pairwise(bounds), strict=False):
        if high > low:
            yield start, columns.take(slice(low, high))


def month_range(columns: BarColumns) -> tuple[int, int]:
    """The first microsecond of the sorted bars' first month and of the month after their
    last: the months a write of them rewrites whole."""
    lowest = int(month_starts(columns.ts[:1])[0])
    return lowest, next_month(int(month_starts(columns.ts[-1:])[0]))


def block_rows(columns: BarColumns, at: Callable[[int], object]) -> Iterator[dict[str, Any]]:
    """The ``bar_blocks`` row of each calendar month of the sorted bars (all but the series'
    key): its first instant, first and last label, smallest and largest close time (each
    instant as ``at`` gives it from microseconds since the epoch), row count and payload."""
    for month, part in by_month(columns):
        yield {
            "month": at(month),
            "first_ts": at(int(part.ts[0])),
            "last_ts": at(int(part.ts[-1])),
            "first_close": at(int(part.ts_close.min())),
            "last_close": at(int(part.ts_close.max())),
            "rows": len(part),
            "payload": encode(part),
        }


def instant(micros: int) -> datetime:
    """A UTC datetime of microseconds since the epoch."""
    return utc_datetime(micros * 1_000)


def micros_of(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


__all__ = [
    "BarColumns",
    "block_rows",
    "by_month",
    "concatenate",
    "decode",
    "empty_columns",
    "encode",
    "in_order",
    "instant",
    "merge",
    "micros_of",
    "month_range",
    "month_starts",
    "next_month",
]
