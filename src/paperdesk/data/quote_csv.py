"""Quote bars from CSV, and their merge with the trade bars of the same series.

A quote file has Lean's quote-bar header ``timestamp,bid_open,bid_high,bid_low,bid_close,
bid_size,ask_open,ask_high,ask_low,ask_close,ask_size`` (any column order, any case); the
timestamp is the bar's start label, read as ``paperdesk.data.csv_timestamps`` reads bar files
(UTC unless ``timezone`` says otherwise). Every row is checked by ``paperdesk.domain.quotes``
(prices positive, high >= low, open and close inside the range, sizes not negative; a crossed
quote is kept) and every problem is reported in one ``CsvReadError`` naming the lines; nothing
is returned from a file with a problem. ``merge_quotes`` adds the quote columns to a bar frame
by timestamp: a bar with no quote of its label holds NaN there (and trades on its own prices),
a quote with no trade bar is not used.
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from paperdesk.data.csv_reader import CsvReadError, Problem
from paperdesk.data.csv_timestamps import NAT, parse_times
from paperdesk.domain import DataError
from paperdesk.domain.quotes import QUOTE_FIELDS, quote_problems

QUOTE_HEADER = ("timestamp", *QUOTE_FIELDS)


def is_quote_header(columns: list[str] | tuple[str, ...]) -> bool:
    """Whether a CSV header names the quote columns (so the file holds quote bars)."""
    names = {column.strip().lower() for column in columns}
    return set(QUOTE_FIELDS) <= names


def read_header(path: Path) -> list[str]:
    """The header row of a CSV file (empty when the file is empty or unreadable as text)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return []


def read_quotes(path: Path, timezone: str | None = None) -> pd.DataFrame:
    """The quote bars of ``path``: a UTC ``DatetimeIndex`` named ``ts`` of bar start labels
    and float64 ``QUOTE_FIELDS`` columns (each value the shortest repr of its exact decimal)."""
    label = f"quote file {path.name}"
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise DataError(f"{label}: no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{label}: cannot be read: {error}") from None
    if not rows:
        raise DataError(f"{label} is empty; expected the header {','.join(QUOTE_HEADER)}")
    header = [name.strip().lower() for name in rows[0]]
    missing = [name for name in QUOTE_HEADER if name not in header]
    if missing:
        raise DataError(
            f"{label} has no column {', '.join(missing)}; a quote file's header is "
            f"{','.join(QUOTE_HEADER)}"
        )
    positions = [header.index(name) for name in QUOTE_HEADER]
    body = rows[1:]
    if not body:
        raise DataError(f"{label} has a header but no rows")
    problems: list[Problem] = []
    values = np.full((len(body), len(QUOTE_FIELDS)), np.nan)
    texts: list[str] = []
    for number, row in enumerate(body):
        line = number + 2
        if len(row) != len(header):
            problems.append(Problem(line, "", f"has {len(row)} fields, the header {len(header)}"))
            texts.append("")
            continue
        texts.append(row[positions[0]].strip())
        exact = _exact_row(row, positions[1:], line, problems)
        if exact is None:
            continue
        for reason in quote_problems(exact):
            problems.append(Problem(line, "", reason))
        values[number] = [float(value) for value in exact]
    times = parse_times(pd.Series(texts, dtype=object), timezone, daily=False)
    for position, reason in times.reasons.items():
        if texts[position]:
            problems.append(Problem(position + 2, "timestamp", reason))
    stamps = times.stamps
    valid = stamps != NAT
    _check_order(stamps, valid, problems)
    if problems:
        raise CsvReadError(f"{label}: rejected:", problems)
    index = pd.DatetimeIndex(pd.to_datetime(stamps, unit="ns", utc=True), name="ts")
    return pd.DataFrame(values, index=index, columns=list(QUOTE_FIELDS))


def merge_quotes(bars: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    """``bars`` with the quote columns of ``quotes`` joined by bar label (NaN where a bar has
    no quote); refused when no quote falls on a bar of the series."""
    plain = bars.drop(columns=[name for name in QUOTE_FIELDS if name in bars.columns])
    aligned = quotes.reindex(plain.index)
    if aligned.isna().all(axis=None) and len(plain):
        first, last = quotes.index[0], quotes.index[-1]
        raise DataError(
            f"no quote falls on a bar: the quotes cover {first.isoformat()} to "
            f"{last.isoformat()}, the bars {plain.index[0].isoformat()} to "
            f"{plain.index[-1].isoformat()}"
        )
    merged = plain.join(aligned)
    merged.attrs = dict(bars.attrs)
    return merged


def _exact_row(
    row: list[str], positions: list[int], line: int, problems: list[Problem]
) -> tuple[Decimal, ...] | None:
    exact: list[Decimal] = []
    for name, position in zip(QUOTE_FIELDS, positions, strict=True):
        text = row[position].strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            problems.append(Problem(line, name, f"{name} {text!r} is not a number"))
            return None
        exact.append(value)
    return tuple(exact)


def _check_order(stamps: np.ndarray, valid: np.ndarray, problems: list[Problem]) -> None:
    rows = np.flatnonzero(valid)
    if len(rows) < 2:
        return
    ordered = stamps[rows]
    for position in np.flatnonzero(ordered[1:] <= ordered[:-1])[:20]:
        line = int(rows[position + 1]) + 2
        kind = "repeats" if ordered[position + 1] == ordered[position] else "goes back from"
        problems.append(
            Problem(
                line, "timestamp", f"timestamp {kind} the one of line {int(rows[position]) + 2}"
            )
        )


__all__ = ["QUOTE_HEADER", "is_quote_header", "merge_quotes", "read_header", "read_quotes"]
