"""Which runs the fast path may take: a narrow, explicitly listed subset (everything else runs on
the event kernel); tests prove the fast path identical to the event kernel on this subset, every
field of the result by repr (``tests/unit/engine/test_fastpath_equivalence.py``,
``test_fastpath_brackets.py``).

The subset:

- one instrument whose tick is exactly 10**-places, or 0 (no tick grid: an adjusted series,
  whose exact prices are raw x each bar's price scale; ``price_grid`` and ``bracket_grid`` take
  them in units of their own decimals), and whose lot is 1; every bar valid, in whole
  microseconds, each opening no earlier than the previous one closes, opens and closes below
  1e12 and, with a tick, on it (highs and lows may be off the tick: ``bracket_hits`` compares
  them exactly); no quotes, no corporate action inside the bars, every bar inside the trading
  session (``engine.backtest`` checks those three);
- a cash account with the cash check ``trim``; fills at the next open; no volume cap; no fee, a
  percent-of-notional fee, or a per-share fee (with its minimum and maximum percent, if any) for
  plain and bracket signals with entries sized at the signal (``per_share``; every fill, a
  leg's too, pays ``MoneyScale.fee`` of its quantity at its price); no
  slippage or fixed basis points (no spread);
- percent-equity sizing (above 0, at most 100%) decided at the fill (all-in) or at the signal (the
  default), a fixed quantity of whole units or risk per trade (a percent of the equity between the
  signal bar's close and the signal's stop), both at the signal; an entry decided at the signal is
  checked there (at the close) and at the fill price by the position cap (``--max-position-pct``),
  the exposure cap and the cash check, in the router's order, which may trim or cancel it
  (``signal_sizing``); no risk rule (no pyramiding) but a daily loss limit (above 0, at most 100%)
  on plain signals on a tick grid, with or without a holding limit (the day the
  UTC day of the bar's close, its start the equity at the previous day's last close; an entry
  refused at its signal is rejected on a flat book and dropped from a reversal, whose exit goes,
  ``daily_loss``; with brackets or no tick grid it takes the event
  kernel), allowed symbols (the router's second filter, after the minimum confidence: the run's
  symbol among them, it never refuses; else it refuses every signal, exits included, so the loops
  see none and no position is ever opened, ``confidence.confident``), a position cap and an
  exposure cap (the default 80%; with all-in sizing at the fill, each at or above the sizing
  percent, where it never trims), an open-position cap (of one instrument: it never refuses), a
  minimum confidence (the router's first filter: a signal below it is rejected in its words
  whatever the book holds and is not remembered; the loops never see it, ``confidence``) and a
  cooldown (a signal fewer than N bars, by row, after the last accepted signal is rejected in the
  cooldown's words before any other rule is read; accepted: every signal the router does not
  reject, an exit alone included; a bracket's legs work until the first signal of another side out
  of the cooldown, ``bracket_hits.window_ends``) and a holding limit (the exit N bars after the
  entry's fill bar, submitted at that bar's close before its signals are routed, filled at the next
  open, replaced by a signal's own exit on that bar, ``holding``), plain signals and brackets, on a
  tick grid and on no tick grid (the exits' possible fill opens join ``price_grid`` and
  ``bracket_grid``); with brackets the legs are matched on the due bar first (a leg reaching it
  closes the position and no exit is made), else the exit cancels the legs at that bar's close
  (``bracket_loop._Run.before``);
- signals: one per bar, in bar order, direction -1, 0 or 1, confidence in [0, 1], no entry
  price; a stop and/or a target per signal (NaN: none), finite, and where the signal can open
  a position (a long, or a short with shorts allowed) positive, below 1e12 and, with both, a
  long's stop below its target and a short's above (the order book rejects the entry
  otherwise). A signal with a stop or target is a bracket: a market entry at the next open
  whose stop-loss (a stop order, slipped) and take-profit (a limit, not slipped) legs, rounded
  to the tick against the trader, work from the entry's own bar; the first bar reaching a leg
  closes the position there (at the open when it opens through the leg; a bar reaching both
  legs is a stop-loss unless it opened through the target, and counts in ``ambiguous_bars``);
  an opposite or flat signal closes it at the next open and cancels the legs; a leg on the
  wrong side of the fill trades on the entry's bar, as the event kernel does.

Inside the subset the fast path still gives up (``FastPathUnsupportedError``, the event kernel then
runs the run) where its integers would not reproduce the Decimal ledger: a leg that rounds to no
tick, amounts beyond the Decimal context (10**(prec - 1) money units of the run's context,
``integer_money.exact_limit``: 10**49 at paperdesk's 50 digits), equity at or below zero at an
entry signal, an all-in budget that divides exactly into round lots (with a per-share fee: the
kernel's estimate an exact quotient, for a quantity ending in zero), slippage that differs from the
model, an entry sized at the signal that rounds to zero there or that a fill-time rule trims to
nothing, a cap (exposure or position) that divides exactly into round lots; on no tick grid,
prices of more than 30 decimals (adjusted AAPL's slipped prices take 21, in units of 10**-21,
within the context at 50 digits), a bar's high or low within 1e-9 of a leg, one open value of two
Decimal exponents.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.config import FillTiming, RunConfig, SizeTiming
from paperdesk.data.bar_rule import BarColumns
from paperdesk.domain import AccountKind, CashCheck, Instrument
from paperdesk.engine.fastpath import compiled
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.execution import (
    FixedBasisPoints,
    NoFee,
    NoSlippage,
    PercentOfNotional,
    PerShare,
)
from paperdesk.execution.costs import cost_models

__all__ = ["FastPathUnsupportedError", "fixed_quantity", "is_eligible", "tick_places"]

_LARGEST_PRICE = 1e12  # prices print as plain decimals well below this


def tick_places(instrument: Instrument) -> int | None:
    """Decimal places of a tick of exactly 10**-places (e.g. 0.01), else None."""
    sign, digits, exponent = instrument.tick_size.as_tuple()
    if sign or digits != (1,) or not isinstance(exponent, int) or exponent > 0:
        return None
    return -exponent


def no_tick_grid(instrument: Instrument) -> bool:
    """Whether the instrument trades on no tick grid (tick 0: an adjusted series, whose exact
    prices the fast path takes in units of their own decimals, ``price_grid``)."""
    tick = instrument.tick_size
    return tick.is_finite() and tick == 0


def is_eligible(
    config: RunConfig,
    instrument: Instrument,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
    bars: BarColumns,
    valid: Callable[[], npt.NDArray[np.bool_]],
) -> bool:
    """Whether the fast path reproduces this run (cheap checks, configuration first). ``bars``
    with their times; ``valid`` gives which rows pass the bar rule (``data.bar_rule.valid_rows``
    of ``bars``), asked for only without the compiled loops (which check the rule in their own
    pass over the bars)."""
    return (
        _config_eligible(config, instrument)
        and _signals_eligible(frame, signal_rows, config.risk.allow_short)
        and (config.risk.daily_loss_limit_percent is None or not carries_levels(frame))
        and _columns_eligible(instrument, bars, valid)
    )


def carries_levels(frame: pd.DataFrame) -> bool:
    """Whether any signal sets a stop or a target (a bracket)."""
    if not len(frame):
        return False
    return bool(
        (~np.isnan(frame["stop"].to_numpy(dtype=np.float64))).any()
        or (~np.isnan(frame["target"].to_numpy(dtype=np.float64))).any()
    )


def _columns_eligible(
    instrument: Instrument, bars: BarColumns, valid: Callable[[], npt.NDArray[np.bool_]]
) -> bool:
    """``_bars_eligible`` of ``bars`` and their validity: with the compiled loops in one pass
    that decides the validity too (``compiled._bars_valid_on_grid``), else from ``valid()``."""
    places = tick_places(instrument)
    ts_open_ns, ts_close_ns = bars.ts_open_ns, bars.ts_close_ns
    if ts_open_ns is None or ts_close_ns is None:
        raise ValueError("the fast path checks bars with their times")
    loops = compiled.loaded()
    if loops is None or places is None:
        return _bars_eligible(instrument, bars.opens, bars.closes, valid(), ts_open_ns, ts_close_ns)
    return bool(
        loops.bars_valid_on_grid(
            compiled.as_float64(bars.opens),
            compiled.as_float64(bars.highs),
            compiled.as_float64(bars.lows),
            compiled.as_float64(bars.closes),
            compiled.as_float64(bars.volumes),
            compiled.as_int64(ts_open_ns),
            compiled.as_int64(ts_close_ns),
            10.0**places,
        )
    )


def _config_eligible(config: RunConfig, instrument: Instrument) -> bool:
    execution, risk, sizing = config.execution, config.risk, config.sizing
    on_grid = tick_places(instrument) is not None or no_tick_grid(instrument)
    if not on_grid or repr(instrument.lot_size) != "Decimal('1')":
        return False
    if execution.spread_pips is not None:
        return False
    try:
        costs = cost_models(execution, (instrument,))
    except Exception:  # the event path reports a bad option
        return False
    fee_model, slippage = costs.fees, costs.slippage
    bps = execution.slippage_bps
    if not bps.is_finite() or not 0 <= bps < 10_000:
        return False
    percent = sizing.percent
    account = config.account
    return (
        account.kind is AccountKind.CASH
        and account.cash_check is CashCheck.TRIM
        and execution.fill_timing is FillTiming.NEXT_OPEN
        and execution.volume_cap is None
        and _fee_eligible(fee_model, sizing.timing)
        and type(slippage) in (NoSlippage, FixedBasisPoints)
        and 0.0 <= risk.min_confidence <= 1.0
        and risk.cooldown_bars >= 0
        and risk.pyramiding is False
        and _cap_eligible(risk.exposure_cap_percent, percent, sizing.timing)
        and _cap_eligible(risk.max_position_percent, percent, sizing.timing)
        and _open_positions_eligible(risk.max_open_positions)
        and _daily_loss_eligible(config, instrument)
        and _sizing_eligible(config, instrument)
        and config.cash.is_finite()
        and config.cash > 0
    )


def _daily_loss_eligible(config: RunConfig, instrument: Instrument) -> bool:
    """No daily loss limit, or one between 0 (excluded) and 100 on a tick grid (and plain
    signals: ``is_eligible``)."""
    limit = config.risk.daily_loss_limit_percent
    if limit is None:
        return True
    return (
        limit.is_finite()
        and Decimal(0) < limit <= Decimal(100)
        and tick_places(instrument) is not None
    )


def _fee_eligible(fee_model: object, timing: SizeTiming) -> bool:
    """No fee or a percent of the notional; a per-share fee (its minimum and maximum percent
    too) with entries sized at the signal (the loop of ``signal_sizing`` takes any fee; the
    all-in loops one linear in the notional)."""
    if type(fee_model) is PerShare:
        return timing is SizeTiming.SIGNAL
    return type(fee_model) in (NoFee, PercentOfNotional)


def _cap_eligible(cap: Decimal | None, percent: Decimal, timing: SizeTiming) -> bool:
    """No exposure (or position) cap, or a positive one: sized at the signal, the cap is checked
    at the signal and at the fill (``signal_sizing``); all-in at the fill, only one at or above
    the sizing percent, which never trims (the book is flat once the exit is counted, so the
    room is the whole cap, and the budget is the same equity's smaller share)."""
    if cap is None:
        return True
    if not cap.is_finite() or cap <= 0:
        return False
    return timing is SizeTiming.SIGNAL or cap >= percent


def _open_positions_eligible(count: int | None) -> bool:
    """No open-position cap, or one of 1 or more (``MaxOpenPositions``), which never refuses an
    entry of the one instrument: it passes an entry to a symbol already held, and the book is
    flat at any other (no pyramiding; a reversal's entry counts the exit first), so no position
    is open."""
    return count is None or count >= 1


def _sizing_eligible(config: RunConfig, instrument: Instrument) -> bool:
    """Percent-equity sizing (above 0, at most 100%) at the fill or at the signal, a fixed
    quantity (whole units) or risk per trade (a positive percent of the equity to the signal's
    stop), both at the signal (the only timing they take)."""
    sizing = config.sizing
    if sizing.method == "fixed":
        return sizing.timing is SizeTiming.SIGNAL and fixed_quantity(config, instrument) is not None
    if sizing.method == "risk":
        risk = sizing.risk_percent
        return sizing.timing is SizeTiming.SIGNAL and risk.is_finite() and risk > 0
    percent = sizing.percent
    return (
        sizing.method == "percent-equity"
        and sizing.timing in (SizeTiming.FILL, SizeTiming.SIGNAL)
        and percent.is_finite()
        and Decimal(0) < percent <= Decimal(100)
    )


def fixed_quantity(config: RunConfig, instrument: Instrument) -> int | None:
    """The fixed sizer's quantity in whole units (``round_quantity``, lot 1) when the run sizes
    so and that Decimal is a plain positive whole number (else its exponent would show)."""
    sizing = config.sizing
    if sizing.method != "fixed" or not sizing.quantity.is_finite():
        return None
    quantity = instrument.round_quantity(sizing.quantity)
    if quantity <= 0 or quantity >= 10**15 or repr(quantity) != repr(Decimal(int(quantity))):
        return None
    return int(quantity)


def _signals_eligible(
    frame: pd.DataFrame, signal_rows: npt.NDArray[np.intp], allow_short: bool
) -> bool:
    """No entry prices; stops and targets NaN or finite, and where a signal can open a position
    (a long, or a short when shorts are allowed) positive, below 1e12 and, when both are set,
    on their sides of each other (else the order book rejects the entry); valid directions and
    confidences; one signal per bar, in bar order (else the event path explains or orders
    them)."""
    if len(frame) == 0:
        return True
    confidences = frame["confidence"].to_numpy(dtype=np.float64)
    directions = frame["direction"].to_numpy()
    entries = frame["entry"].to_numpy(dtype=np.float64) if "entry" in frame else None
    return bool(
        (signal_rows >= 0).all()
        and (np.diff(signal_rows) > 0).all()
        and _levels_eligible(frame, directions, allow_short)
        and (entries is None or np.isnan(entries).all())
        and ((confidences >= 0.0) & (confidences <= 1.0)).all()
        and np.isin(directions, (-1, 0, 1)).all()
    )


def _levels_eligible(frame: pd.DataFrame, directions: npt.NDArray[Any], allow_short: bool) -> bool:
    stops = frame["stop"].to_numpy(dtype=np.float64)
    targets = frame["target"].to_numpy(dtype=np.float64)
    for levels in (stops, targets):  # a signal's levels become Decimals: NaN or finite
        if np.isinf(levels).any():
            return False
    entering = (directions == 1) | ((directions == -1) & allow_short)
    for levels in (stops, targets):
        given = entering & ~np.isnan(levels)
        if not ((levels[given] > 0) & (levels[given] < _LARGEST_PRICE)).all():
            return False
    both = entering & ~np.isnan(stops) & ~np.isnan(targets)
    long = both & (directions == 1)
    short = both & (directions == -1)
    return bool((stops[long] < targets[long]).all() and (stops[short] > targets[short]).all())


def _bars_eligible(
    instrument: Instrument,
    opens: npt.NDArray[np.float64],
    closes: npt.NDArray[np.float64],
    valid: npt.NDArray[np.bool_],
    ts_open_ns: npt.NDArray[np.int64],
    ts_close_ns: npt.NDArray[np.int64],
) -> bool:
    """Every bar valid; each opens no earlier (in microseconds) than the previous one closes, so
    an order submitted at a close fills at the next open; timestamps in whole microseconds after
    the epoch; opens and closes on the tick."""
    places = tick_places(instrument)
    if (places is None and not no_tick_grid(instrument)) or not valid.all():
        return False
    for stamps in (ts_open_ns, ts_close_ns):  # whole microseconds after the epoch
        if len(stamps) and (stamps.min() < 0 or not _whole_microseconds(stamps)):
            return False
    # in whole microseconds, comparing the nanoseconds compares the microseconds
    if not (ts_open_ns[1:] >= ts_close_ns[:-1]).all():
        return False
    for prices in (opens, closes):
        if len(prices) and not prices.max() < _LARGEST_PRICE:  # NaN is not below it either
            return False
    if places is None:  # no tick: the exact prices in units of their own decimals
        return True
    scale = 10.0**places
    for prices in (opens, closes):
        on_tick = prices * scale
        np.rint(on_tick, out=on_tick)
        on_tick /= scale
        if not np.array_equal(on_tick, prices):
            return False
    return True


def _whole_microseconds(stamps: npt.NDArray[np.int64]) -> bool:
    """Whether every stamp is a multiple of 1,000 (a division by a constant is cheaper than
    NumPy's remainder)."""
    whole = stamps // 1000
    whole *= 1000
    return np.array_equal(whole, stamps)
