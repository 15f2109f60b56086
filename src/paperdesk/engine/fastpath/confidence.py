"""The router's minimum confidence and allowed symbols on the fast path
(``routing.filters.MinimumConfidence``, ``AllowedSymbols``).

The two filters are the router's first (``routing.factory.build_filters``) and read the signal
alone, so a signal below the minimum, or of a symbol outside the allowed ones, is rejected
whatever the book holds, changes nothing and is not remembered (a cooldown counts from accepted
signals only): the loops run on the other signals (none, for a symbol not allowed), and the
rejections of both are merged in signal order and worded by the router (``ExplainRejections``,
which checks the confidence first, then the symbol)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from decimal import Decimal
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.strategies.base import with_reasons
from paperdesk.config import RunConfig
from paperdesk.domain import Instrument, SignalRejected
from paperdesk.engine.fastpath.inputs import BarHistory, ExplainRejections
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.engine.result import Deferred


def confident(
    frame: pd.DataFrame, minimum: float, allowed: bool = True
) -> npt.NDArray[np.intp] | None:
    """The positions of the signals at or above ``minimum`` (the filter rejects
    ``confidence < minimum``), or None when that is every signal; none when the symbol is not
    ``allowed`` (the allowed symbols' filter, the router's second, rejects every signal of a
    symbol outside them, whatever the book holds)."""
    if not len(frame):
        return None
    if not allowed:
        return np.zeros(0, dtype=np.intp)
    if minimum <= 0:
        return None
    passes = frame["confidence"].to_numpy(dtype=np.float64) >= minimum
    return None if passes.all() else np.flatnonzero(passes)


class ConfidentSignals:
    """The signals the loops see (``kept``, positions in the strategy's ``frame``) and how the
    result names every signal: the reasons of the kept ones, and the rejections of all."""

    def __init__(
        self,
        kept: npt.NDArray[np.intp],
        frame: pd.DataFrame,
        signal_rows: npt.NDArray[np.intp],
        later_reasons: Callable[[], list[str]] | None,
    ) -> None:
        self.kept = kept
        self._frame = frame
        self._rows = signal_rows
        self._reasons = None if later_reasons is None else cache(later_reasons)
        self.frame = frame.iloc[kept]
        self.signal_rows = signal_rows[kept]

    def later_reasons(self) -> Callable[[], list[str]] | None:
        """The kept signals' reason strings, when the frame's are made later."""
        reasons = self._reasons
        if reasons is None:
            return None
        kept = self.kept.tolist()
        return lambda: list(map(reasons().__getitem__, kept))

    def explain(self, explain_rejections: ExplainRejections) -> ExplainRejections:
        """``explain_rejections`` of the loops' rejections (of kept signals) and of every
        signal below the minimum, in signal order, against the whole frame."""
        return _Merged(self, explain_rejections)

    def whole(self) -> tuple[pd.DataFrame, list[int]]:
        """The strategy's frame (its reasons made) and every signal's row."""
        return with_reasons(self._frame, self._reasons), self._rows.tolist()

    def dropped(self) -> list[int]:
        """The positions of the signals below the minimum."""
        passes = np.zeros(len(self._frame), dtype=np.bool_)
        passes[self.kept] = True
        return np.flatnonzero(~passes).tolist()


class _Merged:
    """An ``ExplainRejections`` over the whole frame for a loop that saw the kept signals."""

    def __init__(self, signals: ConfidentSignals, inner: ExplainRejections) -> None:
        self._signals = signals
        self._inner = inner

    def __call__(
        self,
        rejected: list[tuple[int, int, int]],
        *,
        config: RunConfig,
        instrument: Instrument,
        feed: BarHistory,
        frame: pd.DataFrame,
        rows: list[int],
        strategy_name: str,
        scale: MoneyScale,
        unsized: AbstractSet[int] = frozenset(),
        day_start: Callable[[int], Decimal] | None = None,
    ) -> Deferred[SignalRejected] | list[SignalRejected]:
        signals = self._signals
        kept = signals.kept.tolist()
        merged = [(kept[k], held, cash) for k, held, cash in rejected]
        merged += [(k, 0, 0) for k in signals.dropped()]  # rejected whatever the book holds
        merged.sort()
        whole_frame, whole_rows = signals.whole()
        return self._inner(
            merged,
            config=config,
            instrument=instrument,
            feed=feed,
            frame=whole_frame,
            rows=whole_rows,
            strategy_name=strategy_name,
            scale=scale,
            unsized=frozenset(kept[k] for k in unsized),
            day_start=day_start,  # by row: the same for the whole frame
        )
