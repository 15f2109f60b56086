"""The simulator and the engine agree: a bracket entered at the same time with the same levels
leaves at the same candle, by the same leg, at the same price, on real SPY hours.

The engine side is the order book and the simulated venue driven bar by bar as the kernel drives
them (a DAY entry, its stop-loss and take-profit legs, 5 bps slippage, a per-share fee); the
simulator gets the same candles, a max hold longer than the window (no timeout), no EOD close.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import (
    Instrument,
)
from paperdesk.execution import FixedBasisPoints, PerShare
from paperdesk.execution.costs import CostModels

from ._bundled import candles
from ._venue import assert_bracket_matches

WINDOW = 30  # candles after the entry time: a bracket still open after them is left open
SPY = Instrument.equity("SPY")
COSTS = CostModels(PerShare(Decimal("0.005"), Decimal("1")), FixedBasisPoints(Decimal(5)))
BARS = candles("SPY", "1h", "2019-01-02", "2019-06-28")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    start=st.integers(min_value=0, max_value=len(BARS) - WINDOW - 1),
    long=st.booleans(),
    market=st.booleans(),
    entry_offset=st.integers(min_value=-40, max_value=40),  # cents from the candle's open
    stop_distance=st.integers(min_value=5, max_value=400),  # cents from the entry price
    target_distance=st.integers(min_value=5, max_value=400),
)
def test_simulator_and_engine_agree_on_a_brackets_exit(
    start: int,
    long: bool,
    market: bool,
    entry_offset: int,
    stop_distance: int,
    target_distance: int,
) -> None:
    window = BARS[start : start + WINDOW]
    first = window[0]
    cent = Decimal("0.01")
    entry_price = first.open + entry_offset * cent
    sign = 1 if long else -1
    stop = entry_price - sign * stop_distance * cent
    target = entry_price + sign * target_distance * cent
    assert_bracket_matches(
        window, SPY, COSTS, Decimal(10), (entry_price, stop, target), long, market
    )
