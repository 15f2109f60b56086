"""A kernel with its unread events off (``quiet_events``, as the backtest driver runs it) books,
cancels, trims and fills exactly as one with every event on (live trading's): the events the
kernel reads itself (the venue's cancels, the trims at the fill) are still there, the others
(signals accepted; orders accepted, filled, and canceled by a command or a bracket) are not."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from engine_builders import Scripted, make_bars, make_config
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_feed import feed_kernel, spy_kernel

from paperdesk.config import ExecutionConfig, RiskConfig
from paperdesk.domain import (
    CashOverdrawn,
    Direction,
    Event,
    Instrument,
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    SignalAccepted,
)
from paperdesk.engine.backtest import simulate
from paperdesk.engine.kernel import TradingKernel

D = Decimal
TEST = Instrument.equity("TEST", calendar="24/7")
# a fill's position events and its overdraft go with ``quiet_positions`` (the overdraft is
# recorded in ``overdrafts`` all the same, compared below)
UNREAD = (
    CashOverdrawn,
    SignalAccepted,
    OrderAccepted,
    OrderFilled,
    PositionOpened,
    PositionChanged,
    PositionClosed,
)
# the cancels a command or a bracket makes (the venue's own keep their events)
COMMANDED = ("replaced by a new exit", "bracket leg ", "one-cancels-other: ")


@dataclass(frozen=True)
class Script:
    """Bars (open, high, low, close, volume) and the signal at each close, and the run's rules."""

    bars: list[tuple[int, int, int, int, int]]
    wishes: list[tuple[Direction, int | None, int | None] | None]
    close_fills: bool
    volume_cap: bool
    exposure_cap: bool


@st.composite
def scripts(draw: st.DrawFn) -> Script:
    count = draw(st.integers(8, 30))
    bars: list[tuple[int, int, int, int, int]] = []
    wishes: list[tuple[Direction, int | None, int | None] | None] = []
    close = 100
    for _ in range(count):
        open_ = max(close + draw(st.integers(-3, 3)), 10)
        close = max(open_ + draw(st.integers(-4, 4)), 10)
        high = max(open_, close) + draw(st.integers(0, 3))
        low = min(open_, close) - draw(st.integers(0, 3))
        bars.append((open_, high, low, close, draw(st.sampled_from([1, 40, 1000]))))
        direction = draw(st.sampled_from([None, None, *Direction]))
        if direction is None:
            wishes.append(None)
            continue
        bracket = direction is not Direction.FLAT and draw(st.booleans())
        sign = 1 if direction is Direction.LONG else -1
        stop = close - sign * draw(st.integers(1, 4)) if bracket else None
        target = close + sign * draw(st.integers(1, 5)) if bracket else None
        wishes.append((direction, stop, target))
    return Script(bars, wishes, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))


def kernel(script: Script) -> TradingKernel:
    return spy_kernel(
        D(95),
        RiskConfig(allow_short=True, exposure_cap_percent=D(60) if script.exposure_cap else None),
        ExecutionConfig(
            slippage_bps=D(5),
            commission="percent:0.1",
            fill_timing="close" if script.close_fills else "next-open",
            volume_cap=D("0.5") if script.volume_cap else None,
        ),
    )


def feed(trading: TradingKernel, script: Script) -> list[Event]:
    return feed_kernel(trading, list(zip(script.bars, script.wishes, strict=True)))


def read_by_the_kernel(events: list[Event]) -> list[Event]:
    """``events`` without the ones a quiet kernel does not build: a pending leg canceled with
    its parent goes with the parent's cancel, kept when the venue canceled the parent."""
    kept: list[Event] = []
    dropped: set[str] = set()
    for event in events:
        if isinstance(event, UNREAD):
            continue
        if isinstance(event, OrderCanceled):
            parent = event.order.parent_id
            commanded = event.reason.startswith(COMMANDED)
            if commanded or (parent in dropped and event.reason.startswith("parent ")):
                dropped.add(event.order.order_id)
                continue
        kept.append(event)
    return kept


@settings(max_examples=120, deadline=None)
@given(scripts())
def test_a_quiet_kernel_trades_as_a_loud_one_and_keeps_the_events_it_reads(
    script: Script,
) -> None:
    loud, quiet = kernel(script), kernel(script)
    quiet.quiet_events()
    loud_events, quiet_events = feed(loud, script), feed(quiet, script)

    assert read_by_the_kernel(loud_events) == quiet_events
    assert quiet.orders.all_orders() == loud.orders.all_orders()
    assert quiet.ledger.fills == loud.ledger.fills
    assert quiet.ledger.trades == loud.ledger.trades
    assert quiet.ledger.state() == loud.ledger.state()
    assert quiet.adjustments == loud.adjustments
    assert quiet.rejections == loud.rejections
    assert quiet.overdrafts == loud.overdrafts
    assert [event for event in loud_events if isinstance(event, CashOverdrawn)] == loud.overdrafts
    assert quiet.entry_bar == loud.entry_bar
    quiet.ledger.check_invariants()


def test_a_backtest_runs_its_kernel_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Event] = []
    on_bar = TradingKernel.on_bar

    def spy(self: TradingKernel, *arguments: Any) -> list[Event]:
        events = on_bar(self, *arguments)
        seen.extend(events)
        return events

    monkeypatch.setattr(TradingKernel, "on_bar", spy)
    bars = make_bars([(100 + i, 101 + i, 99 + i, 100.5 + i) for i in range(12)])
    # a long with a stop and a target, a reversal to short, a flat exit
    script = {1: (1, 95.0, 120.0), 4: -1, 8: 0}
    risk = RiskConfig(allow_short=True, exposure_cap_percent=None)
    result = simulate(bars, Scripted(script), make_config(risk=risk), TEST, engine="event")

    assert len(result.fills) >= 4  # the entry, the reversal's two fills, the exit
    assert seen == []  # nothing but unread events happened: none was built
