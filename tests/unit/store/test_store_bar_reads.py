"""The read of a series' bars (``store/bar_reads.py``): rows and blocks copied once, in label
order, into the frame's own columns give the very frame the reader built before it (the rows
and blocks concatenated, sorted, then converted column by column): the same columns, dtypes,
index, categories and codes, and the floats bit for bit; a label stored twice falls back to
that sort (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import paperdesk.store.bars as bar_module
from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store import Database, SqlBarStore
from paperdesk.store.bar_blocks import (
    PRICES,
    BarColumns,
    concatenate,
    decode,
    encode,
    in_order,
)
from paperdesk.store.bar_reads import bar_frame
from paperdesk.store.bar_writes import BarBatch, write_postgres, write_sqlite
from paperdesk.store.models import BarBlockRow

HOUR = 3_600_000_000  # microseconds
MONTH = 31 * 24 * HOUR
TEXTS = ("csv:a", "alpaca", "yahoo", "csv:b")
FETCHED = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
EDGE = [-0.0, 0.0, 5e-324, 1.7976931348623157e308, 123.45678901234567, 0.30000000000000004]


# ---------------------------------------------------------------- the reader's old construction


def _from_micros(micros: np.ndarray) -> pd.DatetimeIndex:
    nanos = (np.asarray(micros, dtype=np.int64) * 1000).view("datetime64[ns]")
    return pd.DatetimeIndex(nanos, dtype=pd.DatetimeTZDtype("ns", "UTC"), copy=False)


def _categories(columns: BarColumns) -> pd.Categorical:
    present = np.bincount(columns.codes, minlength=len(columns.sources)) > 0
    names = sorted(text for text, used in zip(columns.sources, present, strict=True) if used)
    position = {text: place for place, text in enumerate(names)}
    remap = np.array([position.get(text, -1) for text in columns.sources], dtype=np.int32)
    codes = remap[columns.codes] if len(columns) else np.empty(0, np.int32)
    return pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))


def reference_frame(rows: BarColumns, blocks: list[BarColumns]) -> pd.DataFrame:
    """``read_bars``' frame as the reader before ``bar_reads`` built it."""
    columns = in_order(concatenate([rows, *blocks]))
    index = pd.DatetimeIndex(_from_micros(columns.ts), name="ts")
    frame = pd.DataFrame({price: columns.prices[price] for price in PRICES}, index=index)
    frame["ts_close"] = _from_micros(columns.ts_close)
    frame["source"] = _categories(columns)
    frame["fetched_at"] = _from_micros(columns.fetched_at)
    if columns.quoted():
        for field, values in columns.quote_columns().items():
            frame[field] = values
    return frame


def assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """The same frame: columns, dtypes, index, categories and codes, floats bit for bit."""
    assert got.columns.tolist() == want.columns.tolist()
    assert got.dtypes.tolist() == want.dtypes.tolist()
    pd.testing.assert_index_equal(got.index, want.index, exact=True, check_exact=True)
    assert got.index.name == want.index.name
    for name in want.columns:
        if want[name].dtype == np.float64:
            assert (
                got[name].to_numpy().view(np.int64) == want[name].to_numpy().view(np.int64)
            ).all()
        else:
            pd.testing.assert_series_equal(got[name], want[name], check_exact=True)
    codes = got["source"].cat.codes, want["source"].cat.codes
    assert codes[0].dtype == codes[1].dtype
    assert (codes[0].to_numpy() == codes[1].to_numpy()).all()
    assert got["source"].cat.categories.dtype == want["source"].cat.categories.dtype


# ------------------------------------------------------------------------ pieces, unit level


def _piece(draw: st.DrawFn, labels: list[int], quoted: bool) -> BarColumns:
    """Bars at ``labels`` (microseconds): drawn prices, sources from a dictionary that may
    hold texts no bar has, quotes (NaN in places, perhaps all) when ``quoted``."""
    size = len(labels)
    dictionary = draw(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=4, unique=True))
    codes = draw(st.lists(st.integers(0, len(dictionary) - 1), min_size=size, max_size=size))
    floats = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(EDGE))
    values = draw(st.lists(floats, min_size=size * 5, max_size=size * 5))
    prices = np.array(values, dtype=np.float64).reshape(5, size) if size else np.empty((5, 0))
    quotes = None
    if quoted:
        nan_or = st.one_of(st.just(float("nan")), st.floats(allow_nan=False, width=32))
        cells = draw(st.lists(nan_or, min_size=size * 10, max_size=size * 10))
        grid = np.array(cells, dtype=np.float64).reshape(10, size)
        quotes = {field: grid[row] for row, field in enumerate(QUOTE_FIELDS)}
    ts = np.array(labels, dtype=np.int64)
    return BarColumns(
        ts=ts,
        ts_close=ts + HOUR,
        prices={name: prices[row] for row, name in enumerate(PRICES)},
        codes=np.array(codes, dtype=np.int32),
        sources=tuple(dictionary),
        fetched_at=ts + draw(st.integers(0, 10**12)),
        quotes=quotes,
    )


@st.composite
def series(draw: st.DrawFn) -> tuple[BarColumns, list[BarColumns], int, bool]:
    """A series as the store reads it: blocks of disjoint months (through their payloads),
    the rows before, between and after them (none inside a block's span, unless a label is
    stored twice), the slack of the blocks' count (a bound cuts a block) and whether a label
    is stored twice."""
    blocks, spans = [], []
    for month in sorted(draw(st.sets(st.integers(0, 5), max_size=4))):
        hours = draw(st.sets(st.integers(0, 24 * 28), min_size=1, max_size=8))
        labels = [month * MONTH + hour * HOUR for hour in sorted(hours)]
        spans.append((labels[0], labels[-1]))
        blocks.append(decode(encode(_piece(draw, labels, draw(st.booleans())))))
    outside = st.integers(0, 6 * MONTH // HOUR).map(lambda hour: hour * HOUR)
    free = [label for label in draw(st.sets(outside, max_size=10))
            if not any(low <= label <= high for low, high in spans)]  # fmt: skip
    twice = bool(blocks) and draw(st.booleans())
    if twice:  # a row at a block's label too
        free.append(int(draw(st.sampled_from(blocks)).ts[0]))
    rows = _piece(draw, sorted(set(free)), draw(st.booleans()))
    return rows, blocks, draw(st.integers(0, 3)), twice


@settings(max_examples=150, deadline=None)
@given(case=series())
def test_the_frame_is_the_one_the_old_construction_gives(
    case: tuple[BarColumns, list[BarColumns], int, bool],
) -> None:
    rows, blocks, slack, twice = case
    asked = []

    def fetch() -> tuple[int, Iterator[BarColumns]]:
        asked.append(1)
        return sum(len(block) for block in blocks) + slack, iter(blocks)

    assert_identical(bar_frame(rows, fetch), reference_frame(rows, blocks))
    assert len(asked) == (2 if twice else 1)  # asked again only to sort a label stored twice


# --------------------------------------------------------------------------- through the store


def _hourly(first: pd.Timestamp, hours: list[int], base: float) -> pd.DataFrame:
    index = pd.DatetimeIndex([first + pd.Timedelta(hours=h) for h in hours], name="ts")
    values = base + np.arange(len(hours) * 5, dtype=np.float64).reshape(-1, 5) / 8
    frame = pd.DataFrame(values, index=index, columns=list(PRICES))
    frame["ts_close"] = frame.index + pd.Timedelta(hours=1)
    return frame


def _stored(
    database: Database, symbol: str, start: datetime | None, end: datetime | None
) -> pd.DataFrame:
    """The old construction of what the store holds for ``symbol`` in ``[start, end]``."""
    store, bars = SqlBarStore(database), bar_module._BARS.c
    where = [bars.symbol == symbol, bars.timeframe == "1h"]
    if start is not None:
        where.append(bars.ts >= start)
    if end is not None:
        where.append(bars.ts <= end)
    with database.engine.connect() as connection:
        rows = store._row_columns(connection, where)
        query = select(BarBlockRow.payload).where(BarBlockRow.symbol == symbol)
        payloads = connection.execute(query.order_by(BarBlockRow.month)).scalars()
        blocks = [bar_module._within(decode(payload), start, end) for payload in payloads]
    return reference_frame(rows, blocks)


def test_rows_and_blocks_across_months_read_as_the_old_construction(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks over three months with rows before, between (in a block's month, after its
    last label) and after them, quotes on some rows, three sources; whole and within bounds
    that cut blocks; then a row written by hand at a block's label (two places): the
    store's frame is the old construction's, the label twice, rows first."""
    monkeypatch.setattr(bar_module, "BLOCK_ROWS", 4)
    store, first = SqlBarStore(database), pd.Timestamp("2024-01-10", tz="UTC")

    def write(frame: pd.DataFrame, source: str) -> None:
        store.write_bars(frame, symbol="SPY", timeframe="1h", source=source, fetched_at=FETCHED)

    february = _hourly(first, list(range(24 * 30, 24 * 30 + 300, 7)), 100.0)
    write(february, "csv:a")
    write(_hourly(first, list(range(24 * 80, 24 * 80 + 200, 5)), 200.0), "csv:b")  # Mar-Apr
    quoted = _hourly(first, [3, 24 * 45], 300.0)  # January, then Feb after the block
    for position, field in enumerate(QUOTE_FIELDS):
        quoted[field] = [np.nan, 1.0 + position]
    write(quoted, "alpaca")
    write(_hourly(first, [24 * 120], 400.0), "csv:a")  # after the last block
    bounds = [(None, None), (first + pd.Timedelta(hours=24 * 33), first + pd.Timedelta(days=82))]
    for start, end in bounds:
        low, high = (None if at is None else at.to_pydatetime() for at in (start, end))
        assert_identical(
            store.read_bars("SPY", "1h", low, high), _stored(database, "SPY", low, high)
        )
    twice = _hourly(first, [24 * 30 + 7], 999.0)  # a label of the February block
    batch = BarBatch(
        symbol="SPY", timeframe="1h", frame=twice, index=pd.DatetimeIndex(twice.index),
        closes=pd.DatetimeIndex(twice["ts_close"]), fetched_at=FETCHED, source="yahoo",
        sources=None, quoted=False,
    )  # fmt: skip
    with database.writing_connection() as connection:  # past the store's own rule
        driver = connection.connection.driver_connection
        if database.dialect == "sqlite":
            write_sqlite(driver, batch)
        else:
            write_postgres(driver, batch, overlapping=False)
    read = store.read_bars("SPY", "1h")
    assert_identical(read, _stored(database, "SPY", None, None))
    label = twice.index[0]  # the row's bar, then the block's
    assert read.loc[label, "close"].tolist() == [
        twice.at[label, "close"],
        february.at[label, "close"],
    ]
