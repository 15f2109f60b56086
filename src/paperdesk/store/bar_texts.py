"""The database's own texts of bar columns, built for whole arrays at once.

A bar import writes millions of prices and times; formatting each in Python (``repr`` of a
float, ``isoformat`` of a time) was most of its cost. These functions give the same texts
from vectorised work:

- ``decimal_texts``: each float's shortest round-trip text, equal to ``repr(value)`` (the exact
  decimal a price written with up to 15 significant digits stands for). Arrow formats the
  shortest digits; a value with an exponent in either form, or outside ``repr``'s fixed range
  (``1e-4 <= |value| < 1e16``), is formatted by ``repr`` itself.
- ``time_texts``: UTC instants as ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLite, SQLAlchemy's form)
  or ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` (PostgreSQL), digits computed with integer
  arithmetic (years outside 0001-9999 through numpy's own formatting).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_FIXED_LOW = 1e-4  # repr writes smaller magnitudes with an exponent
_FIXED_HIGH = 1e16  # ... and these and larger ones
_MICROS_PER_DAY = 86_400_000_000
_FIRST_DAY = -719_162  # 0001-01-01, days since the epoch
_LAST_DAY = 2_932_896  # 9999-12-31
_POINT_ZERO = pa.scalar(".0")
_SQLITE_LAYOUT = b"0000-00-00 00:00:00.000000"
_POSTGRES_LAYOUT = b"0000-00-00T00:00:00.000000+00:00"


def decimal_texts(values: np.ndarray) -> pa.StringArray:
    """``repr(value)`` of each float64 in ``values`` (null where NaN)."""
    floats = np.asarray(values, dtype=np.float64)
    texts = pc.cast(pa.array(floats), pa.string())  # shortest round-trip digits ("nan" for NaN)
    magnitude = np.abs(floats)
    with np.errstate(invalid="ignore"):
        fixed = ((magnitude >= _FIXED_LOW) & (magnitude < _FIXED_HIGH)) | (magnitude == 0.0)
        integral = np.trunc(floats) == floats  # written without a point by Arrow
    plain = fixed & ~pc.match_substring(texts, "e").to_numpy(zero_copy_only=False)
    whole = plain & integral
    if whole.any():  # "100" -> "100.0", "-0" -> "-0.0"
        texts = pc.if_else(whole, pc.binary_join_element_wise(texts, _POINT_ZERO, ""), texts)
    other = ~plain
    if other.any():
        formatted = [None if value != value else repr(value) for value in floats[other].tolist()]
        texts = pc.replace_with_mask(texts, other, pa.array(formatted, pa.string()))
    return texts


def time_texts(micros: np.ndarray, postgres: bool) -> pa.StringArray:
    """Texts of UTC instants given as microseconds since the epoch, in the forms
    ``UtcDateTime`` writes: ``YYYY-MM-DD HH:MM:SS.ffffff`` on SQLite,
    ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` on PostgreSQL."""
    stamps = np.asarray(micros, dtype=np.int64)
    days, rest = np.divmod(stamps, _MICROS_PER_DAY)
    if len(stamps) and (days.min() < _FIRST_DAY or days.max() > _LAST_DAY):
        return _numpy_time_texts(stamps, postgres)
    year, month, day = _civil(days)
    seconds, micro = np.divmod(rest, 1_000_000)
    hour, seconds = np.divmod(seconds, 3600)
    minute, second = np.divmod(seconds, 60)
    layout = _POSTGRES_LAYOUT if postgres else _SQLITE_LAYOUT
    width = len(layout)
    characters = np.empty((len(stamps), width), dtype=np.uint8)
    characters[:] = np.frombuffer(layout, dtype=np.uint8)
    for start, digits, number in (
        (0, 4, year), (5, 2, month), (8, 2, day), (11, 2, hour), (14, 2, minute),
        (17, 2, second), (20, 6, micro),
    ):  # fmt: skip
        _put_digits(characters, start, digits, number)
    offsets = np.arange(0, (len(stamps) + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(len(stamps), pa.py_buffer(offsets), pa.py_buffer(characters))


def _put_digits(characters: np.ndarray, start: int, digits: int, number: np.ndarray) -> None:
    remaining = number.astype(np.int64)
    for place in range(start + digits - 1, start - 1, -1):
        remaining, digit = np.divmod(remaining, 10)
        characters[:, place] = digit + 48


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of days since 1970-01-01 (proleptic Gregorian, H. Hinnant's
    ``civil_from_days``)."""
    shifted = days + 719_468
    era = shifted // 146_097
    day_of_era = shifted - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = np.where(month_index < 10, month_index + 3, month_index - 9)
    year = year_of_era + era * 400 + (month <= 2)
    return year, month, day


def _numpy_time_texts(stamps: np.ndarray, postgres: bool) -> pa.StringArray:
    iso = np.datetime_as_string(stamps.astype("datetime64[us]"), unit="us").tolist()
    if postgres:
        return pa.array([text + "+00:00" for text in iso], pa.string())
    return pa.array([text[:10] + " " + text[11:] for text in iso], pa.string())


__all__ = ["decimal_texts", "time_texts"]
