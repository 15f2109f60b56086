"""The one reader of bar CSV files, behind ``load_bars`` (backtests) and ``parse_csv`` (imports).

Accepted layouts: a timestamp column (``timestamp``, ``time``, ``datetime``, ``date``, ``ts``...,
any case) or separate ``date`` and ``time`` columns; epoch seconds, milliseconds, microseconds or
nanoseconds, or ISO-8601 text (see ``paperdesk.data.csv_timestamps`` for the rules); price
columns in any case under common names (``open``/``o``, ``high``/``h``, ``low``/``l``,
``close``/``c``/``last``, ``volume``/``v``/``vol``; no volume column means volume 0). ``Adj
Close`` is ignored unless ``adjusted=True``, which scales open, high, low and close by
``adj close / close``. So a Yahoo download (``Date,Open,High,Low,Close,Adj Close,Volume``) reads
as it is.

Every row is checked (the bar rule of ``paperdesk.domain.bar_rule`` for the values, then the
order of the timestamps and the bars' close times) and all problems are reported together in a
``CsvReadError`` (line numbers as in the file, the header being line 1). The result is the
loader's frame: a UTC ``DatetimeIndex`` named ``ts`` of bar open labels, float64 ``open, high,
low, close, volume``, ``ts_close`` and ``attrs`` ``symbol``, ``timeframe``, ``calendar``,
``path``.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from paperdesk.data.bar_rule import BarColumns, check_columns, exact_decimal, row_problems
from paperdesk.data.calendars import bar_close_times, calendar_name
from paperdesk.data.csv_blocks import file_shape, has_digit_run, line_blocks
from paperdesk.data.csv_timestamps import NAT, parse_times
from paperdesk.data.instruments import calendar_or_default
from paperdesk.domain import DataError, InvalidInputError, Timeframe
from paperdesk.domain.bar_rule import MISSING, BarProblem, NumberText, exact_text
from paperdesk.domain.fields import Namer, field_mark, named
from paperdesk.domain.parsing import FIRST_YEAR, LARGEST, LAST_YEAR, file_problem

PRICES = ("open", "high", "low", "close")
NUMBERS = (*PRICES, "volume")
MAX_PROBLEMS = 1000  # problems kept in a report (all are counted)
SHOWN_PROBLEMS = 5  # problems named in an error's message
FIELD_COUNT_STOP = (
    "stopped there: the other checks need every line split into the header's columns, so "
    "they did not run; fix the field counts and check the file again"
)
SOURCE_TAGS = frozenset(
    {"lean", "bt", "btpy", "ft", "oanda", "fxcm", "coinbase", "binance", "bitfinex", "bybit"}
)
_ALIASES = {
    "timestamp": ("timestamp", "datetime", "date time", "ts", "time stamp", "open time", "epoch"),
    "date": ("date", "day"),
    "time": ("time", "hour"),
    "open": ("open", "o", "open price"),
    "high": ("high", "h", "high price"),
    "low": ("low", "l", "low price"),
    "close": ("close", "c", "close price", "last"),
    "volume": ("volume", "v", "vol"),
    "adj close": ("adj close", "adjclose", "adj. close", "adjusted close"),
}
_LOAD_COLUMNS = ("timestamp", *NUMBERS)
_NAN_SPELLINGS = frozenset({"nan", "-nan", "na", "n/a", "null", "none"})
_TIMEFRAME_TOKEN = re.compile(r"^\d+(m|h|d|w|mo)$")
_NANOSECONDS = 1_000_000_000
_FIELD_WIDTH = 21
_CHUNK_ROWS = 1 << 16
_SEPARATOR_POSITIONS = [4, 7, 13, 16]
_SEPARATORS = np.frombuffer(b"--::", dtype=np.uint8)
_DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


class Problem(NamedTuple):
    line: int  # as in the file: the header is line 1
    column: str
    reason: str  # may mark an option it names (``domain.fields``): show it with ``reason_in``

    def reason_in(self, namer: Namer) -> str:
        """The reason naming its fields in a surface's words (``as_option``, ``as_field``)."""
        return named(self.reason, namer)


class CsvReadError(DataError):
    """A CSV file was refused; ``problems`` lists (line, column, reason), ``total`` counts all;
    ``stopped`` says why the checks stopped before the rest of the file (None: every check ran).

    The message names the file and the first problems by line (``bars.csv line 3: ...``).
    """

    def __init__(
        self,
        label: str,
        problems: list[Problem],
        total: int | None = None,
        *,
        stopped: str | None = None,
    ) -> None:
        self.label = label
        self.problems = sorted(problems)[:MAX_PROBLEMS]
        self.total = len(problems) if total is None else total
        self.stopped = stopped
        super().__init__(self._message())

    def _more(self) -> str:
        hidden = self.total - min(len(self.problems), SHOWN_PROBLEMS)
        more = f" (and {hidden} more)" if hidden > 0 else ""
        return more if self.stopped is None else f"{more}; {self.stopped}"

    def _message(self) -> str:
        named = "; ".join(f"line {p.line}: {p.reason}" for p in self.problems[:SHOWN_PROBLEMS])
        return f"{self.label} {named}{self._more()}"


class CsvImportError(CsvReadError):
    """A CSV file was rejected by an import: nothing was imported."""

    def _message(self) -> str:
        named = "; ".join(
            f"line {p.line}{f' {p.column}' if p.column else ''}: {p.reason}"
            for p in self.problems[:SHOWN_PROBLEMS]
        )
        plural = "s" if self.total != 1 else ""
        return (
            f"{self.label}: rejected, nothing imported: {self.total} problem{plural}: "
            f"{named}{self._more()}"
        )


@dataclass(frozen=True)
class Wording:
    """How a caller of the reader words its report: the error it raises, whether hints name the
    ``sort`` and ``drop_duplicates`` options it offers, and four things the tests of
    ``load_bars`` (test_data_csv_source) and of imports (test_data_csv_import,
    test_data_importer) pin differently: how numbers are written, the words for an empty
    timestamp and for a missing column, and whether a volume column is required."""

    error: type[CsvReadError]
    options: bool
    number_text: NumberText
    empty_timestamp: str
    missing_column: Callable[[str, str], str]  # (column, header) -> reason
    volume_required: bool


IMPORT_WORDING = Wording(
    error=CsvImportError,
    options=True,
    number_text=lambda value: exact_text(value).removesuffix(".0"),
    empty_timestamp="timestamp is empty",
    missing_column=lambda name, header: f"no {name} column (header: {header!r})",
    volume_required=False,
)
LOAD_WORDING = Wording(
    error=CsvReadError,
    options=False,
    number_text=exact_text,
    empty_timestamp="timestamp is missing",
    missing_column=lambda name, header: (
        f"missing column {name!r} (header is {header!r}; expected {','.join(_LOAD_COLUMNS)})"
    ),
    volume_required=True,
)


@dataclass(frozen=True)
class ImportedBars:
    """A validated file's bars (the loader's frame convention) and what was done to them."""

    frame: pd.DataFrame
    layout: str
    rows_read: int
    sorted_rows: int = 0
    dropped_duplicates: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.total = 0

    def add(self, mask: np.ndarray, column: str, describe: Callable[[int], str]) -> None:
        rows = np.flatnonzero(mask)
        self.total += len(rows)
        for row in rows[:MAX_PROBLEMS].tolist():
            self.problems.append(Problem(row + 2, column, describe(row)))


def timeframe_from_file_name(name: str) -> str | None:
    """The timeframe a file name ends with (``lean_SPY_1d.csv`` -> ``1d``), or None."""
    tokens = Path(name).stem.split("_")
    if len(tokens) > 1 and _TIMEFRAME_TOKEN.match(tokens[-1].lower()):
        return str(Timeframe.parse(tokens[-1]))
    return None


def symbol_from_file_name(name: str) -> str:
    """The symbol a file name stands for.

    Rule: split the stem on ``_``; drop a trailing timeframe token (``1d``, ``5m``...); drop
    leading source or venue tags (lean, bt, btpy, ft, oanda, fxcm, coinbase, binance, bitfinex,
    bybit); join what is left without separator and upper-case it. So ``lean_SPY_1d.csv`` ->
    ``SPY``, ``lean_oanda_EURUSD_1h.csv`` -> ``EURUSD``, ``bt_2006-day-001_1d.csv`` ->
    ``2006-DAY-001``, ``ft_ETH_BTC_5m.csv`` -> ``ETHBTC``. If nothing is left, the whole stem.
    """
    stem = Path(name).stem
    tokens = [token for token in stem.split("_") if token]
    if len(tokens) > 1 and _TIMEFRAME_TOKEN.match(tokens[-1].lower()):
        tokens = tokens[:-1]
    while tokens and tokens[0].lower() in SOURCE_TAGS:
        tokens = tokens[1:]
    return ("".join(tokens) or stem).upper()


def infer_timeframe(index: pd.DatetimeIndex) -> str | None:
    """The timeframe suggested by the median spacing of ``index`` (None under two bars)."""
    if len(index) < 2:
        return None
    spacing = np.diff(index.asi8)
    seconds = round(float(np.median(spacing)) / _NANOSECONDS)
    if seconds <= 0:
        return None
    if 28 * 86400 <= seconds <= 31 * 86400:
        return "1mo"
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{max(1, round(seconds / 60))}m"


def read_csv_bars(
    path: str | Path,
    *,
    symbol: str | None,
    timeframe: str | None,
    wording: Wording,
    timezone: str | None = None,
    sort: bool = False,
    drop_duplicates: bool = False,
    calendar: str | None = None,
    adjusted: bool = False,
) -> ImportedBars:
    """Read and check a CSV file of bars; raise ``wording.error`` listing every problem.

    ``symbol`` None: from the file name; ``timeframe`` None: from the file name, else from the
    spacing of the bars; ``calendar`` None: the symbol's instrument's.
    """
    file_path = Path(path)
    label = file_path.name
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"time zone {timezone!r} is not known") from None
    name = symbol.strip().upper() if symbol else symbol_from_file_name(label)
    known_timeframe = str(Timeframe.parse(timeframe)) if timeframe else None
    # an unknown symbol is read on XNYS here; the doors (import, backtest, portfolios) refuse it
    resolved_calendar = calendar_name(calendar) if calendar else calendar_or_default(name)
    problem = file_problem("file", file_path)
    if problem is not None:
        raise DataError(f"{label}: {problem}")
    table = _Table(file_path, label, wording, adjusted, fast_times=timezone is None)
    frame_timeframe = known_timeframe or timeframe_from_file_name(label)
    daily = frame_timeframe is not None and not Timeframe.parse(frame_timeframe).is_intraday
    report = _Report()
    stamps, layout = table.timestamps(timezone, daily, report)
    values = {column: table.numbers(column, report) for column in NUMBERS}
    if adjusted and "adj close" in table.positions:
        adjusted_close = table.numbers("adj close", report)
        _check_adjusted_close(adjusted_close, table, report)
        _adjust(values, adjusted_close, table.notes)
    _check_values(values, table, report)
    _check_magnitudes(values, table, report)
    _check_digits(values, table, report, skip=("open", "high", "low", "close") if adjusted else ())
    order = _check_order(stamps, sort, drop_duplicates, wording.options, report)
    if report.total:
        raise wording.error(label, report.problems, report.total)

    sorted_rows = int(np.count_nonzero(np.diff(stamps) < 0)) if sort else 0
    ordered = stamps if order is None else stamps[order]
    dropped = 0
    if drop_duplicates:
        keep = ~pd.Series(ordered).duplicated(keep="first").to_numpy()
        dropped = int(np.count_nonzero(~keep))
        if dropped:
            order = (np.arange(len(stamps)) if order is None else order)[keep]
            ordered = ordered[keep]
    if sorted_rows:
        table.notes.append(f"sorted by timestamp ({sorted_rows} rows were out of order)")
    if dropped:
        table.notes.append(
            f"dropped {dropped} rows repeating an earlier timestamp (kept the first)"
        )
    index = pd.DatetimeIndex(ordered.view("datetime64[ns]"), name="ts").tz_localize("UTC")
    frame = pd.DataFrame(
        {column: values[column] if order is None else values[column][order] for column in NUMBERS},
        index=index,
        copy=False,
    )
    if frame_timeframe is None:
        frame_timeframe = infer_timeframe(index)
        if frame_timeframe is None:
            raise DataError(f"{label}: cannot infer the timeframe; pass timeframe=")
    try:
        closes = bar_close_times(index, frame_timeframe, resolved_calendar)
    except InvalidInputError as error:
        raise DataError(f"{label}: {error}") from error
    _check_close_times(index, closes, order, len(stamps), frame_timeframe, report)
    if report.total:
        raise wording.error(label, report.problems, report.total)
    frame["ts_close"] = closes
    frame.attrs.update(
        symbol=name, timeframe=frame_timeframe, calendar=resolved_calendar, path=str(file_path)
    )
    return ImportedBars(frame, layout, len(stamps), sorted_rows, dropped, tuple(table.notes))


class _Table:
    """The file's header and the columns the reader needs, parsed on demand."""

    def __init__(
        self, file_path: Path, label: str, wording: Wording, adjusted: bool, fast_times: bool
    ) -> None:
        self.path = file_path
        self.label = label
        self.wording = wording
        self.notes: list[str] = []
        self.quoted = False  # whether any byte of the file is a double quote
        self._content: bytes | None = None
        self.digit_blocks: list[tuple[int, int, int]] = []  # (offset, size, first line)
        self._texts: dict[str, pd.Series] = {}
        self._unparsed: dict[str, np.ndarray] = {}
        header = self._header()
        self.positions = self._columns(header, adjusted)
        # the timestamps parsed by the one scan of the bytes (``_visit``), when the first
        # column is the timestamp and no time zone is given
        fast_times = fast_times and self.positions.get("timestamp") == 0
        self._times: _FastTimes | None = _FastTimes() if fast_times else None
        self._numbers = self._read_numbers()
        self.rows = self._row_count()
        self.rows -= self._trailing_blanks()
        if self.rows == 0:
            raise self.fail([Problem(1, "", "no bars after the header line")])

    def fail(self, problems: list[Problem], *, stopped: str | None = None) -> CsvReadError:
        return self.wording.error(self.label, problems, stopped=stopped)

    def _header(self) -> list[str]:
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                line = handle.readline()
        except UnicodeDecodeError as error:
            raise self.fail([Problem(1, "", f"not UTF-8 text: {error}")]) from None
        except ValueError as error:  # a shape pandas cannot read that no check above named
            raise self.fail([Problem(1, "", f"not a CSV file of bars: {error}")]) from None
        if not line.strip():
            raise self.fail([Problem(1, "", "the file is empty")])
        return next(csv.reader([line]))

    def _columns(self, names: list[str], adjusted: bool) -> dict[str, int]:
        """Our column names -> their positions in the file; notes on columns left out."""
        found: dict[str, int] = {}
        for position, original in enumerate(names):
            key = re.sub(r"[\s_\-]+", " ", original.strip().lower())
            ours = next((ours for ours, aliases in _ALIASES.items() if key in aliases), None)
            if ours is None:
                self.notes.append(f"ignored column {original!r}")
            elif ours in found:
                raise self.fail([Problem(1, original, f"a second {ours} column")])
            else:
                found[ours] = position
        if "adj close" in found and not adjusted:
            ignored = names[found.pop("adj close")]
            self.notes.append(f"ignored column {ignored!r} (--adjusted uses it)")
        has_time = "timestamp" in found or "date" in found or "time" in found
        missing = [column for column in PRICES if column not in found]
        if self.wording.volume_required and "volume" not in found:
            missing.append("volume")
        if not has_time:
            missing.insert(0, "timestamp")
        if missing:
            header = ",".join(names)
            reason = self.wording.missing_column
            raise self.fail([Problem(1, column, reason(column, header)) for column in missing])
        if "volume" not in found:
            self.notes.append("no volume column: volume set to 0")
        return found

    def _read(self, positions: list[int] | None, **options: Any) -> pd.DataFrame:
        """Columns ``positions`` of the file (all, checking every line's fields, when None)."""
        with self._pandas_errors():
            table: pd.DataFrame = pd.read_csv(
                self.path,
                engine="c",
                usecols=positions,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                **options,
            )
        return table

    @contextmanager
    def _pandas_errors(self) -> Iterator[None]:
        """pandas' reading errors as the file's problems (``fail``)."""
        try:
            yield
        except pd.errors.EmptyDataError:
            raise self.fail([Problem(1, "", "the file is empty")]) from None
        except pd.errors.ParserError as error:
            raise self._parser_error(error) from None
        except UnicodeDecodeError as error:
            raise self.fail([Problem(1, "", f"not UTF-8 text: {error}")]) from None
        except ValueError as error:  # a shape pandas cannot read that no check above named
            raise self.fail([Problem(1, "", f"not a CSV file of bars: {error}")]) from None

    def _parser_error(self, error: pd.errors.ParserError) -> CsvReadError:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found is None:
            return self.fail([Problem(1, "", f"not a CSV file: {error}")])
        expected, line, saw = (int(group) for group in found.groups())
        problem = Problem(line, "", f"{saw} fields where the header has {expected}")
        return self.fail([problem], stopped=FIELD_COUNT_STOP)

    def _read_numbers(self) -> dict[str, np.ndarray | None]:
        """The number columns as float64, parsed by one call of pandas' C parser (which reads
        its own chunks of rows and joins each column's once); None for a column some cell of
        which it cannot parse (``numbers`` then parses the column's text)."""
        wanted = [column for column in (*NUMBERS, "adj close") if column in self.positions]
        positions = sorted(self.positions[column] for column in wanted)
        self._check_field_counts()
        self._content = None  # the whole file is held only to name wrong field counts
        with warnings.catch_warnings():  # a column of mixed cells is read as text below
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            table = self._read(positions)
        by_position = dict(zip(positions, range(len(positions)), strict=True))
        numbers: dict[str, np.ndarray | None] = {}
        for column in wanted:
            series = table.iloc[:, by_position[self.positions[column]]]
            parsed = series.dtype.kind in "fiu"
            numbers[column] = series.to_numpy(dtype=np.float64) if parsed else None
        return numbers

    def _check_field_counts(self) -> None:
        """Every line must have as many fields as the header (reading selected columns ignores
        extra fields, and pandas takes an extra first-row field for an index). Counting commas
        settles nearly every file; only one with quotes or a mismatch is read line by line."""
        shape = file_shape(self.path, _SLICE_BYTES, self._visit)
        self.quoted = shape.quoted
        if shape.even and not shape.quoted:
            return
        problems = self._field_count_problems()
        if problems:
            raise self.fail(problems, stopped=FIELD_COUNT_STOP)

    def _visit(
        self, block: bytes, buffer: np.ndarray, first_line: int, offset: int, ends: Any
    ) -> None:
        """The reader's other scans of the bytes, on ``file_shape``'s one read of the file:
        the timestamps (while every line holds the header's commas, its newlines found) and
        which blocks may hold a cell with more digits than kept (``_check_digits``)."""
        if ends is not None and self._times is not None:
            self._times.add(block, buffer, first_line, ends)
        elif self._times is not None:  # an uneven file: read on its own (``timestamps``)
            self._times = None
        if has_digit_run(buffer, _LONG_RUN):  # nearly every block: ruled out at once
            self.digit_blocks.append((offset, len(block), first_line))

    def _field_count_problems(self) -> list[Problem]:
        text = self.content().decode("utf-8-sig", errors="replace")
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        problems = []
        for row in reader:
            if row and len(row) != len(header):
                line = reader.line_num
                problems.append(
                    Problem(line, "", f"{len(row)} fields where the header has {len(header)}")
                )
        return problems

    def blocks(self, where: list[tuple[int, int, int]]) -> Iterator[tuple[bytes, int]]:
        """The blocks of ``where`` (offset, size, first line) read again from the file."""
        with self.path.open("rb") as handle:
            for offset, size, first_line in where:
                handle.seek(offset)
                yield handle.read(size), first_line

    def content(self) -> bytes:
        if self._content is None:
            self._content = self.path.read_bytes()
        return self._content

    def _trailing_blanks(self) -> int:
        """How many blank lines end the file."""
        blank = np.ones(self.rows, dtype=bool)
        for column, values in self._numbers.items():
            blank &= np.isnan(values) if values is not None else self._blank_text(column)
        if not blank.any():
            return 0
        for column in ("timestamp", "date", "time"):
            text = self.text(column)
            if text is not None:
                blank &= (text == "").to_numpy()
        return int(np.argmin(blank[::-1])) if not blank.all() else len(blank)

    def _row_count(self) -> int:
        """Rows after the header as pandas read them (blank lines included)."""
        for values in self._numbers.values():
            if values is not None:
                return len(values)
        return len(self._all_text(next(iter(self._numbers))))

    def _blank_text(self, column: str) -> np.ndarray:
        text = self.text(column)
        assert text is not None
        return (text == "").to_numpy()

    def text(self, column: str) -> pd.Series | None:
        """Column ``column`` as stripped text, ``""`` where empty (None without that column)."""
        if column not in self.positions:
            return None
        return self._all_text(column).iloc[: self.rows]

    def _all_text(self, column: str) -> pd.Series:
        """Column ``column`` (one the file has) as stripped text, every row pandas read."""
        if column not in self._texts:
            table = self._read([self.positions[column]], dtype=str, keep_default_na=False)
            text = table.iloc[:, 0].fillna("").astype(str).str.strip()
            self._texts[column] = text.reset_index(drop=True)
        return self._texts[column]

    def timestamps(
        self, timezone: str | None, daily: bool, report: _Report
    ) -> tuple[np.ndarray, str]:
        """Nanoseconds since the epoch per row, and the layout they were read in."""
        if self.positions.get("timestamp") == 0 and timezone is None:
            scanned, self._times = self._times, None
            if scanned is not None:  # parsed by the scan of the bytes
                fast = scanned.result(self.rows)
            else:
                fast = _fast_timestamps(self.path, self.rows)
            if fast is not None:
                return fast
        text = self._timestamp_text()
        times = parse_times(text, timezone, daily)
        empty = (text == "").to_numpy()
        for row, reason in times.reasons.items():
            if empty[row]:
                reason = self.wording.empty_timestamp
            report.problems.append(Problem(row + 2, "timestamp", reason))
        report.total += int(np.count_nonzero(times.stamps == NAT))
        stamps = times.stamps
        outside = (stamps != NAT) & ((stamps < _EARLIEST) | (stamps >= _AFTER_LATEST))
        if outside.any():
            report.add(
                outside,
                "timestamp",
                lambda row: (
                    f"time {text.iloc[row]!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}"
                ),
            )
            stamps = np.where(outside, NAT, stamps)
        return stamps, times.layout

    def _timestamp_text(self) -> pd.Series:
        stamp, date, clock = (self.text(column) for column in ("timestamp", "date", "time"))
        if stamp is not None:
            return stamp
        if date is not None and clock is not None:
            padded = clock.str.replace(r"^(\d):", r"0\1:", regex=True)
            both = (date != "") & (padded != "")
            return (date + " " + padded).where(both, "")
        text = date if date is not None else clock
        assert text is not None  # _columns requires one of the three
        return text

    def numbers(self, column: str, report: _Report) -> np.ndarray:
        """Column ``column`` as float64 (NaN where empty or not a number; zeros when absent).

        Cells that are not numbers are reported here; the rest is for the bar rule."""
        if column not in self._numbers:
            return np.zeros(self.rows, dtype=np.float64)
        parsed = self._numbers[column]
        if parsed is not None:
            values = parsed[: self.rows]
        else:  # some cell the C parser could not read: parse the text as the importer does
            text = self.text(column)
            assert text is not None
            values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
        unparsed = np.zeros(len(values), dtype=bool)
        missing = np.isnan(values)
        if missing.any():
            text = self.text(column)
            assert text is not None
            spelled = (text == "") | text.str.lower().isin(_NAN_SPELLINGS)
            unparsed = missing & ~spelled.to_numpy()
            report.add(
                unparsed, column, lambda row: f"{column} value {text.iloc[row]!r} is not a number"
            )
        self._unparsed[column] = unparsed
        return values

    def unparsed(self, column: str) -> np.ndarray:
        """The rows whose ``column`` cell is not a number (reported by ``numbers``)."""
        found = self._unparsed.get(column)
        return np.zeros(self.rows, dtype=bool) if found is None else found

    def missing_detail(self, column: str, row: int) -> str:
        """What a NaN cell held: nothing, or a spelling of NaN."""
        text = self.text(column)
        if text is None or text.iloc[row] == "":
            return "the cell is empty"
        return f"the cell is NaN: {text.iloc[row]!r}"


def _adjust(values: dict[str, np.ndarray], adjusted_close: np.ndarray, notes: list[str]) -> None:
    """Scale the prices by ``adj close / close`` (rows whose factor is not a finite positive
    number keep their prices: they are refused for that)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = adjusted_close / values["close"]
    usable = np.isfinite(factor) & (factor > 0)
    factor = np.where(usable, factor, 1.0)
    for name in PRICES:
        values[name] = values[name] * factor
    notes.append("prices adjusted by adj close / close")


def _check_adjusted_close(adjusted_close: np.ndarray, table: _Table, report: _Report) -> None:
    """``adj close`` must be a finite positive number where the prices are adjusted by it."""
    words = table.wording.number_text
    with np.errstate(invalid="ignore"):
        missing = np.isnan(adjusted_close) & ~table.unparsed("adj close")
        infinite = np.isinf(adjusted_close)
        not_positive = np.isfinite(adjusted_close) & (adjusted_close <= 0)

    def text(row: int) -> str:
        return words(exact_decimal(adjusted_close[row]))

    report.add(
        missing,
        "adj close",
        lambda row: f"adj close is missing or NaN ({table.missing_detail('adj close', row)})",
    )
    report.add(infinite, "adj close", lambda row: f"adj close {text(row)} is not finite")
    report.add(not_positive, "adj close", lambda row: f"adj close {text(row)} is not positive")


def _check_values(values: dict[str, np.ndarray], table: _Table, report: _Report) -> None:
    """The bar rule on every row, in its words (a NaN cell also says what the cell held; a cell
    that is not a number was reported as such already)."""
    columns = BarColumns(*(values[column] for column in NUMBERS))
    rule = check_columns(columns, limit=MAX_PROBLEMS, number_text=table.wording.number_text)
    worded: dict[int, list[BarProblem]] = {}
    for row, problem in rule.problems:
        if row not in worded:  # the same problems, their numbers as the file writes them
            worded[row] = row_problems(columns, row, number_text=_as_written(table, values, row))
        reason = worded[row].pop(0).reason
        if problem.check == MISSING:
            if table.unparsed(problem.field)[row]:
                continue
            reason = f"{reason} ({table.missing_detail(problem.field, row)})"
        report.problems.append(Problem(row + 2, problem.field, reason))
    unparsed = sum(int(np.count_nonzero(table.unparsed(column))) for column in NUMBERS)
    report.total += rule.total - unparsed


def _as_written(table: _Table, values: dict[str, np.ndarray], row: int) -> NumberText:
    """Row ``row``'s numbers as its cells write them (``398.00``, not the float's ``398.0``);
    a number no cell of the row holds (an adjusted price) in the wording's own way."""
    cells: dict[Decimal, str] = {}
    for column in NUMBERS:
        text = table.text(column)
        if text is None:
            continue
        cell = str(text.iloc[row])
        try:
            written = Decimal(cell)
        except InvalidOperation:
            continue
        if written.is_finite() and written == exact_decimal(values[column][row]):
            cells.setdefault(written, cell)

    def number_text(value: Decimal) -> str:
        return cells.get(value) or table.wording.number_text(value)

    return number_text


def _check_magnitudes(values: dict[str, np.ndarray], table: _Table, report: _Report) -> None:
    """Prices and volumes must stay below 1e15, as every amount the ledger stores."""
    for column in NUMBERS:
        with np.errstate(invalid="ignore"):
            huge = np.isfinite(values[column]) & (np.abs(values[column]) >= float(LARGEST))
        if huge.any():
            report.add(huge, column, _too_large(table, column))


KEPT_DIGITS = 15  # significant digits every price and volume keeps exactly through the store
_LONG_RUN = KEPT_DIGITS + 1  # a cell with more digits than kept holds a run this long
_SLICE_BYTES = 1 << 20  # bytes scanned at once (a few MB of arrays per slice)
_WIDEST_RUN = 32  # longer runs are checked one by one
_RUNS_AT_ONCE = 1 << 14


def _check_digits(
    values: dict[str, np.ndarray], table: _Table, report: _Report, skip: tuple[str, ...] = ()
) -> None:
    """A price or volume must be kept exactly: the bar store holds each as the shortest text of
    a float64, which is exact for up to 15 significant digits. A cell with more digits than
    that (``1.0000000000000001``) is refused, naming it, instead of being rounded silently.
    Only cells holding a run of 16 digits and dots are looked at, found with numpy in the
    file's bytes a block of lines at a time (files without one, nearly all, cost one
    vectorised scan); a cell whose run is its float's shortest text is exact without further
    work."""
    checked = {column: values[column] for column in NUMBERS if column not in skip}
    cells: dict[tuple[str, int], str] = {}
    for block, first_line in table.blocks(table.digit_blocks):  # the blocks with a long run
        buffer = np.frombuffer(block, dtype=np.uint8)
        starts, ends = _long_runs(buffer)
        if len(starts) == 0:
            continue
        if table.quoted:  # a quoted field may hold a newline: read the parsed texts instead
            cells = _long_texts(table)
            break
        cells.update(_long_cells(block, buffer, table, (starts, ends), checked, first_line - 1))
    lost: dict[str, dict[int, str]] = {}
    for (column, row), cell in cells.items():
        numbers = checked.get(column)
        if numbers is None or row >= table.rows:
            continue
        value = float(numbers[row])
        if value - value != 0.0 or cell == repr(value):  # not finite, or exactly its text
            continue
        if _digits_lost(cell, value):
            lost.setdefault(column, {})[row] = cell
    for column in NUMBERS:  # reported column by column, as the other checks
        found = lost.get(column)
        if found:
            mask = np.zeros(table.rows, dtype=bool)
            mask[list(found)] = True
            report.add(mask, column, _too_precise(found, column))


def _long_runs(buffer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of at least 16 digits and dots begins and ends (exclusive), from the
    bytes that are neither, found a slice at a time (memory stays a few slices)."""
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    previous = -1  # the last byte that is neither a digit nor a dot, so far
    for first in range(0, len(buffer), _SLICE_BYTES):
        piece = buffer[first : first + _SLICE_BYTES]
        others = np.flatnonzero(((piece - np.uint8(48)) > 9) & (piece != 46)) + first
        if len(others) == 0:
            continue
        edges = np.concatenate(([previous], others))
        long = np.flatnonzero(np.diff(edges) > _LONG_RUN)
        starts.append(edges[long] + 1)
        ends.append(edges[long + 1])
        previous = int(others[-1])
    if len(buffer) - previous - 1 >= _LONG_RUN:
        starts.append(np.array([previous + 1]))
        ends.append(np.array([len(buffer)]))
    if not starts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(starts).astype(np.int64), np.concatenate(ends).astype(np.int64)


def _long_cells(
    content: bytes,
    buffer: np.ndarray,
    table: _Table,
    runs: tuple[np.ndarray, np.ndarray],
    values: dict[str, np.ndarray],
    first_row: int,
) -> dict[tuple[str, int], str]:
    """(column, row) -> text of the cells of ``values``' columns holding the ``runs`` (their
    starts and ends) that are not plainly exact, in a block of whole lines of a file without
    quotes (every newline ends a line) whose first line is row ``first_row`` (-1: the
    header). A run equal to the shortest text of its cell's float (the sign aside) is exact
    whatever surrounds it, so those are settled for whole arrays; the rest are cut out one by
    one."""
    starts, ends = runs
    line_starts = np.concatenate(([0], _line_starts(buffer)))
    lines = np.searchsorted(line_starts, starts, side="right") - 1
    rows = lines + first_row
    inside = (rows >= 0) & (rows < table.rows)
    starts, ends, rows, lines = starts[inside], ends[inside], rows[inside], lines[inside]
    fields = _commas_before(buffer, starts) - _commas_before(buffer, line_starts[lines])
    plain = np.ones(len(starts), dtype=bool)  # runs in other columns are not looked at
    for column, column_values in values.items():
        ours = np.flatnonzero(fields == table.positions[column])
        plain[ours] = False
        chosen = ours[ends[ours] - starts[ours] <= _WIDEST_RUN]
        for first in range(0, len(chosen), _RUNS_AT_ONCE):  # bytes of a few runs at a time
            part = chosen[first : first + _RUNS_AT_ONCE]
            numbers = np.abs(column_values[rows[part]]).tolist()
            texts = np.array([repr(value) for value in numbers], dtype=f"S{_WIDEST_RUN}")
            picked = starts[part, None] + np.arange(_WIDEST_RUN)
            block = buffer[np.minimum(picked, len(buffer) - 1)]
            block[picked >= ends[part, None]] = 0
            plain[part] = block.view(f"S{_WIDEST_RUN}")[:, 0] == texts
    names = {position: column for column, position in table.positions.items()}
    cells: dict[tuple[str, int], str] = {}
    for position, row, line, place in zip(
        starts[~plain].tolist(),
        rows[~plain].tolist(),
        lines[~plain].tolist(),
        fields[~plain].tolist(),
        strict=True,
    ):
        column = names[place]
        if (column, row) in cells:
            continue
        line_start = int(line_starts[line])
        first = content.rfind(b",", line_start, position) + 1 or line_start
        last = min(_find(content, b",", position), _find(content, b"\n", position))
        cells[column, row] = content[first:last].decode("utf-8", "replace").strip()
    return cells


def _commas_before(buffer: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """How many commas the file holds before each of ``positions`` (ascending), counted a
    slice at a time (no array of every comma)."""
    counts = np.empty(len(positions), dtype=np.int64)
    seen = 0
    for first in range(0, len(buffer), _SLICE_BYTES):
        low, high = np.searchsorted(positions, [first, first + _SLICE_BYTES])
        commas = np.flatnonzero(buffer[first : first + _SLICE_BYTES] == 44) + first
        counts[low:high] = seen + np.searchsorted(commas, positions[low:high])
        seen += len(commas)
    return counts


def _find(content: bytes, separator: bytes, position: int) -> int:
    found = content.find(separator, position)
    return len(content) if found < 0 else found


def _long_texts(table: _Table) -> dict[tuple[str, int], str]:
    """The cells longer than 15 characters of a file with quotes, from the columns' texts."""
    cells: dict[tuple[str, int], str] = {}
    for column in NUMBERS:
        text = table.text(column)
        if text is None:
            continue
        texts = text.to_numpy(dtype=object)
        for row in np.flatnonzero((text.str.len() > KEPT_DIGITS).to_numpy()).tolist():
            cells[column, row] = str(texts[row])
    return cells


def _too_precise(cells: dict[int, str], column: str) -> Callable[[int], str]:
    def describe(row: int) -> str:
        return (
            f"{column} value {cells[row]!r} has more significant digits than paperdesk "
            f"keeps exactly ({KEPT_DIGITS})"
        )

    return describe


def _digits_lost(cell: str, value: float) -> bool:
    try:
        return Decimal(cell) != Decimal(repr(value))
    except InvalidOperation:
        return False  # not a plain decimal number: the other checks name it


def _too_large(table: _Table, column: str) -> Callable[[int], str]:
    text = table.text(column)

    def describe(row: int) -> str:
        cell = text.iloc[row] if text is not None else ""
        return f"{column} value {cell!r} is not below {LARGEST}"

    return describe


def _check_order(
    stamps: np.ndarray, sort: bool, drop: bool, options: bool, report: _Report
) -> np.ndarray | None:
    """Report repeated and unsorted timestamps unless allowed; the rows in time order (None:
    as in the file)."""
    valid = stamps != NAT
    positions = np.flatnonzero(valid)
    known = stamps[positions]
    del valid
    ascending = bool((known[1:] > known[:-1]).all())  # then no timestamp repeats
    if not drop and not ascending:
        repeated = pd.Series(known).duplicated(keep="first").to_numpy()
        if repeated.any():
            first_row = pd.Series(positions).groupby(known).transform("min").to_numpy()
            mask = np.zeros(len(stamps), dtype=bool)
            mask[positions[repeated]] = True
            first_of = dict(zip(positions.tolist(), first_row.tolist(), strict=True))
            hint = f"; {field_mark('drop_duplicates')} keeps the first" if options else ""
            report.add(
                mask,
                "timestamp",
                lambda row: (
                    f"duplicate timestamp {_iso(stamps[row])} (also on line "
                    f"{first_of[row] + 2}){hint}"
                ),
            )
    earlier = np.zeros(0, dtype=bool) if ascending else np.diff(known) < 0
    if not sort and earlier.any():
        mask = np.zeros(len(stamps), dtype=bool)
        mask[positions[1:][earlier]] = True
        previous = dict(zip(positions[1:].tolist(), positions[:-1].tolist(), strict=True))
        hint = " (sort=True sorts them)" if options else ""
        report.add(
            mask,
            "timestamp",
            lambda row: (
                f"timestamp {_iso(stamps[row])} is earlier than {_iso(stamps[previous[row]])} "
                f"on line {previous[row] + 2}; timestamps must be ascending{hint}"
            ),
        )
    return np.argsort(stamps, kind="stable") if sort else None


def _check_close_times(
    index: pd.DatetimeIndex,
    closes: pd.DatetimeIndex,
    order: np.ndarray | None,
    rows: int,
    timeframe: str,
    report: _Report,
) -> None:
    """Each bar closes after its label (a daily bar labelled at the session close does not)."""
    early = closes.asi8 <= index.asi8
    if not early.any():
        return
    in_file = early if order is None else np.zeros(rows, dtype=bool)
    if order is not None:
        in_file[order[early]] = True
    stamps = index.asi8 if order is None else np.zeros(rows, dtype=np.int64)
    close_stamps = closes.asi8 if order is None else np.zeros(rows, dtype=np.int64)
    if order is not None:
        stamps[order] = index.asi8
        close_stamps[order] = closes.asi8
    report.add(
        in_file,
        "timestamp",
        lambda row: (
            f"a {timeframe} bar labelled {_iso(stamps[row])} would close at "
            f"{_iso(close_stamps[row])}, not after its label; label bars with their start "
            "time (daily bars: their date)"
        ),
    )


_EARLIEST = pd.Timestamp(f"{FIRST_YEAR}-01-01", tz="UTC").value
_AFTER_LATEST = pd.Timestamp(f"{LAST_YEAR + 1}-01-01", tz="UTC").value


def _line_starts(buffer: np.ndarray) -> np.ndarray:
    """Where each line after the first begins, scanned a slice at a time (a mask of the whole
    file would cost a byte per byte of it)."""
    slice_size = _SLICE_BYTES
    parts = [
        np.flatnonzero(buffer[first : first + slice_size] == 10) + (first + 1)
        for first in range(0, len(buffer), slice_size)
    ]
    starts = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return starts[starts < len(buffer)]


class _FastTimes:
    """``YYYY-MM-DDTHH:MM:SS[Z]`` first fields parsed with numpy (UTC), a block of the file's
    lines at a time (``add``; memory stays a block's), then checked against the rows pandas
    read (``result``): None when any line differs, or the file has lines beyond the rows (the
    general parser then reads them)."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.rows = self.zulu_rows = self.lines = 0
        self.last = b""
        self.failed = False

    def add(self, block: bytes, buffer: np.ndarray, first_line: int, ends: np.ndarray) -> None:
        """Parse the first field of each line of ``block`` (its bytes ``buffer``, its newlines
        at ``ends``, its first line the file's ``first_line``; the header is line 0)."""
        if self.failed:
            return
        starts = ends + 1
        starts = starts[starts < len(buffer)]
        self.last = block[-1:]
        # a newline before each start, and the last
        self.lines += len(starts) + (self.last == b"\n")
        if first_line > 0:  # the block begins a line (the first block: the header's)
            starts = np.concatenate(([0], starts))
        if len(starts) and int(starts[-1]) + _FIELD_WIDTH > len(block):
            self.failed = True
            return
        if len(starts) == 0:
            return
        fields = sliding_window_view(buffer, _FIELD_WIDTH)  # row i: the bytes from i on (a view)
        for first in range(0, len(starts), _CHUNK_ROWS):
            chunk = starts[first : first + _CHUNK_ROWS]
            parsed = _chunk_seconds(fields[chunk])  # a row of bytes per line
            if parsed is None:
                self.failed = True
                self.parts = []
                return
            seconds, zulu = parsed
            self.parts.append(seconds * _NANOSECONDS)
            self.rows += len(chunk)
            self.zulu_rows += zulu

    def result(self, rows: int) -> tuple[np.ndarray, str] | None:
        if rows == 0 or self.failed or self.rows != rows:
            return None
        if self.lines + (0 if self.last == b"\n" else 1) != rows + 1:
            return None
        stamps = np.concatenate(self.parts) if len(self.parts) != 1 else self.parts[0]
        self.parts = []
        if self.zulu_rows == rows:
            layout = "ISO-8601 with offsets"
        elif self.zulu_rows:
            layout = "ISO-8601, with offsets and naive times in UTC"
        else:
            layout = "ISO-8601, naive times in UTC"
        return stamps, layout


def _fast_timestamps(path: Path, rows: int) -> tuple[np.ndarray, str] | None:
    """``_FastTimes`` of the whole file read on its own (a file whose lines do not all hold
    the header's commas: the shared scan of ``file_shape`` then found no newlines for it)."""
    if rows == 0:
        return None
    times = _FastTimes()
    for block, first_line in line_blocks(path, _SLICE_BYTES):
        buffer = np.frombuffer(block, dtype=np.uint8)
        times.add(block, buffer, first_line, np.flatnonzero(buffer == ord("\n")))
        if times.failed or times.rows > rows:
            return None
    return times.result(rows)


def _chunk_seconds(block: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Seconds since the epoch of a block of first fields (a row of bytes each) and how many
    end in ``Z``; None when any is not ``YYYY-MM-DDTHH:MM:SS[Z]`` followed by a comma."""
    if (block[:, _SEPARATOR_POSITIONS] != _SEPARATORS).any():
        return None
    middle = block[:, 10]
    if ((middle != ord("T")) & (middle != ord(" "))).any():
        return None
    end, after = block[:, 19], block[:, 20]
    zulu = (end == ord("Z")) & (after == ord(","))
    if not ((end == ord(",")) | zulu).all():
        return None
    digits = block[:, _DIGIT_POSITIONS] - np.uint8(48)  # a byte below "0" wraps above 9
    if (digits > 9).any():
        return None

    def digit(position: int) -> np.ndarray:
        return digits[:, position].astype(np.int32)

    year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
    month, day, hour, minute, second = (
        digit(4 + 2 * field) * 10 + digit(5 + 2 * field) for field in range(5)
    )
    if ((month < 1) | (month > 12) | (year < FIRST_YEAR) | (year > LAST_YEAR)).any():
        return None
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = _DAYS_IN_MONTH[month] + ((month == 2) & leap)
    if ((day < 1) | (day > month_days) | (hour > 23) | (minute > 59) | (second > 59)).any():
        return None
    shifted_year = (year - (month <= 2)).astype(np.int64)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    return np.asarray(seconds, dtype=np.int64), int(np.count_nonzero(zulu))


def _iso(nanoseconds: Any) -> str:
    return pd.Timestamp(int(nanoseconds), tz="UTC").isoformat().replace("+00:00", "Z")
