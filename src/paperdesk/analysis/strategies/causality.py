"""The run-time truncation check of a strategy paperdesk does not ship: no signal reads a later bar.

A vectorised strategy gets the whole history in one call, so nothing stops its ``compute`` from
reading bars after the one it signals on (``shift(-1)``, a centred window, a whole-history
mean): a backtest of it then trades on prices nobody had yet, and its paper portfolio, which
sees each bar only once it has closed, trades differently. paperdesk's own strategies are proven
causal by the test suite at many cut points; a plug-in's is checked here, on the run's own bars,
before the run uses its signals: ``signals(bars[: t + 1])`` must equal ``signals(bars)`` up to
``t`` at the cut points below.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.strategies.base import Strategy
from paperdesk.domain.errors import InvalidInputError

# cut points: at rows where the whole history gives a long or short signal (what a run trades
# on, and where a peek at the next bars makes a signal the bars up to it do not give) and evenly
# between (where it removes one)
SIGNAL_CUTS = 4
EVEN_CUTS = 4
_COMPARED = ("confidence", "stop", "target")
_ALL = ("direction", *_COMPARED)


class LookAheadError(InvalidInputError):
    """A strategy's signals changed when the bars after their own were left out."""


def is_shipped(strategy: Strategy[Any]) -> bool:
    """Whether ``strategy`` is one of paperdesk's own (proven causal by its test suite)."""
    return type(strategy).__module__.startswith("paperdesk.")


def cut_points(length: int, warmup: int, signal_rows: npt.NDArray[np.intp]) -> list[int]:
    """The rows the check cuts the history after: up to ``SIGNAL_CUTS`` of ``signal_rows`` (the
    long and short signals) spread over them and ``EVEN_CUTS`` rows spread over the history,
    from the warm-up to the last but one bar (a cut at the last bar is the whole history)."""
    first, last = max(warmup, 0), length - 2
    if last < first:
        return []
    inside = signal_rows[(signal_rows >= first) & (signal_rows <= last)]
    picked = set(np.linspace(first, last, EVEN_CUTS).round().astype(int).tolist())
    if len(inside):
        spread = np.linspace(0, len(inside) - 1, min(SIGNAL_CUTS, len(inside))).round()
        picked.update(int(inside[int(i)]) for i in spread)
    return sorted(picked)


def check_causal(strategy: Strategy[Any], bars: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Refuse (``LookAheadError``) a strategy from outside paperdesk whose signal frame
    ``frame`` for ``bars`` changes when the bars after a cut point are left out."""
    if is_shipped(strategy) or not strategy.check_look_ahead:
        return
    rows = bars.index.get_indexer(frame.index)
    entries = rows[(rows >= 0) & (frame["direction"].to_numpy() != 0)]
    whole_labels = _nanoseconds(frame.index)
    bar_labels = _nanoseconds(bars.index)
    whole_values = _columns(frame)
    for cut in cut_points(len(bars), int(strategy.warmup), entries):
        label = bars.index[cut]
        seen = strategy.signals(bars.iloc[: cut + 1])
        count = int(np.searchsorted(whole_labels, bar_labels[cut], "right"))
        if _equal(seen, whole_labels[:count], whole_values[:, :count]):
            continue
        difference = _first_difference(seen, frame.iloc[:count])
        if difference is not None:
            raise LookAheadError(
                f"strategy {strategy.name!r} looks ahead: at the bar {difference[0].isoformat()} "
                f"it gives {difference[1]} computed on the bars up to {label.isoformat()}, and "
                f"{difference[2]} computed on the whole history; a signal may use its own bar and "
                "the bars before it only "
                "(typical leaks: shift(-1), a centred window, a mean of the whole history, "
                "bfill), and must not change from one call to the next"
            )


def _nanoseconds(index: pd.Index) -> npt.NDArray[np.int64]:
    if isinstance(index, pd.DatetimeIndex):
        return index.asi8
    return np.asarray(pd.DatetimeIndex(index).asi8, dtype=np.int64)


def _columns(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The direction and the compared columns of ``frame``, one row of the result each."""
    columns = [frame[name].to_numpy() for name in _ALL]
    return np.array(columns, dtype=np.float64).reshape(len(_ALL), len(frame))


def _equal(
    seen: pd.DataFrame, labels: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
) -> bool:
    """Whether ``seen`` has exactly the rows ``labels`` with the ``values`` (the fast answer of
    the causal case; ``_first_difference`` says where they differ)."""
    if len(seen) != len(labels) or not np.array_equal(_nanoseconds(seen.index), labels):
        return False
    mine = _columns(seen)
    return bool(
        np.array_equal(mine[0], values[0])
        and np.isclose(mine[1:], values[1:], rtol=1e-9, atol=0.0, equal_nan=True).all()
    )


def _first_difference(
    seen: pd.DataFrame, whole: pd.DataFrame
) -> tuple[pd.Timestamp, str, str] | None:
    """The first bar where the two signal frames differ, with each one's signal there in words
    (the reasons are not compared: they are words)."""
    labels = seen.index.union(whole.index)
    left, right = _values(seen, labels), _values(whole, labels)
    present_left, present_right = ~np.isnan(left[:, 0]), ~np.isnan(right[:, 0])
    levels_equal = np.isclose(left[:, 1:], right[:, 1:], rtol=1e-9, atol=0.0, equal_nan=True)
    same = (present_left == present_right) & (
        ~present_left | ((left[:, 0] == right[:, 0]) & levels_equal.all(axis=1))
    )
    differing = np.flatnonzero(~same)
    if not len(differing):
        return None
    first = int(differing[0])
    return labels[first], _words(left[first]), _words(right[first])


def _values(frame: pd.DataFrame, labels: pd.Index) -> npt.NDArray[np.float64]:
    """The direction and the compared columns at each of ``labels`` (NaN direction: no row)."""
    columns = frame[["direction", *_COMPARED]].astype(np.float64)
    return np.asarray(columns.reindex(labels).to_numpy(), dtype=np.float64)


def _words(row: npt.NDArray[np.float64]) -> str:
    if np.isnan(row[0]):
        return "no signal"
    direction = {1: "long", -1: "short", 0: "flat"}.get(int(row[0]), str(row[0]))
    levels = [
        f"{name} {value:g}"
        for name, value in zip(("confidence", *_COMPARED[1:]), row[1:], strict=True)
        if not np.isnan(value)
    ]
    return f"a {direction} signal ({', '.join(levels)})"
