"""Vectorised formatting of the per-signal ``reason`` strings (no Python loop per row).

A strategy on a million bars can emit tens of thousands of signals; formatting two numbers
per signal with ``%`` costs more than all of the indicator maths. ``compose`` builds every
string at once: each part becomes a matrix of Unicode code points (one row per signal, NUL
padding), the matrices are joined side by side with a newline column, NULs are dropped and
the resulting single string is split on newlines. Text is limited to Latin-1 (one byte per
character), which keeps the matrices small.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_DECIMALS", "compose", "format_numbers", "words"]

CodeMatrix = npt.NDArray[np.uint8]

MAX_DECIMALS = 10
"""Most digits after the decimal point that ``format_numbers`` writes."""

_INTEGER_DIGITS = 17
_LIMIT = 1e15  # larger magnitudes (and NaN / inf) are formatted by Python
_POWERS = 10 ** np.arange(_INTEGER_DIGITS + 1, dtype=np.int64)
_FLOAT_POWERS = 10.0 ** np.arange(MAX_DECIMALS + 1, dtype=np.float64)  # exact, as ** gives them
_ZERO, _MINUS, _POINT, _NEWLINE = (ord(character) for character in "0-.\n")
_FOUR_DIGITS = np.frombuffer(
    "".join(f"{group:04d}" for group in range(10_000)).encode("ascii"), dtype=np.uint32
)
"""The code points of every four-digit group 0000-9999, read as one uint32 each."""

Part = str | npt.NDArray[np.float64] | npt.NDArray[np.str_]


def _text_codes(texts: npt.NDArray[np.str_]) -> CodeMatrix:
    """Latin-1 code matrix (rows, width) of a fixed-width unicode array, NUL-padded."""
    array = np.ascontiguousarray(texts, dtype=np.str_)
    width = array.dtype.itemsize // 4
    if width == 0:
        return np.zeros((array.shape[0], 1), dtype=np.uint8)
    points = array.view(np.uint32).reshape(array.shape[0], width)
    if points.size and int(points.max()) > 255:
        raise ValueError("reason text must be Latin-1")
    return points.astype(np.uint8)


def _digit_codes(values: npt.NDArray[np.int64], width: int) -> CodeMatrix:
    """The ``width`` rightmost decimal digits of each (non-negative) value as code points,
    leading zeros included: four digits at a time from a table of the 10,000 four-digit
    groups (one integer division per group of four instead of one per digit)."""
    groups = -(-width // 4)
    chunks = np.empty((values.shape[0], groups), dtype=np.uint32)
    rest = values
    for group in range(groups - 1, -1, -1):
        rest, chunk = np.divmod(rest, 10_000)
        chunks[:, group] = _FOUR_DIGITS[chunk]
    return chunks.view(np.uint8)[:, 4 * groups - width :]


def _number_codes(values: npt.NDArray[np.float64], significant: int) -> list[CodeMatrix]:
    """Code points of ``values`` in fixed-point notation with ``significant`` digits, as code
    matrices to be joined side by side (one, when a value is formatted by Python).

    The digits come four at a time (``_digit_codes``: a short loop over at most
    ``(_INTEGER_DIGITS + MAX_DECIMALS) / 4`` groups, each a vector operation over all rows);
    the leading zeros of the whole part and the trailing zeros of the fraction become NULs.
    """
    count = values.shape[0]
    magnitude = np.abs(values)
    regular = np.isfinite(values) & (magnitude < _LIMIT)
    all_regular = bool(regular.all())
    if not all_regular:
        magnitude = np.where(regular, magnitude, 0.0)
    exponent = np.floor(np.log10(magnitude, where=magnitude > 0, out=np.zeros(count)))
    decimals = np.clip(significant - 1 - exponent, 0, MAX_DECIMALS).astype(np.int64)
    scaled = np.rint(magnitude * _FLOAT_POWERS[decimals]).astype(np.int64)
    integer, fraction = np.divmod(scaled, _POWERS[decimals])

    largest = int(integer.max())
    integer_width = max(len(str(largest)), 1)
    integer_codes = _digit_codes(integer, integer_width)
    # a leading zero (any zero left of the units digit once nothing is left) is dropped
    leading = integer[:, None] < _POWERS[integer_width - 1 : 0 : -1]
    integer_codes[:, : integer_width - 1] *= ~leading

    fraction_width = int(decimals.max())
    # left-align every fraction to fraction_width digits, then strip trailing zeros
    fraction_codes = _digit_codes(fraction * _POWERS[fraction_width - decimals], fraction_width)
    trailing = np.ones(count, dtype=bool)  # no digit other than 0 right of this column
    for column in range(fraction_width - 1, -1, -1):
        trailing &= fraction_codes[:, column] == _ZERO
        fraction_codes[:, column] *= ~trailing
    point = np.where(trailing, 0, _POINT).astype(np.uint8)[:, None]
    negative = (values < 0) & (scaled > 0)
    parts = [integer_codes, point, fraction_codes]
    if negative.any():  # else the sign column would be all NULs
        parts.insert(0, np.where(negative, _MINUS, 0).astype(np.uint8)[:, None])
    if all_regular:
        return parts
    codes = np.concatenate(parts, axis=1)
    irregular = np.flatnonzero(~regular)
    fallback = _text_codes(
        np.array([f"{value:.{significant}g}" for value in values[irregular].tolist()])
    )
    width = max(codes.shape[1], fallback.shape[1])
    codes = np.pad(codes, ((0, 0), (0, width - codes.shape[1])))
    codes[irregular] = 0
    codes[irregular, : fallback.shape[1]] = fallback
    return [codes]


def format_numbers(values: npt.ArrayLike, significant: int = 6) -> list[str]:
    """Numbers in fixed-point notation rounded to ``significant`` digits (at most
    ``MAX_DECIMALS`` decimals), trailing zeros dropped: 111.0891 -> "111.089", 2.5 -> "2.5".
    NaN, infinities and magnitudes >= 1e15 use Python's ``g`` format."""
    return compose(np.asarray(values, dtype=np.float64).reshape(-1), significant=significant)


def words(direction: npt.ArrayLike, positive: str, negative: str) -> npt.NDArray[np.str_]:
    """Per-row word: ``positive`` where ``direction > 0``, else ``negative``."""
    return np.where(np.asarray(direction) > 0, positive, negative)


def compose(*parts: Part | Sequence[str], significant: int = 6) -> list[str]:
    """One string per row, concatenating ``parts`` left to right.

    A ``str`` part is the same for every row; a float array is formatted with
    ``format_numbers``'s rules; a string array (e.g. from ``words``) gives each row's text.
    All array parts must have the same length. Strings must be Latin-1 without newlines or NULs.
    """
    count = next((len(part) for part in parts if not isinstance(part, str)), None)
    if count is None:
        return ["".join(part for part in parts if isinstance(part, str))]
    if count == 0:
        return []
    matrices: list[CodeMatrix] = []
    for part in parts:
        if isinstance(part, str):
            if part:
                codes = np.frombuffer(part.encode("latin-1"), dtype=np.uint8)
                matrices.append(np.broadcast_to(codes, (count, codes.shape[0])))
            continue
        array = np.asarray(part)
        if array.shape != (count,):
            raise ValueError(f"every array part must have shape ({count},), got {array.shape}")
        if array.dtype.kind in "fiu":
            matrices.extend(_number_codes(array.astype(np.float64), significant))
        else:
            matrices.append(_text_codes(array.astype(np.str_)))
    matrices.append(np.full((count, 1), _NEWLINE, dtype=np.uint8))
    joined = np.concatenate(matrices, axis=1)
    text: str = joined.tobytes().replace(b"\0", b"").decode("latin-1")
    return text.split("\n")[:count]
