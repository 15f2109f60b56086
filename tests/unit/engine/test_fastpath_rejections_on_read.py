"""The fast path's rejections: their reasons decided with the run (each kind of reason routed or
worded once), their ``Signal`` and ``SignalRejected`` objects made when first read, by repr
the event kernel's."""

from __future__ import annotations

import gc
from decimal import Decimal

import pandas as pd
import pytest
from engine_builders import make_bars
from test_fastpath_signal_filters import Confident

from paperdesk.config import RiskConfig, RunConfig, SizingConfig
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult, Deferred
from paperdesk.routing import filters
from paperdesk.routing.router import SignalRouter

TEST = Instrument.equity("TEST", calendar="24/7")
_BARS = make_bars([(100.37 + i, 101.37 + i, 99.37 + i, 100.37 + i) for i in range(40)])
# long at row 0, then repeats of the long (pyramiding's words), an exit, shorts with shorts
# off and flat signals with nothing to close (on a flat book), the long again and its repeats;
# some below the minimum confidence, some inside the cooldown
_SCRIPT = {0: 1, 2: 1, 3: 1, 5: 1, 6: 1, 8: 0, 9: -1, 11: -1, 12: 0, 14: 0, 17: -1, 19: -1}
_SCRIPT |= {21: 1, 22: 1} | dict.fromkeys(range(24, 39, 2), 1)
_CONFIDENCES = {3: 0.25, 6: 0.25, 11: 0.1, 26: 0.25}
_CONFIG = RunConfig(
    strategy="scripted",
    symbol="TEST",
    timeframe="1h",
    sizing=SizingConfig(method="fixed", quantity=Decimal(5)),
    risk=RiskConfig(min_confidence=0.3, cooldown_bars=2),
)


def _stored(result: BacktestResult, name: str) -> object:
    """What the field's slot holds, without resolving it."""
    return type(result).__dict__[name]._slot.__get__(result, type(result))


def _run(engine: str) -> BacktestResult:
    return simulate(_BARS, Confident(_SCRIPT, _CONFIDENCES), _CONFIG, TEST, engine=engine)


def test_the_rejections_are_made_on_first_read_as_the_event_kernel_makes_them() -> None:
    fast, slow = _run("fastpath"), _run("event")
    assert type(_stored(fast, "rejections")) is Deferred
    enabled = gc.isenabled()
    rejections = fast.rejections  # made here, the collector paused and restored
    assert gc.isenabled() is enabled
    assert type(_stored(fast, "rejections")) is tuple
    assert rejections is fast.rejections
    assert repr(rejections) == repr(slow.rejections)
    assert len(rejections) > 10


def test_each_kind_of_reason_is_routed_or_worded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The repeats of the long held (5 units each time) are routed once, as are the first short
    with shorts off and the first flat signal with nothing to close; the cooldown words each
    distinct count of bars once, the minimum confidence each confidence once."""
    slow = _run("event")
    calls = {"route": 0, "cooldown": 0, "confidence": 0}
    route = SignalRouter.route
    cooldown = filters.Cooldown.allow
    confidence = filters.MinimumConfidence.allow

    def counted_route(self: SignalRouter, *arguments: object, **options: object) -> object:
        calls["route"] += 1
        return route(self, *arguments, **options)  # type: ignore[arg-type]

    def counted_cooldown(self: filters.Cooldown, *arguments: object) -> str | None:
        calls["cooldown"] += 1
        return cooldown(self, *arguments)  # type: ignore[arg-type]

    def counted_confidence(self: filters.MinimumConfidence, *arguments: object) -> str | None:
        calls["confidence"] += 1
        return confidence(self, *arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(SignalRouter, "route", counted_route)
    monkeypatch.setattr(filters.Cooldown, "allow", counted_cooldown)
    monkeypatch.setattr(filters.MinimumConfidence, "allow", counted_confidence)
    fast = _run("fastpath")
    reasons = pd.Series([rejection.reason for rejection in fast.rejections])
    assert repr(fast.rejections) == repr(slow.rejections)
    counts = {
        words: int(reasons.str.startswith(words).sum())
        for words in (
            "already long 5 TEST",
            "short selling is disabled",
            "no open position",
            "cooldown: 1 bars",
            "confidence 0.25",
            "confidence 0.10",
        )
    }
    assert counts == {
        "already long 5 TEST": 9,
        "short selling is disabled": 2,
        "no open position": 2,
        "cooldown: 1 bars": 2,
        "confidence 0.25": 3,
        "confidence 0.10": 1,
    }
    # one route each: the repeat of the long, the short with shorts off, the flat signal
    assert calls == {"route": 3, "cooldown": 1, "confidence": 2}
