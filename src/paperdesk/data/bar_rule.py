"""The bar rule of ``paperdesk.domain.bar_rule`` over whole columns: the same decisions, the same
reasons (each bad row is worded by the scalar form, from the values a ``Bar`` would hold).

Float comparisons decide exactly as Decimal ones on the floats' shortest reprs do (that
conversion keeps order and equality), and times are compared in whole microseconds, as
``datetime`` holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from paperdesk.domain.bar_rule import (
    CHECKS,
    CLOSE_NOT_AFTER_OPEN,
    HIGH_BELOW_LOW,
    MISSING,
    NEGATIVE_VOLUME,
    NOT_FINITE,
    NOT_POSITIVE,
    OUTSIDE_RANGE,
    PRICE_FIELDS,
    BarProblem,
    NumberText,
    bar_problems,
    exact_text,
)

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)  # Final: compiled, a C variable


def exact_decimal(value: float) -> Decimal:
    """The Decimal a bar holds for a float: its shortest repr (NaN and infinities kept)."""
    # ``float()`` gives an exact float (numpy floats repr as "np.float64(x)"), whose ``repr`` is
    # ``float.__repr__``'s: compiled, no look-up of ``__repr__`` on ``float`` at each call
    return Decimal(repr(float(value)))


def utc_datetime(nanoseconds: int) -> datetime:
    """A UTC datetime from epoch nanoseconds (whole microseconds, as datetime holds them)."""
    return _EPOCH + timedelta(0, 0, nanoseconds // 1000)  # positional: faster than by keyword


@dataclass(frozen=True)
class BarColumns:
    """A bar history as float64 columns, with epoch-nanosecond times when they are to be checked."""

    opens: Floats
    highs: Floats
    lows: Floats
    closes: Floats
    volumes: Floats
    ts_open_ns: npt.NDArray[np.int64] | None = None
    ts_close_ns: npt.NDArray[np.int64] | None = None

    def value(self, field: str) -> Floats:
        columns = {
            "open": self.opens,
            "high": self.highs,
            "low": self.lows,
            "close": self.closes,
            "volume": self.volumes,
        }
        return columns[field]


@dataclass(frozen=True)
class RuleReport:
    """Which rows pass, how many problems there are in all, and the first ones worded."""

    valid: Mask
    total: int
    problems: list[tuple[int, BarProblem]]


def valid_rows(columns: BarColumns) -> Mask:
    """Which rows pass the rule, decided for all rows at once (one pass, for the backtest).

    Fewer passes than the checks' plain form (``valid_rows_plain``, tested equal): a NaN fails
    one of the comparisons below, and so does an infinite price, except a high of +inf (hence
    ``highs < inf``), so only the high and the volume need a finiteness test; the times are
    whole microseconds apart whenever they are at least 1,000 ns apart, so only the closer
    pairs are divided.
    """
    opens, highs, lows, closes, volumes = (
        columns.opens,
        columns.highs,
        columns.lows,
        columns.closes,
        columns.volumes,
    )
    with np.errstate(invalid="ignore"):
        bound = np.maximum(opens, closes)
        valid: Mask = highs >= bound
        np.minimum(opens, closes, out=bound)
        valid &= lows <= bound
        valid &= lows > 0
        valid &= highs < np.inf
        valid &= volumes >= 0
        valid &= volumes < np.inf
    if columns.ts_open_ns is not None and columns.ts_close_ns is not None:
        valid &= _later_microsecond(columns.ts_open_ns, columns.ts_close_ns)
    return valid


def _later_microsecond(
    ts_open_ns: npt.NDArray[np.int64], ts_close_ns: npt.NDArray[np.int64]
) -> Mask:
    """``ts_close_ns // 1000 > ts_open_ns // 1000``, dividing only the pairs less than 1,000 ns
    apart (a difference past int64 wraps to a negative one, so it is divided too)."""
    later: Mask = ts_close_ns > ts_open_ns
    gap = ts_close_ns - ts_open_ns
    close = np.flatnonzero(later & (gap < 1000))
    if close.size:
        later[close] = ts_close_ns[close] // 1000 > ts_open_ns[close] // 1000
    return later


def valid_rows_plain(columns: BarColumns) -> Mask:
    """``valid_rows`` check by check, as the rule reads (the form it is tested against)."""
    opens, highs, lows, closes, volumes = (
        columns.opens,
        columns.highs,
        columns.lows,
        columns.closes,
        columns.volumes,
    )
    with np.errstate(invalid="ignore"):
        valid: Mask = (
            np.isfinite(opens)
            & np.isfinite(highs)
            & np.isfinite(lows)
            & np.isfinite(closes)
            & np.isfinite(volumes)
            & (lows > 0)
            & (highs >= np.maximum(opens, closes))
            & (lows <= np.minimum(opens, closes))
            & (volumes >= 0)
        )
        if columns.ts_open_ns is not None and columns.ts_close_ns is not None:
            valid &= columns.ts_close_ns // 1000 > columns.ts_open_ns // 1000
    return valid


def problem_masks(columns: BarColumns) -> list[tuple[str, str, Mask]]:
    """(field, check, rows failing it) for every check of every field, as ``bar_problems``
    decides them: a row fails as many of these as the scalar form lists problems for it."""
    masks: list[tuple[str, str, Mask]] = []
    with np.errstate(invalid="ignore"):
        for field in (*PRICE_FIELDS, "volume"):
            values = columns.value(field)
            masks.append((field, MISSING, np.isnan(values)))
            masks.append((field, NOT_FINITE, np.isinf(values)))
            if field == "volume":
                masks.append((field, NEGATIVE_VOLUME, np.isfinite(values) & (values < 0)))
            else:
                masks.append((field, NOT_POSITIVE, np.isfinite(values) & (values <= 0)))
        highs, lows = columns.highs, columns.lows
        finite = (
            np.isfinite(columns.opens)
            & np.isfinite(highs)
            & np.isfinite(lows)
            & np.isfinite(columns.closes)
        )
        masks.append(("high", HIGH_BELOW_LOW, finite & (highs < lows)))
        ordered = finite & (highs >= lows)
        opens, closes = columns.opens, columns.closes
        # high below the higher of open and close names that one (close on a tie); low above
        # the lower names the lower
        masks.append(("open", OUTSIDE_RANGE, ordered & (opens > highs) & (opens > closes)))
        masks.append(("close", OUTSIDE_RANGE, ordered & (closes > highs) & (closes >= opens)))
        masks.append(("open", OUTSIDE_RANGE, ordered & (opens < lows) & (opens < closes)))
        masks.append(("close", OUTSIDE_RANGE, ordered & (closes < lows) & (closes <= opens)))
        if columns.ts_open_ns is not None and columns.ts_close_ns is not None:
            early = columns.ts_close_ns // 1000 <= columns.ts_open_ns // 1000
            masks.append(("ts_close", CLOSE_NOT_AFTER_OPEN, early))
    return masks


def row_problems(
    columns: BarColumns, row: int, *, number_text: NumberText = exact_text
) -> list[BarProblem]:
    """The scalar form's problems for row ``row``, from the values a Bar would hold."""
    ts_open: datetime | None = None
    ts_close: datetime | None = None
    if columns.ts_open_ns is not None and columns.ts_close_ns is not None:
        ts_open = utc_datetime(int(columns.ts_open_ns[row]))
        ts_close = utc_datetime(int(columns.ts_close_ns[row]))
    return bar_problems(
        exact_decimal(columns.opens[row]),
        exact_decimal(columns.highs[row]),
        exact_decimal(columns.lows[row]),
        exact_decimal(columns.closes[row]),
        exact_decimal(columns.volumes[row]),
        ts_open,
        ts_close,
        number_text=number_text,
    )


def check_columns(
    columns: BarColumns, *, limit: int = 1000, number_text: NumberText = exact_text
) -> RuleReport:
    """Every row checked: the valid rows, the number of problems, and the first ``limit``
    problems in row order, worded by the scalar form."""
    masks = problem_masks(columns)
    failing = np.zeros(len(columns.opens), dtype=bool)
    total = 0
    for _field, _check, mask in masks:
        failing |= mask
        total += int(np.count_nonzero(mask))
    problems: list[tuple[int, BarProblem]] = []
    for row in np.flatnonzero(failing).tolist():
        if len(problems) >= limit:
            break
        problems.extend(
            (row, problem) for problem in row_problems(columns, row, number_text=number_text)
        )
    return RuleReport(~failing, total, problems[:limit])


def first_failure(columns: BarColumns) -> tuple[str, int] | None:
    """The first check (in ``CHECKS`` order) that some row fails, and the first such row."""
    by_check: dict[str, Mask] = {}
    for _field, check, mask in problem_masks(columns):
        by_check[check] = by_check[check] | mask if check in by_check else mask
    for check in CHECKS:
        failing = by_check.get(check)
        if failing is not None and failing.any():
            return check, int(np.flatnonzero(failing)[0])
    return None
