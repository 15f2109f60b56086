"""The fast path's rejected signals, with the reasons the real router gives: the integer loop only
knows that a signal was rejected, so each one is routed again against the book the loop had then
(the engine hands this to the fast path, which itself imports no routing)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.strategies.base import SignalColumns
from paperdesk.config import RiskConfig, RunConfig
from paperdesk.domain import (
    ZERO,
    Direction,
    Instrument,
    PortfolioView,
    Position,
    Signal,
    SignalRejected,
)
from paperdesk.engine.fastpath.columns import datetimes
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.execution import parse_fee_model
from paperdesk.routing import Cooldown, MinimumConfidence, SignalRouter, build_router
from paperdesk.routing.router import size_rounds_to_zero


class SignalBars(Protocol):
    """The bar columns a rejection reads (``engine.backtest._BarArrays``)."""

    symbol: str
    closes: npt.NDArray[np.float64]
    ts_close_ns: npt.NDArray[np.int64]

    def close_price(self, i: int) -> Decimal:
        """Row ``i``'s exact close (the router's price of the signal)."""
        ...


def rejected_signals(
    rejected: list[tuple[int, int, int]],
    *,
    config: RunConfig,
    instrument: Instrument,
    feed: SignalBars,
    frame: pd.DataFrame,
    rows: list[int],
    strategy_name: str,
    scale: MoneyScale,
    unsized: AbstractSet[int] = frozenset(),
) -> list[SignalRejected]:
    """``rejected``: the loop's (signal k, position held, cash units) of each rejected signal;
    ``unsized``: the signals whose entry the loop's sizer sized to nothing on a flat book."""
    if not rejected:
        return []
    symbol = feed.symbol
    router = _router(config, instrument)
    signals = SignalColumns(frame, strategy_name, symbol)
    stamps = datetimes(feed.ts_close_ns[[rows[k] for k, _, _ in rejected]])
    rejections: list[SignalRejected] = []
    # a signal that cannot trade while flat (a flat one; a short one with shorts off): the
    # router words those from the direction alone, before any amount or filter the fast path
    # allows could differ, so the first of each direction is routed and its reason kept
    kept: dict[object, str] = {}
    allow_short = config.risk.allow_short
    # an entry the sizer sizes to nothing on a flat book: the router's reason is its sizer's
    # words over the close and the equity (``size_rounds_to_zero``), checked against the
    # router on the first one; the rest are worded so without routing them
    worded: bool | None = None if unsized and not router.remembers else False
    lot_size = instrument.lot_size
    filtered = _FilterWords(config.risk, symbol, rows, rejected)
    for number, (k, held, cash_units) in enumerate(rejected):
        row = rows[k]
        ts = stamps[number]
        signal = signals.signal(k, ts)
        filter_reason = filtered.reason(signal, row)
        if filter_reason is not None:
            rejections.append(SignalRejected(ts, signal, filter_reason))
            continue
        stateless = not held and (
            signal.direction is Direction.FLAT
            or (signal.direction is Direction.SHORT and not allow_short)
        )
        if stateless and signal.direction in kept:
            rejections.append(SignalRejected(ts, signal, kept[signal.direction]))
            continue
        close = feed.close_price(row)  # exact (an adjusted series: raw x price scale)
        cash = scale.to_decimal(cash_units)
        equity = cash + Decimal(held) * close
        sized_to_nothing = not held and k in unsized
        if sized_to_nothing and worded:
            reason = size_rounds_to_zero(symbol, close, equity, lot_size)
            rejections.append(SignalRejected(ts, signal, reason))
            continue
        positions = {symbol: Position(symbol, ZERO + Decimal(held))} if held else {}
        view = PortfolioView(ts, cash, equity, positions, {symbol: close}, None)
        decision = router.route(signal, view, instrument, close, row)
        if decision.rejection is None:
            raise FastPathUnsupportedError("the router accepted a signal the loop rejected")
        if stateless:
            kept[signal.direction] = decision.rejection
        if sized_to_nothing and worded is None:
            worded = decision.rejection == size_rounds_to_zero(symbol, close, equity, lot_size)
        rejections.append(SignalRejected(ts, signal, decision.rejection))
    return rejections


class _FilterWords:
    """The reasons of the router's filters that read no book, checked before the others in the
    router's order (``routing.factory.build_filters``): the minimum confidence, then the
    cooldown. The cooldown counts from the last accepted signal: every signal before the one
    rejected that the loop did not reject (each signal is one or the other)."""

    def __init__(
        self,
        risk: RiskConfig,
        symbol: str,
        rows: list[int],
        rejected: list[tuple[int, int, int]],
    ) -> None:
        self._symbol = symbol
        minimum = risk.min_confidence
        self._confidence = MinimumConfidence(minimum) if minimum > 0 else None
        self._cooldown = Cooldown(risk.cooldown_bars) if risk.cooldown_bars > 0 else None
        self._accepted: list[int] = []
        if self._cooldown is not None:
            refused = {k for k, _, _ in rejected}
            self._accepted = [row for k, row in enumerate(rows) if k not in refused]
        self._view = PortfolioView(datetime.min.replace(tzinfo=UTC), ZERO, ZERO)  # unread

    def reason(self, signal: Signal, row: int) -> str | None:
        """Why the filters reject ``signal`` (at bar ``row``), or None when they pass it."""
        if self._confidence is not None:
            reason = self._confidence.allow(signal, self._view)
            if reason is not None:
                return reason
        cooldown = self._cooldown
        if cooldown is None:
            return None
        before = bisect_left(self._accepted, row)
        if not before or row - self._accepted[before - 1] >= cooldown.bars:
            return None  # out of the cooldown (the filter's own test, without its words)
        cooldown.reset()
        cooldown.restore(self._symbol, self._accepted[before - 1])
        cooldown.advance(row)
        return cooldown.allow(signal, self._view)


def _router(config: RunConfig, instrument: Instrument) -> SignalRouter:
    risk, sizing = config.risk, config.sizing
    return build_router(
        # the run's sizing and caps: sized at the signal, an entry a rule or the sizer leaves
        # nothing of is rejected with their reason
        sizing,
        RiskConfig(
            allow_short=risk.allow_short,
            exposure_cap_percent=risk.exposure_cap_percent,
            max_position_percent=risk.max_position_percent,
            max_open_positions=risk.max_open_positions,
        ),
        fees=parse_fee_model(config.execution.commission),
    )
