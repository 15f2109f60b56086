"""A day's trade plan made by a registered strategy from the daily bars known at the previous
session's close (walk-forward with ``--strategy``).

The rule, written out in docs/walk-forward.md:

- the strategy sees each symbol's daily bars closing at or before ``as_of`` (the caller cuts
  them; nothing later exists for it); a signal on the last of them (the previous session's
  bar) becomes one plan row, long for direction 1, short for -1; a flat signal, or none, no row;
- ``entry_price``: the previous session's close (a limit order at that price, a DAY order
  from the plan on: the day's first candle); ``stop_loss`` and ``take_profit``: the signal's
  stop and target, rounded to the tick (a level on the wrong side of the entry is left out,
  and the note says so);
- a symbol whose last known daily bar is not the previous session's (it closed by the close
  of the session before that, ``day.previous_from``: the data ends, or misses the previous
  session) gets no row: a plan priced at an old close is not the previous session's plan, and
  the note says which bar was the last;
- ``strength``: the signal's confidence (4 decimals);
- ``etth_days`` (expected time to hit): the distance to the target over the mean daily range
  (high - low) of the last ``RANGE_BARS`` bars: how many average days the move takes; without
  a target, the maximum hold (the trade ends by time);
- ``qty``: whole lots of ``equity x position fraction / number of symbols`` at the entry price
  (the mode's exposure cap still applies afterwards).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import numpy as np
import pandas as pd

from paperdesk.analysis.strategies.base import Strategy
from paperdesk.data.instruments import instrument_for
from paperdesk.domain import Side
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.wf_days import TradingDay

RANGE_BARS = 14
_FOUR_PLACES = Decimal("0.0001")
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class GeneratedPlan:
    """The rows a strategy made for one day, and a note per symbol saying why (or why not)."""

    rows: tuple[PlanRow, ...]
    notes: dict[str, str]


def plan_from_strategy(
    strategy: Strategy[Any],
    histories: Mapping[str, pd.DataFrame],
    day: TradingDay,
    equity: Decimal,
    position_fraction: Decimal,
    max_hold_days: Decimal,
) -> GeneratedPlan:
    """One row per symbol whose last known daily bar carries a long or short signal (see the
    module docstring). ``histories`` are the symbols' daily bars as of ``day.as_of`` (the
    caller cuts them; ``day`` is checked against them)."""
    for symbol, history in histories.items():
        if len(history) and history["ts_close"].iloc[-1] > day.as_of:
            raise ValueError(f"{symbol}: a daily bar closing after {day.as_of} was given")
    rows: list[PlanRow] = []
    notes: dict[str, str] = {}
    symbols: Sequence[str] = sorted(histories)
    budget = equity * position_fraction / Decimal(max(len(symbols), 1))
    for symbol in symbols:
        history = histories[symbol]
        if history.empty:
            notes[symbol] = "no daily bars known yet"
            continue
        last_label = history.index[-1]
        last_close = history["ts_close"].iloc[-1]
        if last_close <= day.previous_from:
            notes[symbol] = (
                f"no daily bar of the session before {day.name}: the last known is of "
                f"{last_label.date().isoformat()} (closed {last_close.isoformat()}); no plan "
                "from an old close"
            )
            continue
        signals = strategy.signals(history)
        if signals.empty or signals.index[-1] != last_label:
            notes[symbol] = f"no signal on the bar of {last_label.date().isoformat()}"
            continue
        signal = signals.iloc[-1]
        direction = int(signal["direction"])
        if direction == 0:
            notes[symbol] = f"flat signal: {signal['reason']}"
            continue
        row, note = _row(len(rows) + 1, symbol, history, signal, direction, budget, max_hold_days)
        notes[symbol] = note
        if row is not None:
            rows.append(row)
    return GeneratedPlan(tuple(rows), notes)


def _row(
    number: int,
    symbol: str,
    history: pd.DataFrame,
    signal: pd.Series,
    direction: int,
    budget: Decimal,
    max_hold_days: Decimal,
) -> tuple[PlanRow | None, str]:
    instrument = instrument_for(symbol)
    side = Side.BUY if direction > 0 else Side.SELL
    entry = instrument.round_price(Decimal(repr(float(history["close"].iloc[-1]))))
    quantity = instrument.round_quantity(budget / entry)
    if quantity <= 0:
        return None, f"{side.value} signal, but not one lot fits {budget:.2f} at {entry}"
    notes = [f"{side.value} signal: {signal['reason']}"]
    stop = _level(signal["stop"], instrument)
    target = _level(signal["target"], instrument)
    long = side is Side.BUY
    if stop is not None and (stop >= entry if long else stop <= entry):
        notes.append(f"stop {stop} on the wrong side of the entry {entry}: left out")
        stop = None
    if target is not None and (target <= entry if long else target >= entry):
        notes.append(f"target {target} on the wrong side of the entry {entry}: left out")
        target = None
    strength = Decimal(repr(float(signal["confidence"]))).quantize(_FOUR_PLACES)
    return (
        PlanRow(
            row=number,
            ticker=symbol,
            side=side,
            qty=quantity,
            entry_price=entry,
            take_profit=target,
            stop_loss=stop,
            strength=min(max(strength, Decimal(0)), Decimal(1)),
            etth_days=expected_days(history, entry, target, max_hold_days),
            entry_datetime=None,  # the walk-forward enters from the day's first candle
        ),
        "; ".join(notes),
    )


def expected_days(
    history: pd.DataFrame, entry: Decimal, target: Decimal | None, max_hold_days: Decimal
) -> Decimal:
    """The distance to the target in mean daily ranges of the last ``RANGE_BARS`` bars (at
    least 0.01 day); the maximum hold without a target or without a range."""
    if target is None:
        return max_hold_days
    recent = history.iloc[-RANGE_BARS:]
    ranges = (recent["high"] - recent["low"]).to_numpy(dtype=np.float64)
    mean_range = float(ranges.mean()) if ranges.size else math.nan
    if not math.isfinite(mean_range) or mean_range <= 0:
        return max_hold_days
    days = Decimal(repr(abs(float(target - entry)) / mean_range))
    return max(days.quantize(_HUNDREDTH, rounding=ROUND_FLOOR), _HUNDREDTH)


def _level(value: object, instrument: Any) -> Decimal | None:
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or number <= 0:
        return None
    rounded: Decimal = instrument.round_price(Decimal(repr(number)))
    return rounded
