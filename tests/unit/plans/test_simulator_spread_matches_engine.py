"""Under a forex spread (``--spread-pips``) the simulator and the engine's venue (what a
backtest trades through) agree: a bracket entered at the same time with the same levels fills
its entry and leaves at the same candle, by the same leg, at the same price, on real EURUSD
hours (the Lean/Oanda sample). Limits trade the ask (buys) or the bid (sells); market-like
fills pay the half spread as slippage."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.instruments import instrument_for
from paperdesk.execution.costs import costs_of

from ._bundled import candles
from ._venue import assert_bracket_matches

WINDOW = 30
EURUSD = instrument_for("EURUSD")
PIP = Decimal("0.0001")
COSTS = costs_of("per-lot:7", Decimal(5), Decimal("1.5"), [EURUSD])
BARS = candles("EURUSD", "1h", "2018-03-01", "2018-05-31")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    start=st.integers(min_value=0, max_value=len(BARS) - WINDOW - 1),
    long=st.booleans(),
    market=st.booleans(),
    entry_offset=st.integers(min_value=-15, max_value=15),  # pips from the candle's open
    stop_distance=st.integers(min_value=2, max_value=60),  # pips from the entry price
    target_distance=st.integers(min_value=2, max_value=60),
)
def test_simulator_and_venue_agree_under_a_spread(
    start: int,
    long: bool,
    market: bool,
    entry_offset: int,
    stop_distance: int,
    target_distance: int,
) -> None:
    window = BARS[start : start + WINDOW]
    first = window[0]
    # levels on the tick, as a plan quotes them (the Oanda mid prices hold half ticks)
    entry_price = (first.open + entry_offset * PIP).quantize(EURUSD.tick_size)
    sign = 1 if long else -1
    stop = entry_price - sign * stop_distance * PIP
    target = entry_price + sign * target_distance * PIP
    assert_bracket_matches(
        window, EURUSD, COSTS, Decimal(100000), (entry_price, stop, target), long, market
    )


HALF_TICK = EURUSD.tick_size / 2


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    start=st.integers(min_value=0, max_value=len(BARS) - WINDOW - 1),
    long=st.booleans(),
    stop_distance=st.integers(min_value=2, max_value=60),  # pips from the candle's open
    target_distance=st.integers(min_value=2, max_value=60),
    stop_off=st.sampled_from((-1, 1)),  # half a tick below or above the tick
    target_off=st.sampled_from((-1, 1)),
)
def test_levels_off_the_tick_are_rounded_against_the_trader_as_the_engine_does(
    start: int, long: bool, stop_distance: int, target_distance: int, stop_off: int,
    target_off: int,
) -> None:  # fmt: skip
    # a plan may quote levels off the tick (the Oanda mid prices hold half ticks): the engine
    # places its legs rounded to the tick against the trader, so the simulator must trigger
    # and fill at those prices, not at the quoted ones
    window = BARS[start : start + WINDOW]
    first = window[0]
    entry_price = first.open.quantize(EURUSD.tick_size)
    sign = 1 if long else -1
    stop = entry_price - sign * stop_distance * PIP + stop_off * HALF_TICK
    target = entry_price + sign * target_distance * PIP + target_off * HALF_TICK
    assert_bracket_matches(
        window, EURUSD, COSTS, Decimal(100000), (entry_price, stop, target), long, True
    )
