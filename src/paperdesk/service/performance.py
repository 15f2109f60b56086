"""A persistent portfolio's performance, from its equity snapshots and round trips."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from paperdesk.analytics.metrics import compute_stats
from paperdesk.analytics.stats import Stats
from paperdesk.domain import InvalidInputError, Trade
from paperdesk.service.views import EquityView


def performance_stats(
    equity: Sequence[EquityView], trades: Sequence[Trade], starting_cash: float
) -> Stats:
    """Statistics over the equity curve (the last snapshot of each moment counts)."""
    if not equity:
        raise InvalidInputError("the portfolio has no equity history yet; run a tick first")
    frame = pd.DataFrame(
        {
            "equity": [float(e.equity) for e in equity],
            "invested": [e.positions_value != 0 for e in equity],
        },
        index=pd.DatetimeIndex([pd.Timestamp(e.ts) for e in equity]),
    )
    last = frame[~frame.index.duplicated(keep="last")].sort_index()
    return compute_stats(
        last["equity"],
        list(trades),
        in_market=np.asarray(last["invested"], dtype=bool),
        start_equity=starting_cash,
        ambiguous_bars=0,
        fees=float(sum(t.fees for t in trades)),
    )


__all__ = ["Stats", "performance_stats"]
