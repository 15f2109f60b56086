"""Bars in column blocks (``bar_blocks``) beside rows (``bars``): a large write is stored as
a month's block and read back bit for bit; random sequences of small and large writes over
overlapping ranges read back as a dict model says, each label in exactly one place; a failed
block write changes nothing; a ledger holding rows only is upgraded and read the same
(SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

import paperdesk.store.bar_blocks as bar_blocks
import paperdesk.store.bars as bar_module
from paperdesk.data.bar_store import SeriesInfo
from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store import Database, SqlBarStore
from paperdesk.store.bar_blocks import decode
from paperdesk.store.bar_writes import BarBatch, write_postgres, write_sqlite
from paperdesk.store.models import BarBlockRow, BarRow

FETCHED = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
PRICES = ("open", "high", "low", "close", "volume")
START = pd.Timestamp("2024-01-31 20:00", tz="UTC")  # hourly labels across three months


def frame_of(labels: list[int], values: np.ndarray, quotes: np.ndarray | None) -> pd.DataFrame:
    """Hourly bars at ``labels`` (hours after START), each price of a row from ``values``."""
    index = pd.DatetimeIndex([START + pd.Timedelta(hours=h) for h in labels], name="ts")
    frame = pd.DataFrame({name: values[:, i] for i, name in enumerate(PRICES)}, index=index)
    frame["ts_close"] = frame.index + pd.Timedelta(hours=1)
    if quotes is not None:
        for position, field in enumerate(QUOTE_FIELDS):
            frame[field] = quotes[:, position]
    return frame


def stored_places(database: Database, symbol: str) -> tuple[list[datetime], list[int]]:
    """The labels of ``symbol``'s rows, and of its blocks (microseconds)."""
    with database.reading() as repository:
        session = repository._session
        rows = list(session.scalars(select(BarRow.ts).where(BarRow.symbol == symbol)))
        payloads = session.scalars(select(BarBlockRow.payload).where(BarBlockRow.symbol == symbol))
        blocked = [int(ts) for payload in payloads for ts in decode(payload).ts]
    return rows, blocked


def bits(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).view(np.int64)


# ------------------------------------------------------------------------------- exactness

EDGE = [
    -0.0,
    0.0,
    5e-324,
    2.2250738585072014e-308,
    1e-300,
    1.7976931348623157e308,
    1e300,
    123.45678901234567,  # 17 significant digits (an adjusted price)
    0.30000000000000004,
    9007199254740993.0,
    -1.0000000000000002,
    100.1,
]


def test_a_large_write_is_stored_in_blocks_and_read_back_bit_for_bit(database: Database) -> None:
    """A write of BLOCK_ROWS bars or more goes to one block per month of labels, no row; the
    floats come back as the very floats written (-0.0, subnormals, 17 digits, NaN quotes)."""
    rows = bar_module.BLOCK_ROWS + 3
    hours = list(range(rows))
    edge = np.resize(np.array(EDGE), rows * 5).reshape(rows, 5)
    quotes = np.resize(np.array([*EDGE, np.nan]), rows * 10).reshape(rows, 10)
    frame = frame_of(hours, edge, quotes)
    store = SqlBarStore(database)
    store.write_bars(frame, symbol="SPY", timeframe="1h", source="csv:a", fetched_at=FETCHED)
    in_rows, in_blocks = stored_places(database, "SPY")
    assert in_rows == []
    assert len(in_blocks) == rows
    with database.reading() as repository:
        months = repository._session.scalars(select(BarBlockRow.month)).all()
    assert len(months) == len({(ts.year, ts.month) for ts in frame.index})
    read = store.read_bars("SPY", "1h")
    for column in (*PRICES, *QUOTE_FIELDS):
        assert (bits(read[column]) == bits(frame[column])).all(), column
    assert (read.index == frame.index).all()
    assert (read["ts_close"] == frame["ts_close"]).all()
    assert read["source"].tolist() == ["csv:a"] * rows
    assert set(read["fetched_at"]) == {pd.Timestamp(FETCHED)}


_examples = itertools.count()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False),
            st.sampled_from(EDGE),
            st.decimals(places=8, min_value=-(10**8), max_value=10**8).map(float),
        ),
        min_size=30,
        max_size=30,
    )
)
def test_blocks_return_the_floats_written_and_what_the_rows_return(
    database: Database, values: list[float]
) -> None:
    """The same frame stored as rows and as a block: the block gives back the floats written
    bit for bit; the rows the same bits on SQLite (their text is the float's shortest repr)
    and the same numbers on PostgreSQL (its NUMERIC has no -0.0: the row reads 0.0)."""
    example = next(_examples)
    frame = frame_of(list(range(6)), np.array(values).reshape(6, 5), None)
    store = SqlBarStore(database)
    as_rows, as_block = f"R{example}", f"B{example}"
    store.write_bars(frame, symbol=as_rows, timeframe="1h", source="s", fetched_at=FETCHED)
    batch = BarBatch(
        symbol=as_block, timeframe="1h", frame=frame, index=pd.DatetimeIndex(frame.index),
        closes=pd.DatetimeIndex(frame["ts_close"]), fetched_at=FETCHED, source="s",
        sources=None, quoted=False,
    )  # fmt: skip
    with database.writing_connection() as connection:
        store._write_blocks(connection, batch)
    assert stored_places(database, as_block)[0] == []
    assert stored_places(database, as_rows)[1] == []
    from_rows, from_block = store.read_bars(as_rows, "1h"), store.read_bars(as_block, "1h")
    pd.testing.assert_frame_equal(from_rows, from_block, check_freq=False)
    for column in PRICES:
        assert (bits(from_block[column]) == bits(frame[column])).all()
        if database.dialect == "sqlite":
            assert (bits(from_rows[column]) == bits(from_block[column])).all()


# --------------------------------------------------------------------- the hybrid invariant

HOURS = 24 * 70  # labels over February and March (and a day of January, April)
_names = itertools.count()


class HybridBars(RuleBasedStateMachine):
    """Small writes (rows, unless a block spans them) and large ones (blocks) over
    overlapping ranges; after each, the store reads back what a dict of label -> bar says,
    and no label is in a row and a block at once."""

    database: Database

    def __init__(self) -> None:
        super().__init__()
        self.store = SqlBarStore(self.database)
        self.symbol = f"H{next(_names)}"
        self.model: dict[int, tuple[tuple[float, ...], str, tuple[float, ...] | None]] = {}
        self.writes = 0

    @rule(
        data=st.data(),
        large=st.booleans(),
        quoted=st.booleans(),
        spread=st.sampled_from([3, 40, HOURS]),
    )
    def write(self, data: st.DataObject, large: bool, quoted: bool, spread: int) -> None:
        first = data.draw(st.integers(0, HOURS - 1))
        size = data.draw(st.integers(4, 12) if large else st.integers(1, 3))
        pool = range(first, min(HOURS, first + spread))
        labels = sorted(data.draw(st.sets(st.sampled_from(pool), min_size=1, max_size=size)))
        self.writes += 1
        values = np.array([[self.writes * 1000 + h + k / 8 for k in range(5)] for h in labels])
        quotes = None
        if quoted:
            quotes = np.array([[np.nan if h % 3 == 0 else h + k / 4 for k in range(10)]
                               for h in labels])  # fmt: skip
        source = f"w{self.writes}"
        frame = frame_of(labels, values, quotes)
        self.store.write_bars(
            frame, symbol=self.symbol, timeframe="1h", source=source,
            fetched_at=FETCHED + timedelta(seconds=self.writes),
        )  # fmt: skip
        for row, hour in enumerate(labels):
            kept = self.model.get(hour, (None, None, None))[2]
            quote = kept if quotes is None else tuple(quotes[row])
            self.model[hour] = (tuple(values[row]), source, quote)

    @invariant()
    def reads_equal_the_model(self) -> None:
        read = self.store.read_bars(self.symbol, "1h")
        hours = sorted(self.model)
        expected = [START + pd.Timedelta(hours=h) for h in hours]
        assert read.index.tolist() == expected
        assert [tuple(row) for row in read[list(PRICES)].to_numpy()] == [
            self.model[h][0] for h in hours
        ]
        assert read["source"].tolist() == [self.model[h][1] for h in hours]
        quoted = [self.model[h][2] for h in hours]
        has_quote = any(q is not None and not np.isnan(q).all() for q in quoted)
        assert all(field in read.columns for field in QUOTE_FIELDS) == has_quote
        if has_quote:
            got = read[list(QUOTE_FIELDS)].to_numpy()
            want = np.array([q if q is not None else [np.nan] * 10 for q in quoted])
            np.testing.assert_array_equal(got, want)

    @invariant()
    def every_label_is_in_one_place(self) -> None:
        rows, blocked = stored_places(self.database, self.symbol)
        row_micros = [int(pd.Timestamp(ts).value // 1000) for ts in rows]
        assert len(set(row_micros) | set(blocked)) == len(row_micros) + len(blocked)
        assert len(row_micros) + len(blocked) == len(self.model)

    @invariant()
    def summaries_equal_the_model(self) -> None:
        store, name = self.store, self.symbol
        assert store.count(name, "1h") == len(self.model)
        if not self.model:
            assert store.date_range(name, "1h") is None
            return
        first, last = (START + pd.Timedelta(hours=h) for h in (min(self.model), max(self.model)))
        assert store.date_range(name, "1h") == (first, last)
        assert SeriesInfo(name, "1h", first, last, len(self.model)) in store.series()
        for low, high in ((25, 24 * 40), (24 * 29, HOURS)):
            bounds = START + pd.Timedelta(hours=low), START + pd.Timedelta(hours=high)
            inside = sum(low <= h <= high for h in self.model)
            assert store.count_bars(name, "1h", *(b.to_pydatetime() for b in bounds)) == inside
            assert store.count_bars(name, "1h", start=bounds[0].to_pydatetime()) == sum(
                low <= h for h in self.model
            )
            window = store.read_bars(name, "1h", *(b.to_pydatetime() for b in bounds))
            assert len(window) == inside
            now = bounds[1].to_pydatetime()
            closed = [h for h in self.model if h + 1 <= high]
            with self.database.reading() as repository:
                newest = repository.newest_bar_closes([name], "1h", now)
            expected = {name: START + pd.Timedelta(hours=max(closed) + 1)} if closed else {}
            assert newest == expected


def test_small_and_large_writes_keep_each_label_in_one_place(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bar_module, "BLOCK_ROWS", 4)  # large: 4 bars or more
    HybridBars.database = database
    run_state_machine_as_test(
        HybridBars,
        settings=settings(
            max_examples=10,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# ---------------------------------------------------------------------- nothing half-done


def test_a_failed_block_write_changes_nothing(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A block write over stored rows and blocks that fails on its second month leaves the
    rows, the blocks and the series' version as they were."""
    monkeypatch.setattr(bar_module, "BLOCK_ROWS", 4)
    store = SqlBarStore(database)
    ones = np.ones((5, 5))
    store.write_bars(frame_of([0, 1, 2, 3, 5], ones, None), symbol="SPY", timeframe="1h",
                     source="a", fetched_at=FETCHED)  # fmt: skip
    store.write_bars(frame_of([24 * 40], ones[:1], None), symbol="SPY", timeframe="1h",
                     source="a", fetched_at=FETCHED)  # fmt: skip
    before = store.read_bars("SPY", "1h"), store.series_version("SPY", "1h")
    places = stored_places(database, "SPY")
    encode = bar_blocks.encode
    calls = itertools.count()

    def failing(columns: bar_blocks.BarColumns) -> bytes:
        if next(calls) == 1:
            raise OSError("disk full")
        return encode(columns)

    monkeypatch.setattr(bar_blocks, "encode", failing)  # the block rows encode each month
    with pytest.raises(OSError, match="disk full"):
        store.write_bars(frame_of(list(range(0, 24 * 45, 24)), np.full((45, 5), 7.0), None),
                         symbol="SPY", timeframe="1h", source="b", fetched_at=FETCHED)  # fmt: skip
    pd.testing.assert_frame_equal(store.read_bars("SPY", "1h"), before[0])
    assert store.series_version("SPY", "1h") == before[1]
    assert stored_places(database, "SPY") == places


def test_a_refused_import_writes_no_block(database: Database, tmp_path: Path) -> None:
    """A CSV of more than BLOCK_ROWS bars with one bad line is refused whole: no block, no
    row, no series."""
    from paperdesk.data.csv_reader import CsvImportError
    from paperdesk.data.importer import import_csv

    times = pd.date_range("2024-01-01", periods=bar_module.BLOCK_ROWS + 10, freq="1min")
    lines = [f"{t:%Y-%m-%dT%H:%M:%S}Z,10,11,9,10,5" for t in times]
    lines[-3] = lines[-3].replace(",11,", ",8,")  # a high below the open
    (tmp_path / "big.csv").write_text("ts,open,high,low,close,volume\n" + "\n".join(lines))
    store = SqlBarStore(database)
    with pytest.raises(CsvImportError):
        import_csv(tmp_path / "big.csv", store, symbol="BTCUSD", timeframe="1m")
    with database.reading() as repository:
        blocks = repository._session.scalars(select(BarBlockRow.symbol)).all()
    assert blocks == []
    assert store.count() == 0
    # the same file without the bad line is stored in blocks
    lines[-3] = lines[-4]
    lines.pop(-4)
    (tmp_path / "big.csv").write_text("ts,open,high,low,close,volume\n" + "\n".join(lines))
    import_csv(tmp_path / "big.csv", store, symbol="BTCUSD", timeframe="1m")
    assert stored_places(database, "BTCUSD")[0] == []
    assert store.count("BTCUSD", "1m") == len(lines)


def test_concurrent_block_writers_of_one_series_lose_no_write(
    migrated_postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two large writes of one series at once on PostgreSQL, over the same months: each
    reads, merges and rewrites those months' blocks, one after the other (the series' row
    lock), so neither loses the other's bars."""
    import threading

    monkeypatch.setattr(bar_module, "BLOCK_ROWS", 4)
    database = Database(migrated_postgres_schema_url)
    try:
        store = SqlBarStore(database)
        for attempt in range(3):
            symbol = f"C{attempt}"
            first = list(range(0, 24 * 30, 2))  # even hours of February
            second = list(range(1, 24 * 30, 2)) + list(range(0, 24 * 10, 2))  # odd, some even
            frames = [
                frame_of(first, np.full((len(first), 5), 1.0), None),
                frame_of(second, np.full((len(second), 5), 2.0), None),
            ]
            problems: list[BaseException] = []

            def write(
                frame: pd.DataFrame,
                symbol: str = symbol,
                barrier: threading.Barrier = threading.Barrier(2),  # noqa: B008
                problems: list[BaseException] = problems,
            ) -> None:
                barrier.wait()
                try:
                    store.write_bars(frame, symbol=symbol, timeframe="1h", source="c",
                                     fetched_at=FETCHED)  # fmt: skip
                except BaseException as error:  # pragma: no cover - reported below
                    problems.append(error)

            threads = [threading.Thread(target=write, args=(frame,)) for frame in frames]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert problems == []
            read = store.read_bars(symbol, "1h")
            assert len(read) == len(set(first) | set(second)) == 24 * 30
            assert stored_places(database, symbol)[0] == []  # all of it in blocks
            only_first = frame_of(sorted(set(first) - set(second)), np.ones((1, 5)), None)
            assert set(read.loc[only_first.index, "close"]) == {1.0}
            assert set(read.loc[frames[1].index, "close"]) <= {1.0, 2.0}
            odd = frame_of(list(range(1, 24 * 30, 2)), np.ones((1, 5)), None)
            assert set(read.loc[odd.index, "close"]) == {2.0}
            assert store.series_version(symbol, "1h") == 2
    finally:
        database.close()


# ---------------------------------------------------------------------------- the upgrade


def _at_revision_0010(url: str) -> Database:
    from alembic import command

    database = Database(url, migrate=False)
    config = database._alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    return database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_ledger_holding_rows_only_reads_the_same_after_the_upgrade(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bar_module, "BLOCK_ROWS", 4)
    url = (
        f"sqlite:///{tmp_path / 'old.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("postgres_schema_url"))
    )
    old = _at_revision_0010(url)
    hours = list(range(0, 24 * 40, 5))
    frame = frame_of(hours, np.arange(len(hours) * 5, dtype=float).reshape(-1, 5) / 4, None)
    batch = BarBatch(
        symbol="SPY", timeframe="1h", frame=frame, index=pd.DatetimeIndex(frame.index),
        closes=pd.DatetimeIndex(frame["ts_close"]), fetched_at=FETCHED, source="old",
        sources=None, quoted=False,
    )  # fmt: skip
    with old.writing_connection() as connection:  # rows as the store at 0010 wrote them
        driver = connection.connection.driver_connection
        if backend == "sqlite":
            write_sqlite(driver, batch)
        else:
            write_postgres(driver, batch, overlapping=False)
    old.close()
    database = Database(url)  # migrated to the newest revision
    try:
        assert database.is_current()
        store = SqlBarStore(database)
        read = store.read_bars("SPY", "1h")
        assert read.index.tolist() == frame.index.tolist()
        for column in PRICES:
            assert (bits(read[column]) == bits(frame[column])).all()
        assert store.count("SPY") == len(hours)
        # a large write over them takes the months it touches into blocks, rows included
        later = frame_of(list(range(2, 24 * 10, 5)), np.full((48, 5), 9.5), None)
        store.write_bars(later, symbol="SPY", timeframe="1h", source="new", fetched_at=FETCHED)
        rows, blocked = stored_places(database, "SPY")
        assert len(blocked) > len(later)
        assert len(rows) + len(blocked) == len(set(hours) | set(range(2, 24 * 10, 5)))
        assert store.count("SPY") == len(rows) + len(blocked)
        both = store.read_bars("SPY", "1h")
        assert both.loc[later.index, "close"].tolist() == [9.5] * len(later)
        kept = frame.index.difference(later.index)
        assert both.loc[kept, "close"].tolist() == frame.loc[kept, "close"].tolist()
    finally:
        database.close()
