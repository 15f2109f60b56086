"""Import bars from CSV files of common layouts, validating every row before anything is kept.

Accepted layouts: a timestamp column (``timestamp``, ``time``, ``datetime``, ``date``, ``ts``...,
any case) or separate ``date`` and ``time`` columns; epoch seconds, milliseconds, microseconds or
nanoseconds, or ISO-8601 text (see ``paperdesk.data.csv_timestamps`` for the rules); price
columns in any case under common names (``open``/``o``, ``high``/``h``, ``low``/``l``,
``close``/``c``/``last``, ``volume``/``v``/``vol``; no volume column means volume 0). ``Adj
Close`` is ignored unless ``adjusted=True``, which scales open, high, low and close by
``adj close / close``.

Every row is checked and all problems are reported together in a ``CsvImportError`` (line
numbers as in the file, the header being line 1). ``parse_csv`` writes nothing; callers write
only the ``ImportedBars`` it returns.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from paperdesk.data.calendars import bar_close_times, calendar_name
from paperdesk.data.csv_timestamps import NAT, parse_times
from paperdesk.data.instruments import instrument_for
from paperdesk.domain import DataError, InvalidInputError, Timeframe

PRICES = ("open", "high", "low", "close")
NUMBERS = (*PRICES, "volume")
MAX_PROBLEMS = 1000  # problems kept in a report (all are counted)
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
_NAN_SPELLINGS = frozenset({"nan", "-nan", "na", "n/a", "null", "none"})


class Problem(NamedTuple):
    line: int  # as in the file: the header is line 1
    column: str
    reason: str


class CsvImportError(DataError):
    """A CSV file was rejected; ``problems`` lists (line, column, reason), ``total`` counts all."""

    def __init__(self, label: str, problems: list[Problem], total: int | None = None) -> None:
        self.label = label
        self.problems = sorted(problems)[:MAX_PROBLEMS]
        self.total = len(problems) if total is None else total
        named = "; ".join(f"line {p.line} {p.column}: {p.reason}" for p in self.problems[:5])
        more = f" (and {self.total - 5} more)" if self.total > 5 else ""
        super().__init__(
            f"{label}: rejected, nothing imported: {self.total} problem"
            f"{'s' if self.total != 1 else ''}: {named}{more}"
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


def parse_csv(
    path: str | Path,
    *,
    symbol: str,
    timeframe: str,
    timezone: str | None = None,
    sort: bool = False,
    drop_duplicates: bool = False,
    calendar: str | None = None,
    adjusted: bool = False,
) -> ImportedBars:
    """Read and validate a CSV file of bars; raise ``CsvImportError`` listing every problem."""
    file_path = Path(path)
    label = file_path.name
    frame_timeframe = Timeframe.parse(timeframe)
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInputError(f"time zone {timezone!r} is not known") from None
    resolved_calendar = calendar_name(calendar) if calendar else instrument_for(symbol).calendar
    table = _read_table(file_path, label)
    columns, notes = _columns(table, label, adjusted)
    report = _Report()
    times = parse_times(_timestamp_text(table, columns), timezone, not frame_timeframe.is_intraday)
    for row, reason in times.reasons.items():
        report.problems.append(Problem(row + 2, "timestamp", reason))
    report.total += len(times.reasons)
    values = {name: _numbers(table, columns.get(name), name, report) for name in NUMBERS}
    if "volume" not in columns:
        notes.append("no volume column: volume set to 0")
    if adjusted and "adj close" in columns:
        factor = _numbers(table, columns["adj close"], "adj close", report) / values["close"]
        for name in PRICES:
            values[name] = values[name] * factor
        notes.append("prices adjusted by adj close / close")
    _check_prices(values, report)
    stamps = times.stamps
    order = _check_order(stamps, sort, drop_duplicates, report)
    if report.total:
        raise CsvImportError(label, report.problems, report.total)

    sorted_rows = int(np.count_nonzero(np.diff(stamps) < 0)) if sort else 0
    ordered = stamps[order]
    keep = ~pd.Series(ordered).duplicated(keep="first").to_numpy()
    dropped = int(np.count_nonzero(~keep))
    order, ordered = order[keep], ordered[keep]
    if sorted_rows:
        notes.append(f"sorted by timestamp ({sorted_rows} rows were out of order)")
    if dropped:
        notes.append(f"dropped {dropped} rows repeating an earlier timestamp (kept the first)")
    index = pd.DatetimeIndex(ordered.view("datetime64[ns]"), name="ts").tz_localize("UTC")
    frame = pd.DataFrame({name: values[name][order] for name in NUMBERS}, index=index)
    closes = bar_close_times(index, str(frame_timeframe), resolved_calendar)
    early = closes.asi8 <= index.asi8
    if early.any():
        report.add(
            _in_file_order(early, order, len(stamps)),
            "timestamp",
            lambda row: (
                f"a {frame_timeframe} bar labelled {_iso(stamps[row])} would close "
                "before or at its label: label bars with their start time (daily bars: their date)"
            ),
        )
        raise CsvImportError(label, report.problems, report.total)
    frame["ts_close"] = closes
    frame.attrs.update(
        symbol=symbol.strip().upper(),
        timeframe=str(frame_timeframe),
        calendar=resolved_calendar,
        path=str(file_path),
    )
    return ImportedBars(frame, times.layout, len(stamps), sorted_rows, dropped, tuple(notes))


def _read_table(file_path: Path, label: str) -> pd.DataFrame:
    if not file_path.is_file():
        raise DataError(f"{label}: file not found: {file_path}")
    try:
        table = pd.read_csv(
            file_path,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError:
        raise CsvImportError(label, [Problem(1, "", "the file is empty")]) from None
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found is None:
            raise CsvImportError(label, [Problem(1, "", f"not a CSV file: {error}")]) from None
        expected, line, saw = (int(group) for group in found.groups())
        reason = f"{saw} fields where the header has {expected}"
        raise CsvImportError(label, [Problem(line, "", reason)]) from None
    except UnicodeDecodeError as error:
        raise CsvImportError(label, [Problem(1, "", f"not UTF-8 text: {error}")]) from None
    table = table.fillna("")
    blank = (table == "").all(axis=1).to_numpy()
    trailing = len(blank) - int(np.flatnonzero(~blank)[-1]) - 1 if (~blank).any() else len(blank)
    table = table.iloc[: len(table) - trailing]
    if len(table) == 0:
        raise CsvImportError(label, [Problem(1, "", "no bars after the header line")])
    return table


def _columns(table: pd.DataFrame, label: str, adjusted: bool) -> tuple[dict[str, str], list[str]]:
    """Our column names -> the file's, and notes on columns left out."""
    found: dict[str, str] = {}
    notes: list[str] = []
    for original in table.columns:
        key = re.sub(r"[\s_\-]+", " ", str(original).strip().lower())
        name = next((ours for ours, names in _ALIASES.items() if key in names), None)
        if name is None:
            notes.append(f"ignored column {original!r}")
        elif name in found:
            raise CsvImportError(label, [Problem(1, str(original), f"a second {name} column")])
        else:
            found[name] = str(original)
    if "adj close" in found and not adjusted:
        notes.append(f"ignored column {found.pop('adj close')!r} (adjusted=True uses it)")
    has_time = "timestamp" in found or "date" in found or "time" in found
    missing = [name for name in PRICES if name not in found] + ([] if has_time else ["timestamp"])
    if missing:
        header = ",".join(str(column) for column in table.columns)
        problems = [Problem(1, name, f"no {name} column (header: {header!r})") for name in missing]
        raise CsvImportError(label, problems)
    return found, notes


def _timestamp_text(table: pd.DataFrame, columns: dict[str, str]) -> pd.Series:
    def text(name: str) -> pd.Series:
        return table[columns[name]].astype(str).str.strip().reset_index(drop=True)

    if "timestamp" in columns:
        return text("timestamp")
    if "date" in columns and "time" in columns:
        date, clock = text("date"), text("time").str.replace(r"^(\d):", r"0\1:", regex=True)
        both = (date != "") & (clock != "")
        return (date + " " + clock).where(both, "")
    return text("date" if "date" in columns else "time")


def _numbers(table: pd.DataFrame, column: str | None, name: str, report: _Report) -> np.ndarray:
    if column is None:
        return np.zeros(len(table), dtype=np.float64)
    text = table[column].astype(str).str.strip().reset_index(drop=True)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    empty = (text == "").to_numpy()
    spelled_nan = text.str.lower().isin(_NAN_SPELLINGS).to_numpy()
    unparsed = np.isnan(values) & ~empty & ~spelled_nan
    report.add(empty, name, lambda row: f"{name} is empty")
    report.add(spelled_nan, name, lambda row: f"{name} is NaN ({text[row]!r})")
    report.add(unparsed, name, lambda row: f"{name} {text[row]!r} is not a number")
    report.add(np.isinf(values), name, lambda row: f"{name} {text[row]!r} is not finite")
    return values


def _check_prices(values: dict[str, np.ndarray], report: _Report) -> None:
    high, low, volume = values["high"], values["low"], values["volume"]
    for name in PRICES:
        report.add(values[name] <= 0, name, _describe(values, name, "{} is not positive"))
    report.add(high < low, "high", lambda row: f"high {high[row]:g} is below low {low[row]:g}")
    for name in ("open", "close"):
        array = values[name]
        outside = (high >= low) & ((array > high) | (array < low))
        report.add(outside, name, _describe(values, name, "{} is outside the low-high range"))
    report.add(volume < 0, "volume", lambda row: f"volume {volume[row]:g} is negative")


def _describe(values: dict[str, np.ndarray], name: str, template: str) -> Callable[[int], str]:
    def describe(row: int) -> str:
        low, high = values["low"][row], values["high"][row]
        reason = template.format(f"{name} {values[name][row]:g}")
        return f"{reason} [{low:g}, {high:g}]" if "range" in template else reason

    return describe


def _check_order(stamps: np.ndarray, sort: bool, drop: bool, report: _Report) -> np.ndarray:
    """Report duplicates and unsorted rows unless allowed; return the rows in time order."""
    valid = stamps != NAT
    positions = np.flatnonzero(valid)
    known = pd.Series(stamps[positions])
    if not drop and known.duplicated().any():
        repeated = known.duplicated(keep="first").to_numpy()
        first_row = pd.Series(positions).groupby(known.to_numpy()).transform("min").to_numpy()
        mask = np.zeros(len(stamps), dtype=bool)
        mask[positions[repeated]] = True
        first_of = dict(zip(positions.tolist(), first_row.tolist(), strict=True))
        report.add(
            mask,
            "timestamp",
            lambda row: (
                f"duplicate timestamp {_iso(stamps[row])} (first on line "
                f"{first_of[row] + 2}); drop_duplicates=True keeps the first"
            ),
        )
    earlier = np.diff(known.to_numpy()) < 0
    if not sort and earlier.any():
        mask = np.zeros(len(stamps), dtype=bool)
        mask[positions[1:][earlier]] = True
        previous = dict(zip(positions[1:].tolist(), positions[:-1].tolist(), strict=True))
        report.add(
            mask,
            "timestamp",
            lambda row: (
                f"timestamp {_iso(stamps[row])} is earlier than "
                f"{_iso(stamps[previous[row]])} on line {previous[row] + 2}; timestamps must be "
                "ascending (sort=True sorts them)"
            ),
        )
    return np.argsort(stamps, kind="stable") if sort else np.arange(len(stamps))


def _in_file_order(mask: np.ndarray, order: np.ndarray, rows: int) -> np.ndarray:
    result = np.zeros(rows, dtype=bool)
    result[order[mask]] = True
    return result


def _iso(nanoseconds: Any) -> str:
    return pd.Timestamp(int(nanoseconds), tz="UTC").isoformat().replace("+00:00", "Z")
