"""The fast path's rejections of entries its sizer sizes to nothing on a flat book ("size rounds
to zero", the default long-only run's other half): the first is routed, and when the router's
reason is ``router.size_rounds_to_zero``'s words, the rest are worded so without routing; the
reasons equal the event kernel's."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import RiskConfig, RunConfig
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import simulate
from paperdesk.routing.router import SignalRouter

TEST = Instrument.equity("TEST", calendar="24/7")


def walk(count: int, seed: int, start: float = 100.0) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    close = np.round(start * np.exp(np.cumsum(generator.normal(0, 0.004, count))), 2)
    open_ = np.r_[start, close[:-1]]
    index = pd.date_range("2024-01-02", periods=count, freq="1min", tz="UTC")
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) + 0.02,
            "low": np.minimum(open_, close) - 0.02,
            "close": close,
            "volume": np.full(count, 1000.0),
        },
        index=index,
    )
    frame["ts_close"] = index + pd.Timedelta(minutes=1)
    frame.attrs.update(symbol="TEST", timeframe="1m")
    return frame


@pytest.mark.parametrize(
    ("cash", "allow_short", "seed"),
    [
        ("110", False, 1),
        ("130", False, 2),
        ("125", False, 3),
        ("10000", False, 4),
        ("95.5", True, 5),
    ],
)
def test_the_reasons_are_the_event_kernel_s(
    cash: str, allow_short: bool, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = walk(3000, seed)
    config = RunConfig(
        strategy="sma-cross",
        symbol="TEST",
        timeframe="1m",
        cash=Decimal(cash),
        risk=RiskConfig(allow_short=allow_short),
    )
    strategy = create_strategy("sma-cross")
    event = simulate(bars, strategy, config, TEST, engine="event")
    routed = []
    route = SignalRouter.route

    def counted(self: SignalRouter, *arguments: object, **options: object) -> object:
        routed.append(1)
        return route(self, *arguments, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(SignalRouter, "route", counted)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert repr(fast.rejections) == repr(event.rejections)
    assert repr(fast.fills) == repr(event.fills)
    unsized = [r for r in fast.rejections if "size rounds to zero" in r.reason]
    if cash == "110":  # every long sized to nothing, every short refused (kept per direction)
        assert len(unsized) > 20
        assert len(routed) == 2  # the first of each: the rest worded without the router


@pytest.mark.parametrize(("cash", "seed"), [("110", 6), ("150", 7), ("10000", 8)])
def test_a_bracket_run_s_reasons_are_the_event_kernel_s(
    cash: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macd-cross with its ATR stop and target, sized at the signal (the default)."""
    bars = walk(3000, seed)
    config = RunConfig(strategy="macd-cross", symbol="TEST", timeframe="1m", cash=Decimal(cash))
    strategy = create_strategy("macd-cross", {"stop_atr": 2.0, "target_atr": 3.0})
    event = simulate(bars, strategy, config, TEST, engine="event")
    routed = []
    route = SignalRouter.route

    def counted(self: SignalRouter, *arguments: object, **options: object) -> object:
        routed.append(1)
        return route(self, *arguments, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(SignalRouter, "route", counted)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert repr(fast.rejections) == repr(event.rejections)
    assert repr(fast.fills) == repr(event.fills)
    if cash == "110":
        unsized = [r for r in fast.rejections if "size rounds to zero" in r.reason]
        assert len(unsized) > 20
        assert len(routed) <= 3  # the first of each kind
