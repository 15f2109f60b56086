"""The database's own texts of bar columns, built for whole arrays at once.

A bar import writes millions of prices and times; formatting each in Python (``repr`` of a
float, ``isoformat`` of a time) was most of its cost. These functions give the same texts
from vectorised work:

- ``decimal_texts``: each float's shortest round-trip text, equal to ``repr(value)`` (the exact
  decimal a price written with up to 15 significant digits stands for). Arrow formats the
  shortest digits; a value with an exponent in either form, or outside ``repr``'s fixed range
  (``1e-4 <= |value| < 1e16``), is formatted by ``repr`` itself.
- ``time_texts``: UTC instants as ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLite, SQLAlchemy's form)
  or ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` (PostgreSQL), the bytes of the date and the clock
  time copied from tables made with integer arithmetic (years outside 0001-9999 through
  numpy's own formatting).
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_FIXED_LOW = 1e-4  # repr writes smaller magnitudes with an exponent
_FIXED_HIGH = 1e16  # ... and these and larger ones
_MICROS_PER_DAY = 86_400_000_000
_FIRST_DAY = -719_162  # 0001-01-01, days since the epoch
_LAST_DAY = 2_932_896  # 9999-12-31
_DATES_AT_LEAST = 4096  # days of a span whose dates are made whatever the rows
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
    plain = fixed
    if _has_exponent(texts):  # only then looked for text by text
        plain = fixed & ~pc.match_substring(texts, "e").to_numpy(zero_copy_only=False)
    whole = plain & integral
    if whole.any():  # "100" -> "100.0", "-0" -> "-0.0"
        texts = _point_zero(texts, whole)
    other = ~plain
    if other.any():
        formatted = [None if value != value else repr(value) for value in floats[other].tolist()]
        texts = pc.replace_with_mask(texts, other, pa.array(formatted, pa.string()))
    return texts


def _point_zero(texts: pa.StringArray, rows: np.ndarray) -> pa.StringArray:
    """``texts`` (without nulls: a cast's) with ``.0`` after each of the texts where ``rows``
    (a mask) is set, copied once by numpy: the characters that were there keep their order,
    each such text's end moves two bytes on (Arrow's replace of masked texts cost twice as
    much, which showed on the 5,000-row chunks of a PostgreSQL import)."""
    if texts.null_count:
        raise ValueError("texts with nulls")
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)
    offsets = offsets[texts.offset : texts.offset + len(texts) + 1]
    characters = np.frombuffer(texts.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    added = np.zeros(len(texts) + 1, dtype=np.int32)
    added[1:][rows] = 2
    moved = offsets - offsets[0] + np.cumsum(added, dtype=np.int32)
    ends = moved[1:][rows]
    result = np.empty(int(moved[-1]), dtype=np.uint8)
    new = np.zeros(len(result), dtype=bool)
    new[ends - 2] = True
    new[ends - 1] = True
    result[~new] = characters
    result[ends - 2] = ord(".")
    result[ends - 1] = ord("0")
    return pa.StringArray.from_buffers(len(texts), pa.py_buffer(moved), pa.py_buffer(result))


def _has_exponent(texts: pa.StringArray) -> bool:
    """Whether any of ``texts`` may hold an ``e``: one scan of their characters' buffer (a
    byte of it outside the texts could only raise a false alarm, which costs the search
    text by text and nothing else)."""
    characters = texts.buffers()[2]
    return characters is not None and bool(
        (np.frombuffer(characters, dtype=np.uint8) == ord("e")).any()
    )


def time_texts(micros: np.ndarray, postgres: bool) -> pa.StringArray:
    """Texts of UTC instants given as microseconds since the epoch, in the forms
    ``UtcDateTime`` writes: ``YYYY-MM-DD HH:MM:SS.ffffff`` on SQLite,
    ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` on PostgreSQL.

    The bytes are copied from tables rather than computed digit by digit for each row: the
    dates of the days the instants span (a bar file spans far fewer days than it has rows),
    the 86,400 clock times of a day, and the microseconds' digits only when some are not 0."""
    stamps = np.asarray(micros, dtype=np.int64)
    if len(stamps) == 0:
        return pa.array([], pa.string())
    days, rest = np.divmod(stamps, _MICROS_PER_DAY)
    first, last = int(days.min()), int(days.max())
    if first < _FIRST_DAY or last > _LAST_DAY:
        return _numpy_time_texts(stamps, postgres)
    if last - first < max(len(stamps), _DATES_AT_LEAST):  # every day of the span, in order
        dates, which = _date_bytes(np.arange(first, last + 1)), days - first
    else:  # a few instants far apart: only their own days
        spanned, which = np.unique(days, return_inverse=True)
        dates = _date_bytes(spanned)
    seconds, micro = np.divmod(rest, 1_000_000)
    layout = _POSTGRES_LAYOUT if postgres else _SQLITE_LAYOUT
    characters = np.empty((len(stamps), len(layout)), dtype=np.uint8)
    characters[:] = np.frombuffer(layout, dtype=np.uint8)
    characters[:, 0:10] = dates[which]
    characters[:, 11:19] = _clock_bytes()[seconds]
    if micro.any():
        _put_digits(characters, 20, 6, micro)
    offsets = np.arange(0, (len(stamps) + 1) * len(layout), len(layout), dtype=np.int32)
    return pa.StringArray.from_buffers(len(stamps), pa.py_buffer(offsets), pa.py_buffer(characters))


def _date_bytes(days: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` of each of ``days`` (since 1970-01-01), a row of 10 bytes each."""
    year, month, day = _civil(days)
    characters = np.empty((len(days), 10), dtype=np.uint8)
    characters[:] = np.frombuffer(b"0000-00-00", dtype=np.uint8)
    for start, digits, number in ((0, 4, year), (5, 2, month), (8, 2, day)):
        _put_digits(characters, start, digits, number)
    return characters


@functools.cache
def _clock_bytes() -> np.ndarray:
    """``HH:MM:SS`` of each second of a day, a row of 8 bytes each (675 KB, made once)."""
    hour, rest = np.divmod(np.arange(86_400), 3600)
    minute, second = np.divmod(rest, 60)
    characters = np.empty((86_400, 8), dtype=np.uint8)
    characters[:] = np.frombuffer(b"00:00:00", dtype=np.uint8)
    for start, number in ((0, hour), (3, minute), (6, second)):
        _put_digits(characters, start, 2, number)
    characters.flags.writeable = False
    return characters


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
