"""Read-only views the API shows next to a portfolio's statistics: the equity curve with its
running peak and drawdown (exact decimals), and signals with their entry price and
reward-to-risk (the entry is the close of the signal's bar, the price the strategy decided on).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from paperdesk.domain import DataError, UnknownNameError
from paperdesk.domain.records import EquityView, SignalView
from paperdesk.service.documents import json_value, rounded_statistic

if TYPE_CHECKING:
    from paperdesk.analytics.stats import Stats
    from paperdesk.service.portfolios import PortfolioService

CENT = Decimal("0.01")


def cents(value: float) -> Decimal:
    """A statistic measured in money (computed in floats) as a decimal at the cent."""
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)


# Statistics measured in the portfolio's currency: decimal strings; the rest stay numbers.
MONEY_STATISTICS = frozenset(
    {
        "start_equity",
        "final_equity",
        "average_win",
        "average_loss",
        "best_trade",
        "worst_trade",
        "fees",
        "expectancy",
    }
)


def statistics_document(stats: Stats) -> dict[str, Any]:
    """Every statistic of ``stats`` (undefined ones null, never 0): money as decimal strings
    (at the cent, as the CLI prints it), ratios and percentages as numbers rounded half-up to
    6 decimals."""
    document: dict[str, Any] = {}
    for key, value in stats.to_dict().items():
        if isinstance(value, float) and not math.isfinite(value):  # undefined (JSON has no NaN)
            document[key] = None
        elif key in MONEY_STATISTICS and isinstance(value, int | float):
            document[key] = str(cents(float(value)))
        else:
            document[key] = json_value(value)  # 6 decimals: never 3.4317614000000107
    return document


@dataclass(frozen=True, slots=True)
class DrawdownPoint:
    snapshot: EquityView
    peak: Decimal
    drawdown: Decimal  # equity - peak: zero or negative
    drawdown_pct: float


def running_drawdowns(
    equities: Iterable[Decimal], start: Decimal | None = None
) -> list[tuple[Decimal, Decimal]]:
    """Each equity's running peak (the highest equity up to it, and ``start`` when given: the
    money a run started with is its first peak) and ``equity - peak`` (zero or negative)."""
    found: list[tuple[Decimal, Decimal]] = []
    peak = start
    for equity in equities:
        peak = equity if peak is None else max(peak, equity)
        found.append((peak, equity - peak))
    return found


def drawdown_curve(equity: Sequence[EquityView]) -> list[DrawdownPoint]:
    """Each snapshot with the highest equity up to it and how far below that it is."""
    points: list[DrawdownPoint] = []
    for snapshot, (peak, drawdown) in zip(
        equity, running_drawdowns(s.equity for s in equity), strict=True
    ):
        percent = rounded_statistic(drawdown / peak * 100) if peak > 0 else 0.0
        points.append(DrawdownPoint(snapshot, peak, drawdown, percent))
    return points


@dataclass(frozen=True, slots=True)
class SignalDetail:
    signal: SignalView
    entry: Decimal | None
    reward_to_risk: float | None


def reward_to_risk(
    entry: Decimal | None, stop: Decimal | None, target: Decimal | None
) -> float | None:
    """|target - entry| / |entry - stop|; None (undefined, not 0) when any is missing or the
    risk is zero."""
    if entry is None or stop is None or target is None or entry == stop:
        return None
    return rounded_statistic(abs(target - entry) / abs(entry - stop))


def signal_details(
    service: PortfolioService, portfolio_id: int, signals: Sequence[SignalView]
) -> list[SignalDetail]:
    """``signals`` with the close of each one's bar (read once per symbol) and reward-to-risk."""
    settings = service.settings(portfolio_id)
    closes: dict[str, pd.Series | None] = {}
    details: list[SignalDetail] = []
    for signal in signals:
        if signal.symbol not in closes:
            try:
                history = service.source.history(
                    signal.symbol, settings.bar_timeframe, settings.source
                )
                closes[signal.symbol] = history["close"]
            except (DataError, UnknownNameError):  # the data went away: the entry is unknown
                closes[signal.symbol] = None
        series = closes[signal.symbol]
        entry: Decimal | None = None
        moment = pd.Timestamp(signal.ts_bar)
        if series is not None and moment in series.index:
            found = series.loc[moment]
            close = found.iloc[-1] if isinstance(found, pd.Series) else found  # a repeated bar
            entry = Decimal(repr(float(close)))
        details.append(
            SignalDetail(signal, entry, reward_to_risk(entry, signal.stop, signal.target))
        )
    return details


__all__ = [
    "DrawdownPoint",
    "SignalDetail",
    "cents",
    "drawdown_curve",
    "running_drawdowns",
    "signal_details",
    "statistics_document",
]
