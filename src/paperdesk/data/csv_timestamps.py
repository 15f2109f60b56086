"""Timestamps of imported CSV files: epoch numbers (unit detected) and ISO-8601 text.

Rules:

- A column whose every non-empty value is a number holds epoch times, unit chosen by the
  largest absolute value: below 1e11 seconds, below 1e14 milliseconds, below 1e17
  microseconds, else nanoseconds (1e11 s is the year 5138; 1e11 ms is 1973). Exception: when
  every value has exactly eight digits and reads as a ``YYYYMMDD`` date, they are dates.
- Anything else is ISO-8601 text (``2024-03-01``, ``2024-03-01 09:30``, ``...T09:30:00Z``,
  ``...+02:00``; ``/`` or ``.`` between the date's fields is accepted). A value with an offset
  means that instant; a value without one is a wall-clock time in ``timezone`` (UTC unless
  given), and a local time that does not exist or is ambiguous there is an error.
- For daily and longer bars a value with no time of day is the bar's date label (00:00 UTC),
  whatever the time zone: the loader's convention for daily bars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

NAT = np.iinfo(np.int64).min
_OFFSET = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
_DATE_ONLY = r"^\d{4}-\d{2}-\d{2}$"
_UNITS = (
    (1e11, "s", 1_000_000_000),
    (1e14, "ms", 1_000_000),
    (1e17, "us", 1_000),
    (np.inf, "ns", 1),
)
_UNIT_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}


@dataclass
class ParsedTimes:
    """Nanoseconds since the epoch per row (``NAT`` where a value failed) and why each failed."""

    stamps: np.ndarray
    reasons: dict[int, str]
    layout: str


def parse_times(text: pd.Series, timezone: str | None, daily: bool) -> ParsedTimes:
    """Parse stripped timestamp text (one value per row, ``""`` when empty)."""
    rows = len(text)
    stamps = np.full(rows, NAT, dtype=np.int64)
    reasons: dict[int, str] = {}
    empty = (text == "").to_numpy()
    for row in np.flatnonzero(empty)[:1000]:
        reasons[int(row)] = "timestamp is empty"
    filled = text[~empty]
    numeric = filled.str.fullmatch(r"[+-]?\d+(?:\.\d+)?")
    if len(filled) and bool(numeric.all()):
        layout = _epoch(filled, stamps, reasons)
    else:
        layout = _iso(filled, stamps, reasons, timezone or "UTC", daily)
    return ParsedTimes(stamps, reasons, layout)


_LARGEST_NANOSECONDS = float(np.iinfo(np.int64).max) * 0.999


def _epoch(filled: pd.Series, stamps: np.ndarray, reasons: dict[int, str]) -> str:
    positions = filled.index.to_numpy()
    if bool(filled.str.fullmatch(r"\d{8}").all()):
        dates = pd.to_datetime(filled, format="%Y%m%d", errors="coerce")
        if not dates.isna().any():
            stamps[positions] = pd.DatetimeIndex(dates).as_unit("ns").asi8
            return "dates as YYYYMMDD numbers"
    values = pd.to_numeric(filled).to_numpy(dtype=np.float64)
    largest = float(np.max(np.abs(values)))
    unit, factor = next((unit, factor) for limit, unit, factor in _UNITS if largest < limit)
    # nanoseconds must fit an int64 (up to 2262-04-11): a larger value would wrap silently
    fits = np.abs(values * factor) < _LARGEST_NANOSECONDS
    for row in positions[~fits].tolist():
        reasons.setdefault(int(row), f"epoch value {filled[row]} is out of range")
    good = positions[fits]
    if bool(filled.str.fullmatch(r"[+-]?\d+").all()):
        stamps[good] = filled[fits].astype(np.int64).to_numpy() * factor
    else:
        stamps[good] = np.round(values[fits] * factor).astype(np.int64)
    return f"epoch {_UNIT_NAMES[unit]} (largest value {largest:.6g})"


def _iso(
    filled: pd.Series, stamps: np.ndarray, reasons: dict[int, str], zone: str, daily: bool
) -> str:
    normalised = filled.str.replace(r"^(\d{4})[/.](\d{2})[/.](\d{2})", r"\1-\2-\3", regex=True)
    with_offset = normalised.str.contains(_OFFSET, regex=True).to_numpy()
    date_only = normalised.str.fullmatch(_DATE_ONLY).to_numpy() if daily else None
    aware = normalised[with_offset]
    parsed = pd.to_datetime(aware, format="ISO8601", utc=True, errors="coerce")
    stamps[aware.index.to_numpy()] = _nanoseconds(pd.DatetimeIndex(parsed))
    naive = normalised[~with_offset]
    local = pd.DatetimeIndex(pd.to_datetime(naive, format="ISO8601", errors="coerce"))
    if date_only is not None:  # daily labels: the date itself, at 00:00 UTC
        labels = date_only[~with_offset]
        stamps[naive.index.to_numpy()[labels]] = _nanoseconds(local[labels].tz_localize("UTC"))
        naive, local = naive[~labels], local[~labels]
    localized = _localize(local, zone)
    stamps[naive.index.to_numpy()] = _nanoseconds(localized)
    for row in np.flatnonzero(stamps == NAT).tolist():
        if row in reasons or len(reasons) >= 1000:
            continue
        value = filled.get(row, "")
        if row in naive.index and not pd.isna(local[naive.index.get_loc(row)]):
            reasons[row] = f"local time {value!r} does not exist or is ambiguous in {zone}"
        else:
            reasons[row] = (
                f"timestamp {value!r} is not an ISO-8601 date or time, nor an epoch number"
            )
    if with_offset.all():
        return "ISO-8601 with offsets"
    if not with_offset.any():
        return f"ISO-8601, naive times in {zone}"
    return f"ISO-8601, with offsets and naive times in {zone}"


def _localize(local: pd.DatetimeIndex, zone: str) -> pd.DatetimeIndex:
    try:
        return local.tz_localize(zone, ambiguous="infer", nonexistent="NaT")
    except (ValueError, TypeError, KeyError):  # cannot infer: ambiguous times become errors
        return local.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")


def _nanoseconds(index: pd.DatetimeIndex) -> np.ndarray:
    """Nanoseconds since the epoch (NAT where missing); a time beyond what nanoseconds hold
    (before 1678 or after 2261) becomes a time in 1700, which the reader refuses as outside
    the years it accepts (naming the cell)."""
    years = np.asarray(index.year, dtype=np.float64)
    beyond = ~np.asarray(index.isna()) & ((years < 1678) | (years > 2261))
    if beyond.any():
        index = pd.DatetimeIndex(index.where(~beyond, pd.Timestamp("1700-01-01", tz=index.tz)))
    values = np.asarray(index.as_unit("ns").asi8, dtype=np.int64).copy()
    values[np.asarray(index.isna())] = NAT
    return values
