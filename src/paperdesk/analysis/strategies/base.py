"""The vectorised strategy base class and the sparse signal-frame helpers.

A strategy turns a bars frame (tz-aware UTC ``DatetimeIndex`` of bar open labels, sorted
ascending, float64 ``open, high, low, close, volume``) into a SPARSE signal frame: one row per
bar where it wants something, indexed by that bar's label, with the columns

* ``direction`` (int8): 1 long, -1 short, 0 flat (exit);
* ``confidence`` (float64 in [0, 1]);
* ``stop`` and ``target`` (float64 prices, NaN when none);
* ``reason`` (Python ``str`` values in an object column, human-readable).

Signals are CAUSAL: the row for bar ``t`` is computed from rows ``<= t`` only, so
``signals(bars[: t + 1])`` equals ``signals(bars)`` restricted to index ``<= t``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import ClassVar, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.strategies.common import (
    NoParameters,
    StrategyBase,
    StrategyKind,
    require,
    require_at_least,
    require_period,
)
from paperdesk.analysis.strategies.incremental import IncrementalSignals
from paperdesk.analysis.strategies.reasons import compose, words
from paperdesk.analysis.strategies.signal_columns import SignalColumns
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.signals import Signal

__all__ = [
    "BAR_COLUMNS",
    "SIGNAL_COLUMNS",
    "NoParameters",
    "SignalColumns",
    "Strategy",
    "atr_levels",
    "check_bars",
    "column",
    "drop_before",
    "empty_signal_frame",
    "make_signal_frame",
    "require",
    "require_at_least",
    "require_period",
    "to_signals",
    "with_reasons",
]

BAR_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
SIGNAL_COLUMNS: tuple[str, ...] = ("direction", "confidence", "stop", "target", "reason")

ParametersT = TypeVar("ParametersT")


class Strategy(StrategyBase[ParametersT]):
    """A vectorised strategy: parameters in, sparse causal signal frame out.

    Subclasses set ``name``, ``description`` and ``Parameters`` (a frozen dataclass whose
    fields have typed defaults), implement ``warmup`` and ``compute`` and may override
    ``check_parameters`` to validate ranges. Callers use ``signals``, which checks the bars
    and the frame ``compute`` returns.
    """

    kind: ClassVar[StrategyKind] = StrategyKind.VECTORISED
    # whether a backtest checks the signals for look-ahead (``causality.check_causal``): a
    # plug-in whose ``compute`` is costly to call again (a model behind a paid API) may set it
    # False, and then answers for its own causality
    check_look_ahead: ClassVar[bool] = True

    @abstractmethod
    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        """The signal frame for checked, non-empty ``bars`` (build it with
        ``make_signal_frame``): one row per bar where the strategy wants something, computed
        from that bar and the bars before it only."""

    def signals(self, bars: pd.DataFrame) -> pd.DataFrame:
        """Sparse, causal signal frame for ``bars`` (see the module docstring)."""
        check_bars(bars)
        if len(bars) == 0:
            return empty_signal_frame(bars.index)
        try:
            frame = self.compute(bars)
        except Exception as error:
            raise self.failure(f"strategy {self.name!r}", "compute()", error) from error
        if not isinstance(frame, pd.DataFrame) or tuple(frame.columns) != SIGNAL_COLUMNS:
            found = list(frame.columns) if isinstance(frame, pd.DataFrame) else type(frame)
            raise InvalidInputError(
                f"strategy {self.name!r}: compute() must return a signal frame with the columns "
                f"{', '.join(SIGNAL_COLUMNS)} (use make_signal_frame), got {found}"
            )
        return frame

    def signals_reasons_later(
        self, bars: pd.DataFrame
    ) -> tuple[pd.DataFrame, Callable[[], list[str]] | None]:
        """``signals(bars)`` with the ``reason`` column possibly left blank, and then the function
        that gives that column (one string per row, what ``signals`` would hold); else None with
        the frame complete. For a caller that may never read the reasons (the fast path reads
        them when its orders, fills and trades are first read), which must fill the column
        (``with_reasons``) before the frame goes anywhere else. The default: ``signals``."""
        return self.signals(bars), None

    def incremental(self, bars: pd.DataFrame) -> IncrementalSignals | None:
        """This strategy's incremental form opened on ``bars`` (its state after their last
        bar; see ``strategies.incremental``), or None: none for these parameters, or
        ``bars`` too short or unfit to open one. The live tick steps the form bar by bar
        instead of calling ``signals`` on the whole history, so ``form.step`` must give
        exactly the rows ``signals`` gives. The default: None (the tick computes the whole
        history every bar)."""
        return None


def with_reasons(frame: pd.DataFrame, reasons: Callable[[], list[str]] | None) -> pd.DataFrame:
    """``frame`` from ``Strategy.signals_reasons_later`` with its ``reason`` column made: the frame
    ``signals`` gives."""
    if reasons is None:
        return frame
    return frame.assign(reason=pd.Series(reasons(), index=frame.index, dtype=object))


def check_bars(bars: pd.DataFrame) -> None:
    """Raise ``InvalidInputError`` unless ``bars`` is a bars frame (columns, UTC index, order)."""
    if not isinstance(bars, pd.DataFrame):
        raise InvalidInputError(f"bars must be a pandas DataFrame, got {type(bars).__name__}")
    missing = [column for column in BAR_COLUMNS if column not in bars.columns]
    if missing:
        raise InvalidInputError(
            f"bars frame is missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(BAR_COLUMNS)}"
        )
    index = bars.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InvalidInputError("bars must be indexed by a timezone-aware DatetimeIndex")
    if not index.is_monotonic_increasing:
        raise InvalidInputError("bars index must be sorted ascending")


def column(bars: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    """Column ``name`` of ``bars`` as a contiguous float64 array."""
    return np.ascontiguousarray(bars[name].to_numpy(dtype=np.float64, copy=False))


def empty_signal_frame(index: pd.Index | None = None) -> pd.DataFrame:
    """A signal frame with no rows and the right column dtypes."""
    if isinstance(index, pd.DatetimeIndex):
        empty_index = index[:0]  # keeps the time zone, resolution and name of the bars
    else:
        empty_index = pd.DatetimeIndex([], tz="UTC", name=getattr(index, "name", None))
    return pd.DataFrame(
        {
            "direction": np.empty(0, dtype=np.int8),
            "confidence": np.empty(0, dtype=np.float64),
            "stop": np.empty(0, dtype=np.float64),
            "target": np.empty(0, dtype=np.float64),
            "reason": pd.Series([], index=empty_index, dtype=object),
        },
        index=empty_index,
    )


def make_signal_frame(
    bars: pd.DataFrame,
    positions: npt.ArrayLike,
    direction: npt.ArrayLike,
    *,
    confidence: npt.ArrayLike = 1.0,
    stop: npt.ArrayLike | None = None,
    target: npt.ArrayLike | None = None,
    reason: str | Sequence[str] = "",
) -> pd.DataFrame:
    """Assemble the sparse frame for rows ``positions`` (0-based, strictly ascending) of ``bars``.

    ``direction`` (1 long, -1 short, 0 flat), ``confidence``, ``stop`` and ``target`` are either
    one value for every row or one value per row of ``positions``; ``stop`` / ``target`` None
    (or NaN) mean no level. Confidence is clipped to [0, 1] (NaN becomes 0). ``reason`` is one
    string for every row or one string per row.
    """
    rows = np.asarray(positions)
    if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
        raise InvalidInputError(
            f"signal positions must be a 1-D array of row numbers, got dtype {rows.dtype} "
            f"with shape {rows.shape}"
        )
    count = rows.shape[0]
    if count == 0:
        return empty_signal_frame(bars.index)
    rows = rows.astype(np.intp, copy=False)
    if rows[0] < 0 or rows[-1] >= len(bars) or (count > 1 and not (np.diff(rows) > 0).all()):
        raise InvalidInputError(
            f"signal positions must be strictly ascending row numbers in [0, {len(bars)}), "
            f"got {rows[:5].tolist()}{' ...' if count > 5 else ''}"
        )
    index = bars.index[rows]
    wanted = _per_row("direction", direction, count)
    valid = np.isin(wanted, (-1.0, 0.0, 1.0))
    if not valid.all():
        bad = sorted(set(wanted[~valid].tolist()))[:5]
        raise InvalidInputError(f"signal direction must be 1, -1 or 0, got {bad}")
    confidences = np.nan_to_num(_per_row("confidence", confidence, count), nan=0.0)
    if isinstance(reason, str):
        reasons = [reason] * count
    else:
        reasons = list(reason)
        if len(reasons) != count:
            raise InvalidInputError(
                f"signal reason has {len(reasons)} values for {count} signal rows; "
                "give one string, or one per row"
            )
    return pd.DataFrame(
        {
            "direction": wanted.astype(np.int8),
            "confidence": np.clip(confidences, 0.0, 1.0),
            "stop": _per_row("stop", np.nan if stop is None else stop, count),
            "target": _per_row("target", np.nan if target is None else target, count),
            "reason": pd.Series(reasons, index=index, dtype=object),
        },
        index=index,
    )


def drop_before(frame: pd.DataFrame, bars: pd.DataFrame, min_bars: int) -> pd.DataFrame:
    """``frame`` (a signal frame of ``bars``) without its rows before 0-based row ``min_bars``
    of ``bars``: the ``min_bars`` option of the built-in strategies."""
    if min_bars <= 0 or len(frame) == 0:
        return frame
    if min_bars >= len(bars):
        return empty_signal_frame(bars.index)
    kept: pd.DataFrame = frame.loc[frame.index >= bars.index[min_bars]]
    return kept


def _per_row(name: str, values: npt.ArrayLike, count: int) -> npt.NDArray[np.float64]:
    """``values`` as a float64 array of ``count`` rows (a single value is repeated)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        return np.full(count, float(array))
    if array.shape != (count,):
        raise InvalidInputError(
            f"signal {name} has shape {array.shape} for {count} signal rows; "
            "give one value, or one per row"
        )
    return array


def atr_levels(
    close: npt.NDArray[np.float64],
    average_true_range: npt.NDArray[np.float64],
    direction: npt.NDArray[np.int8],
    multiple: float,
    side: int,
) -> npt.NDArray[np.float64] | None:
    """``close + side * direction * multiple * ATR`` (side -1: stop, +1: target) or None.

    All arrays are aligned with the signal rows; ``multiple == 0`` means "no level" (None).
    A row where ATR is still in warm-up gets NaN.
    """
    if multiple == 0.0:
        return None
    return close + side * direction.astype(np.float64) * multiple * average_true_range


def line_cross_frame(
    bars: pd.DataFrame,
    positions: npt.NDArray[np.intp],
    direction: npt.NDArray[np.int8],
    confidence: npt.ArrayLike,
    crossing: LineCross,
) -> pd.DataFrame:
    """The signal rows of a strategy whose line crossed its signal line (macd-cross,
    tsi-momentum): the reason quotes both lines' values, the stop and the target are the
    strategy's ATR multiples from the close (the one construction for both strategies)."""
    reasons = compose(
        crossing.line_name + " ",
        crossing.line,
        " crossed ",
        words(direction, "above", "below"),
        " signal ",
        crossing.signal_line,
        significant=4,
    )
    close, true_range = crossing.close, crossing.average_true_range
    return make_signal_frame(
        bars,
        positions,
        direction,
        confidence=confidence,
        stop=atr_levels(close, true_range, direction, crossing.stop_atr, -1),
        target=atr_levels(close, true_range, direction, crossing.target_atr, 1),
        reason=reasons,
    )


class LineCross(NamedTuple):
    """What ``line_cross_frame`` quotes and places, one value per signal row (the ATR
    multiples one per strategy)."""

    line_name: str
    line: npt.NDArray[np.float64]
    signal_line: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    average_true_range: npt.NDArray[np.float64]
    stop_atr: float
    target_atr: float


def to_signals(frame: pd.DataFrame, strategy_name: str, symbol: str) -> list[Signal]:
    """Domain ``Signal`` objects, one per row of a signal frame (``ts`` = the index value),
    converted by ``SignalColumns``."""
    index = frame.index
    if len(index) and (not isinstance(index, pd.DatetimeIndex) or index.tz is None):
        raise InvalidInputError("signal frame must be indexed by a timezone-aware DatetimeIndex")
    columns = SignalColumns(frame, strategy_name, symbol)
    return [columns.signal(k, stamp.to_pydatetime()) for k, stamp in enumerate(index)]
