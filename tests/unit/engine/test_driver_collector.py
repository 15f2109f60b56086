"""The backtest driver pauses Python's cyclic garbage collector while it walks the bars on the
event kernel (the kernel's objects hold no cycles; the collector walked every object the run
keeps again and again), and turns it on again after, an error included."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from engine_builders import Scripted, make_bars, make_config

from paperdesk.config import RiskConfig
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import simulate
from paperdesk.engine.kernel import TradingKernel

TEST = Instrument.equity("TEST", calendar="24/7")
BARS = make_bars([(100 + i, 101 + i, 99 + i, 100.5 + i) for i in range(12)])
SHORTS = RiskConfig(allow_short=True, exposure_cap_percent=None)
# a long with a stop and a target, a reversal to short, a flat exit
SCRIPT = {1: (1, 95.0, 120.0), 4: -1, 8: 0}


pytestmark = pytest.mark.usefixtures("collector_restored")


def _spy_on_bars(monkeypatch: pytest.MonkeyPatch, *, fail_at: int | None = None) -> list[bool]:
    """The collector's state at each bar the kernel is given (raising at row ``fail_at``)."""
    seen: list[bool] = []
    on_bar = TradingKernel.on_bar

    def spy(
        self: TradingKernel, bar: Any, signals: Any = (), bar_index: int = 0, *rest: Any
    ) -> Any:
        seen.append(gc.isenabled())
        if bar_index == fail_at:
            raise RuntimeError("the kernel failed")
        return on_bar(self, bar, signals, bar_index, *rest)

    monkeypatch.setattr(TradingKernel, "on_bar", spy)
    return seen


def _run() -> Any:
    return simulate(BARS, Scripted(SCRIPT), make_config(risk=SHORTS), TEST, engine="event")


def test_the_collector_is_off_at_every_bar_and_on_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _spy_on_bars(monkeypatch)
    gc.enable()
    result = _run()
    assert len(result.fills) >= 4  # the entry, the reversal's two fills, the exit
    assert seen
    assert not any(seen)
    assert gc.isenabled()


def test_the_collector_is_on_again_when_the_run_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _spy_on_bars(monkeypatch, fail_at=4)
    gc.enable()
    with pytest.raises(RuntimeError, match="the kernel failed"):
        _run()
    assert seen
    assert not any(seen)
    assert gc.isenabled()
