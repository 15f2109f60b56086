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

TEST = Instrument.equity("TEST", calendar="24/7")
BARS = make_bars([(100 + i, 101 + i, 99 + i, 100.5 + i) for i in range(12)])
SHORTS = RiskConfig(allow_short=True, exposure_cap_percent=None)
# a long with a stop and a target, a reversal to short, a flat exit
SCRIPT = {1: (1, 95.0, 120.0), 4: -1, 8: 0}


pytestmark = pytest.mark.usefixtures("collector_restored")


class _Spy:
    """A progress callback (called by the driver inside its loop, at the bars it visits) that
    records the collector's state at each call, raising at the first row from ``fail_at`` on.
    Interpreted code the driver calls, so it sees the loop's state whether the kernel is
    compiled or not (a patched method of a compiled class would never be called)."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.seen: list[bool] = []
        self.fail_at = fail_at

    def __call__(self, done: int, total: int) -> None:
        self.seen.append(gc.isenabled())
        if self.fail_at is not None and self.fail_at <= done < total:
            raise RuntimeError("the kernel failed")


def _run(spy: _Spy) -> Any:
    return simulate(
        BARS, Scripted(SCRIPT), make_config(risk=SHORTS), TEST, progress=spy, engine="event"
    )


def test_the_collector_is_off_at_every_bar_and_on_again_after() -> None:
    spy = _Spy()
    gc.enable()
    result = _run(spy)
    assert len(result.fills) >= 4  # the entry, the reversal's two fills, the exit
    assert len(spy.seen) >= 4
    assert not any(spy.seen)
    assert gc.isenabled()


def test_the_collector_is_on_again_when_the_run_fails() -> None:
    spy = _Spy(fail_at=4)
    gc.enable()
    with pytest.raises(RuntimeError, match="the kernel failed"):
        _run(spy)
    assert spy.seen
    assert not any(spy.seen)
    assert gc.isenabled()
