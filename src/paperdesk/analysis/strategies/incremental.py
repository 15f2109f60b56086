"""A vectorised strategy's signals carried forward one bar at a time, exactly.

``Strategy.signals(bars)`` recomputes every indicator over the whole history. The live tick
only wants the rows of the newest bar, so a strategy may offer an INCREMENTAL FORM
(``Strategy.incremental``): opened on a history (its indicator state after the last bar), it
is then stepped with each following bar and returns that bar's rows. The contract is
equality to the last bit: ``form.step(bars[: t + 1], t)`` returns exactly the rows of
``signals(bars[: t + 1])`` at bar ``t`` (the same values, the same reasons, the same empty
answer), for a form opened on ``bars[: k + 1]`` and stepped through ``k + 1 .. t``. The
built-in forms keep TA-Lib's own streaming handles (``indicators.open_ema`` and friends), which
step the recurrences in TA-Lib's C code, so nothing is approximated; the tests compare the two
bar by bar on random series with long flat stretches, gaps and spikes.

A form is opened only where it can be exact: a strictly increasing index and finite prices
(``opening_checks``); ``step`` raises ``StepRefused`` (leaving the form unusable) on a bar it
cannot step exactly (a non-finite price, a label not after the last one), and the caller
computes the whole history instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.indicators import FloatArray

__all__ = [
    "Bars",
    "Crossing",
    "FrameColumns",
    "IncrementalSignals",
    "StepRefused",
    "bar_prices",
    "finite_bar",
    "later_label",
    "opening_checks",
]


class StepRefused(Exception):  # noqa: N818 - a refusal, not an error of the input
    """The form cannot step this bar exactly: compute the whole history instead."""


class FrameColumns:
    """A bars frame's columns as float64 arrays and its labels as integers, each read from
    the frame once (pandas' per-call cost is the whole cost of a step otherwise)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._columns: dict[str, FloatArray] = {}
        self._labels: npt.NDArray[np.int64] | None = None

    def column(self, name: str) -> FloatArray:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = np.ascontiguousarray(
                self.frame[name].to_numpy(dtype=np.float64)
            )
        return found

    def labels(self) -> npt.NDArray[np.int64]:
        if self._labels is None:
            self._labels = np.asarray(pd.DatetimeIndex(self.frame.index).asi8, dtype=np.int64)
        return self._labels


class Bars:
    """The bars a step may read: rows ``[0, count)`` of a frame (a replay's frame holds later
    bars too; they are out of reach here)."""

    __slots__ = ("count", "source")

    def __init__(self, source: FrameColumns | pd.DataFrame, count: int | None = None) -> None:
        self.source = source if isinstance(source, FrameColumns) else FrameColumns(source)
        self.count = len(self.source.frame) if count is None else count

    def column(self, name: str) -> FloatArray:
        """Column ``name`` (float64) of the visible rows."""
        return self.source.column(name)[: self.count]

    @property
    def frame(self) -> pd.DataFrame:
        """The visible rows as a bars frame (to build a signal row from)."""
        return self.source.frame.iloc[: self.count]


class IncrementalSignals(ABC):
    """A strategy's incremental form (see the module docstring)."""

    @abstractmethod
    def step(self, bars: Bars, index: int) -> pd.DataFrame | None:
        """The signal rows of bar ``index`` (the last of ``bars``), the form having been opened
        on, or last stepped to, bar ``index - 1`` of the same history; None when the bar has
        no row. Raises ``StepRefused`` when it cannot answer exactly."""


def opening_checks(bars: pd.DataFrame, columns: Sequence[str]) -> bool:
    """Whether a form can be opened on ``bars``: a strictly increasing index (a row is then
    found by its position) and finite values in ``columns`` (TA-Lib's handles are exact on
    finite input only)."""
    index = bars.index
    if not (index.is_monotonic_increasing and index.is_unique):
        return False
    return all(bool(np.isfinite(bars[name].to_numpy(dtype=np.float64)).all()) for name in columns)


def bar_prices(bars: Bars, index: int) -> tuple[float, float, float]:
    """High, low and close of bar ``index``, after ``later_label`` and ``finite_bar``."""
    later_label(bars, index)
    high, low, close = (float(bars.column(name)[index]) for name in ("high", "low", "close"))
    finite_bar(high, low, close)
    return high, low, close


def finite_bar(*values: float) -> None:
    """Raise ``StepRefused`` unless every value is finite."""
    if not all(np.isfinite(values)):
        raise StepRefused("a non-finite price")


def later_label(bars: Bars, index: int) -> None:
    """Raise ``StepRefused`` unless bar ``index`` (the last one) is labelled after bar
    ``index - 1``."""
    labels = bars.source.labels()
    if index != bars.count - 1 or not labels[index] > labels[index - 1]:
        raise StepRefused("a bar not after the previous one")


class Crossing:
    """``indicators.crossing_points`` one value at a time: the sign of the last non-zero,
    non-NaN difference is carried; a value on the other side of it is a cross."""

    def __init__(self, differences: npt.ArrayLike) -> None:
        values: FloatArray = np.asarray(differences, dtype=np.float64)
        defined = np.flatnonzero((values > 0.0) | (values < 0.0))
        self.side = 0 if defined.shape[0] == 0 else (1 if values[defined[-1]] > 0.0 else -1)

    def step(self, difference: float) -> int:
        """+1 for an up-cross at this value, -1 for a down-cross, else 0."""
        if difference > 0.0:
            crossed = 1 if self.side == -1 else 0
            self.side = 1
            return crossed
        if difference < 0.0:
            crossed = -1 if self.side == 1 else 0
            self.side = -1
            return crossed
        return 0  # zero or NaN: the side is kept
