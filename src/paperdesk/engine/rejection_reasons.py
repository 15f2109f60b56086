"""The fast path's rejected signals, with the reasons the real router gives: the integer loop only
knows that a signal was rejected, so each one is routed again against the book the loop had then
(the engine hands this to the fast path, which itself imports no routing)."""

from __future__ import annotations

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
    SignalRejected,
)
from paperdesk.engine.fastpath.columns import datetimes
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.execution import parse_fee_model
from paperdesk.routing import SignalRouter, build_router


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
) -> list[SignalRejected]:
    """``rejected``: the loop's (signal k, position held, cash units) of each rejected signal."""
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
    for number, (k, held, cash_units) in enumerate(rejected):
        row = rows[k]
        ts = stamps[number]
        signal = signals.signal(k, ts)
        stateless = not held and (
            signal.direction is Direction.FLAT
            or (signal.direction is Direction.SHORT and not allow_short)
        )
        if stateless and signal.direction in kept:
            rejections.append(SignalRejected(ts, signal, kept[signal.direction]))
            continue
        close = feed.close_price(row)  # exact (an adjusted series: raw x price scale)
        cash = scale.to_decimal(cash_units)
        positions = {symbol: Position(symbol, ZERO + Decimal(held))} if held else {}
        view = PortfolioView(
            ts, cash, cash + Decimal(held) * close, positions, {symbol: close}, None
        )
        decision = router.route(signal, view, instrument, close, row)
        if decision.rejection is None:
            raise FastPathUnsupportedError("the router accepted a signal the loop rejected")
        if stateless:
            kept[signal.direction] = decision.rejection
        rejections.append(SignalRejected(ts, signal, decision.rejection))
    return rejections


def _router(config: RunConfig, instrument: Instrument) -> SignalRouter:
    risk, sizing = config.risk, config.sizing
    return build_router(
        # the run's sizing and cap: sized at the signal, an entry a rule or the sizer leaves
        # nothing of is rejected with their reason
        sizing,
        RiskConfig(allow_short=risk.allow_short, exposure_cap_percent=risk.exposure_cap_percent),
        fees=parse_fee_model(config.execution.commission),
    )
