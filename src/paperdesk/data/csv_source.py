"""Load OHLCV bars from CSV files into validated, UTC-indexed pandas frames."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from paperdesk.data.calendars import bar_close_times, calendar_name
from paperdesk.data.instruments import instrument_for
from paperdesk.domain import DataError, InvalidInputError, Timeframe

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
PRICE_COLUMNS = ("open", "high", "low", "close")
NUMBER_COLUMNS = (*PRICE_COLUMNS, "volume")
SOURCE_TAGS = frozenset(
    {"lean", "bt", "btpy", "ft", "oanda", "fxcm", "coinbase", "binance", "bitfinex", "bybit"}
)
_TIMEFRAME_TOKEN = re.compile(r"^\d+(m|h|d|w|mo)$")
_NANOSECONDS = 1_000_000_000
_FIELD_WIDTH = 21
_CHUNK_ROWS = 1 << 18
_SEPARATOR_POSITIONS = [4, 7, 13, 16]
_SEPARATORS = np.frombuffer(b"--::", dtype=np.uint8)
_DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)

Failure = tuple[int, str]


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


def load_bars(
    path: str | os.PathLike[str],
    *,
    symbol: str | None = None,
    timeframe: str | None = None,
    calendar: str | None = None,
) -> pd.DataFrame:
    """Read and validate an OHLCV CSV (header ``timestamp,open,high,low,close,volume``).

    Returns a frame indexed by the bar's open label ``ts`` (UTC), with float64 columns open,
    high, low, close, volume and ``ts_close`` (UTC): when the bar becomes visible. ``attrs``
    holds ``symbol``, ``timeframe``, ``calendar`` and ``path``. Timestamps without an offset are
    taken as UTC. Any malformed row raises DataError naming the file, its 1-based line and why.
    """
    file_path = Path(path)
    label = file_path.name
    if not file_path.is_file():
        raise DataError(f"{label}: file not found: {file_path}")
    positions = _header_positions(file_path, label)
    try:
        timestamps, numbers = _read(file_path, positions)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise DataError(f"{label}: cannot be read as CSV: {error}") from error
    if len(numbers) == 0:
        raise DataError(f"{label}: no bars after the header line")
    frame = _validate(label, timestamps, numbers)

    resolved_symbol = symbol.strip().upper() if symbol else symbol_from_file_name(label)
    if timeframe is not None:
        resolved_timeframe = str(Timeframe.parse(timeframe))
    else:
        resolved_timeframe = (
            timeframe_from_file_name(label) or infer_timeframe(pd.DatetimeIndex(frame.index)) or ""
        )
        if not resolved_timeframe:
            raise DataError(f"{label}: cannot infer the timeframe; pass timeframe=")
    if calendar is not None:
        resolved_calendar = calendar_name(calendar)
    else:
        resolved_calendar = instrument_for(resolved_symbol).calendar
    try:
        close_times = bar_close_times(
            pd.DatetimeIndex(frame.index), resolved_timeframe, resolved_calendar
        )
    except InvalidInputError as error:
        raise DataError(f"{label}: {error}") from error
    early = _first(close_times.asi8 <= pd.DatetimeIndex(frame.index).as_unit("ns").asi8)
    if early is not None:
        raise DataError(
            f"{label} line {early + 2}: a {resolved_timeframe} bar labelled "
            f"{frame.index[early].isoformat()} would close at {close_times[early].isoformat()}, "
            "not after its label; label bars with their start time (or, for daily bars, "
            "their date)"
        )
    frame["ts_close"] = close_times
    frame.attrs.update(
        symbol=resolved_symbol,
        timeframe=resolved_timeframe,
        calendar=resolved_calendar,
        path=str(file_path),
    )
    return frame


def _header_positions(file_path: Path, label: str) -> dict[str, int]:
    with file_path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
    names = [name.strip().strip('"').lower() for name in header.rstrip("\r\n").split(",")]
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in COLUMNS:
            if name in positions:
                raise DataError(f"{label} line 1: column {name!r} appears twice")
            positions[name] = position
    for name in COLUMNS:
        if name not in positions:
            raise DataError(
                f"{label} line 1: missing column {name!r} "
                f"(header is {header.strip()!r}; expected {','.join(COLUMNS)})"
            )
    return positions


def _read(
    file_path: Path, positions: dict[str, int]
) -> tuple[np.ndarray | pd.Series, pd.DataFrame]:
    """Timestamps (int64 ns when the fast path applies, else raw text) and the number columns."""
    number_positions = [positions[name] for name in NUMBER_COLUMNS]
    if positions["timestamp"] == 0:
        numbers = pd.read_csv(
            file_path, engine="c", usecols=number_positions, skip_blank_lines=False
        )
        numbers.columns = [str(column).strip().lower() for column in numbers.columns]
        fast = _fast_timestamps(file_path, len(numbers))
        if fast is not None:
            return fast, numbers[list(NUMBER_COLUMNS)]
    table = pd.read_csv(
        file_path,
        engine="c",
        skip_blank_lines=False,
        dtype=object,
        keep_default_na=False,
        na_values=[""],
    )
    table.columns = [str(column).strip().lower() for column in table.columns]
    empty = table.isna().all(axis=1).to_numpy()
    trailing = int(np.argmin(empty[::-1])) if not empty.all() else len(empty)
    if trailing:
        table = table.iloc[: len(table) - trailing]
    return table["timestamp"], table[list(NUMBER_COLUMNS)]


def _fast_timestamps(file_path: Path, rows: int) -> np.ndarray | None:
    """Parse ``YYYY-MM-DDTHH:MM:SS[Z]`` first fields with numpy; None when any row differs."""
    content = file_path.read_bytes()
    header_end = content.find(b"\n")
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    if rows == 0 or header_end < 0 or lines != rows + 1:
        return None
    if content.count(b",") != content.count(b",", 0, header_end) * (rows + 1):
        return None  # a row with too many or too few fields: let pandas report it
    buffer = np.frombuffer(content, dtype=np.uint8)
    starts = np.flatnonzero(buffer == 10) + 1
    starts = starts[starts < len(buffer)]
    if len(starts) != rows or int(starts[-1]) + _FIELD_WIDTH > len(buffer):
        return None
    block = np.empty((rows, _FIELD_WIDTH), dtype=np.uint8)
    offsets = np.arange(_FIELD_WIDTH, dtype=np.int64)
    for first in range(0, rows, _CHUNK_ROWS):
        chunk = starts[first : first + _CHUNK_ROWS]
        block[first : first + len(chunk)] = buffer[chunk[:, None] + offsets]
    del buffer, content
    if (block[:, _SEPARATOR_POSITIONS] != _SEPARATORS).any():
        return None
    middle = block[:, 10]
    if ((middle != ord("T")) & (middle != ord(" "))).any():
        return None
    end, after = block[:, 19], block[:, 20]
    if not ((end == ord(",")) | ((end == ord("Z")) & (after == ord(",")))).all():
        return None
    digits = block[:, _DIGIT_POSITIONS].astype(np.int32) - 48
    if ((digits < 0) | (digits > 9)).any():
        return None
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month, day, hour, minute, second = (
        digits[:, 4 + 2 * field] * 10 + digits[:, 5 + 2 * field] for field in range(5)
    )
    if ((month < 1) | (month > 12)).any():
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
    return np.asarray(seconds * _NANOSECONDS, dtype=np.int64)


def _first(mask: np.ndarray) -> int | None:
    if not mask.any():
        return None
    return int(np.flatnonzero(mask)[0])


def _raise_first(label: str, failures: list[Failure]) -> None:
    if failures:
        row, reason = min(failures, key=lambda failure: failure[0])
        raise DataError(f"{label} line {row + 2}: {reason}")


def _number(value: float) -> str:
    return str(float(value))


def _parse_numbers(numbers: pd.DataFrame, failures: list[Failure]) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for name in NUMBER_COLUMNS:
        column = numbers[name]
        if column.dtype.kind in "fiu":
            array = column.to_numpy(dtype=np.float64)
            not_a_number = np.zeros(len(array), dtype=bool)
        else:
            array = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
            not_a_number = _not_a_number(column, array)
            row = _first(not_a_number)
            if row is not None:
                failures.append((row, f"{name} value {column.iloc[row]!r} is not a number"))
        row = _first(np.isnan(array) & ~not_a_number)
        if row is not None:
            failures.append((row, f"{name} is missing or NaN"))
        row = _first(np.isinf(array))
        if row is not None:
            failures.append((row, f"{name} {_number(array[row])} is not finite"))
        values[name] = array
    return values


def _not_a_number(column: pd.Series, array: np.ndarray) -> np.ndarray:
    """Rows whose text failed to parse, other than blanks and spellings of NaN."""
    unparsed: np.ndarray = np.isnan(array)
    if not unparsed.any():
        return unparsed
    text = column.astype(object).where(column.notna(), "").astype(str).str.strip().str.lower()
    spelled_nan = text.isin(["", "nan", "-nan", "na", "n/a", "null", "none"]).to_numpy()
    result: np.ndarray = unparsed & ~spelled_nan
    return result


def _parse_timestamps(timestamps: np.ndarray | pd.Series, failures: list[Failure]) -> np.ndarray:
    if isinstance(timestamps, np.ndarray):
        return timestamps
    parsed = pd.to_datetime(timestamps, format="ISO8601", utc=True, errors="coerce")
    index = pd.DatetimeIndex(parsed).as_unit("ns")
    missing = timestamps.isna().to_numpy()
    row = _first(missing)
    if row is not None:
        failures.append((row, "timestamp is missing"))
    row = _first(index.isna() & ~missing)
    if row is not None:
        failures.append(
            (row, f"timestamp {timestamps.iloc[row]!r} is not an ISO-8601 date or time")
        )
    return np.asarray(index.asi8, dtype=np.int64)


def _validate(
    label: str, timestamps: np.ndarray | pd.Series, numbers: pd.DataFrame
) -> pd.DataFrame:
    failures: list[Failure] = []
    stamps = _parse_timestamps(timestamps, failures)
    values = _parse_numbers(numbers, failures)
    _raise_first(label, failures)

    open_, high, low, close = (values[name] for name in PRICE_COLUMNS)
    volume = values["volume"]
    checks: list[tuple[np.ndarray, Callable[[int], str]]] = []
    for name in PRICE_COLUMNS:
        checks.append((values[name] <= 0, _not_positive_reason(name, values[name])))
    upper = np.maximum(open_, close)
    lower = np.minimum(open_, close)

    def high_reason(row: int) -> str:
        name = "close" if close[row] >= open_[row] else "open"
        return f"high {_number(high[row])} is below {name} {_number(values[name][row])}"

    def low_reason(row: int) -> str:
        name = "close" if close[row] <= open_[row] else "open"
        return f"low {_number(low[row])} is above {name} {_number(values[name][row])}"

    checks.append((high < upper, high_reason))
    checks.append((low > lower, low_reason))
    checks.append((volume < 0, lambda row: f"volume {_number(volume[row])} is negative"))
    for mask, describe in checks:
        row = _first(mask)
        if row is not None:
            failures.append((row, describe(row)))

    steps = np.diff(stamps)
    row = _first(steps <= 0)
    if row is not None:
        current = _iso(stamps[row + 1])
        if steps[row] == 0:
            reason = f"duplicate timestamp {current} (also on line {row + 2})"
        else:
            reason = (
                f"timestamp {current} is earlier than {_iso(stamps[row])} on line {row + 2} "
                "(timestamps must be sorted ascending)"
            )
        failures.append((row + 1, reason))
    _raise_first(label, failures)

    index = pd.DatetimeIndex(stamps.view("datetime64[ns]"), name="ts").tz_localize("UTC")
    return pd.DataFrame({name: values[name] for name in NUMBER_COLUMNS}, index=index, copy=False)


def _not_positive_reason(name: str, array: np.ndarray) -> Callable[[int], str]:
    def describe(row: int) -> str:
        return f"{name} {_number(array[row])} is not positive"

    return describe


def _iso(nanoseconds: np.int64 | int) -> str:
    return pd.Timestamp(int(nanoseconds), tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
