"""The fast path for signals that carry a stop and/or a target: runs the bracket loop
(``bracket_loop``), then settles what every result carries (exact final cash and equity, the
curve, the statistics, the rejections, ``ambiguous_bars``) from its integer orders, leaving the
orders, fills and trades to be built when first read. Tests prove the results identical to the
event kernel's."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analytics.conventions import Conventions
from paperdesk.config import RunConfig
from paperdesk.domain import (
    ZERO,
    Instrument,
    to_decimal,
)
from paperdesk.engine.fastpath import compiled
from paperdesk.engine.fastpath.bracket_grid import BracketGrid
from paperdesk.engine.fastpath.bracket_hits import first_hits, window_ends
from paperdesk.engine.fastpath.bracket_levels import leg_levels
from paperdesk.engine.fastpath.bracket_loop import (
    CANCELED,
    ENTRY,
    FEE,
    FILLED,
    KIND,
    QUANTITY,
    SIDE,
    STATUS,
    TICKS,
    UPDATED,
    BracketHolding,
    BracketRecord,
    SignalBars,
    run_bracket_loop,
)
from paperdesk.engine.fastpath.bracket_objects import BracketObjects
from paperdesk.engine.fastpath.bracket_prices import BracketFillPrices
from paperdesk.engine.fastpath.columns import (
    NOTHING_FITS,
    datetimes,
    exponent,
    units_to_floats,
)
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.holding import holding_reason
from paperdesk.engine.fastpath.inputs import BarHistory, ExplainRejections, WordTrims
from paperdesk.engine.fastpath.integer_money import (
    MoneyScale,
    exact_limit,
    slipped_tick_array,
    slipped_ticks,
)
from paperdesk.engine.fastpath.per_share import Sizer
from paperdesk.engine.fastpath.signal_sizing import SignalSizing
from paperdesk.engine.fastpath.vectorised import target_sides
from paperdesk.engine.result import BacktestResult, Deferred, assemble_result
from paperdesk.execution import FeeModel, NoFee, SlippageModel


def run_bracket_path(
    config: RunConfig,
    instrument: Instrument,
    feed: BarHistory,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
    strategy_name: str,
    explain_rejections: ExplainRejections,
    conventions: Conventions | None,
    *,
    word_trims: WordTrims,
    places: int,
    fee_model: FeeModel,
    slippage: SlippageModel,
    scale: MoneyScale,
    fraction: Decimal,
    sizer: Sizer,
    at_signal: SignalSizing | None,
    starting_cash: int,
    grid: BracketGrid | None = None,
    signal_count: int | None = None,
) -> BacktestResult:
    """The result of an eligible run whose signals carry stops or targets (see ``eligibility``),
    equal to the event kernel's. Raises ``FastPathUnsupportedError`` where the loop cannot
    reproduce it. ``grid``: the prices on no tick grid in units of ``places`` (``bracket_grid``;
    else the floats on the tick). ``signal_count``: the strategy's signals, when the frame keeps
    only those above the minimum confidence (``confidence``)."""
    length = feed.length
    next_rows = np.minimum(signal_rows + 1, length - 1)
    fill_rows = np.where(signal_rows + 1 < length, signal_rows + 1, -1).astype(np.int64)
    directions = frame["direction"].to_numpy().astype(np.int64)
    if grid is not None:
        raw_opens, close_ticks, levels, hits = (
            grid.raw_opens, grid.close_ticks, grid.levels, grid.hits
        )  # fmt: skip
        buy_opens = slipped_tick_array(raw_opens, True, slippage)
        sell_opens = slipped_tick_array(raw_opens, False, slippage)
    else:
        tick_scale = 10.0**places
        raw_opens = np.rint(feed.opens * tick_scale).astype(np.int64)
        buy_opens = slipped_tick_array(raw_opens, True, slippage)
        sell_opens = slipped_tick_array(raw_opens, False, slippage)
        if buy_opens.dtype != np.int64 or sell_opens.dtype != np.int64:
            raise FastPathUnsupportedError("prices too large for the bracket loop")
        close_ticks = np.rint(feed.closes[signal_rows] * tick_scale).astype(np.int64)
        sides = target_sides(directions, config.risk.allow_short)
        levels = leg_levels(
            frame["stop"].to_numpy(dtype=np.float64),
            frame["target"].to_numpy(dtype=np.float64),
            sides,
            places,
            instrument,
        )
        rows64 = signal_rows.astype(np.int64)
        hits = first_hits(
            rows64 + 1,
            window_ends(rows64, sides, length, config.risk.cooldown_bars),
            sides > 0,
            levels.stop_ticks,
            levels.target_ticks,
            places,
            feed.highs,
            feed.lows,
        )

    def slip_level(ticks: int, side: int) -> int:
        return slipped_ticks([ticks], side > 0, slippage)[0]

    hit_rows = np.where(hits >= 0, hits, 0)
    filled_rows = np.where(fill_rows >= 0, fill_rows, 0)
    bars = SignalBars(
        feed.ts_close_ns[signal_rows].tolist(),
        feed.ts_open_ns[filled_rows].tolist(),
        levels.stop_ticks.tolist(),
        levels.target_ticks.tolist(),
        hits.tolist(),
        raw_opens[hit_rows].tolist(),
        feed.highs[hit_rows].tolist() if grid is None else grid.hit_highs,
        feed.lows[hit_rows].tolist() if grid is None else grid.hit_lows,
        buy_opens[hit_rows].tolist(),
        sell_opens[hit_rows].tolist(),
        feed.ts_open_ns[hit_rows].tolist(),
    )
    holding = None
    if config.risk.max_holding_bars is not None:  # the exits fill at rows' slipped opens
        holding = BracketHolding(
            config.risk.max_holding_bars,
            buy_opens.tolist(),
            sell_opens.tolist(),
            feed.ts_open_ns.tolist(),
            feed.ts_close_ns.tolist(),
            len(signal_rows),
        )
    record = run_bracket_loop(
        directions.tolist(),
        signal_rows.tolist(),
        fill_rows.tolist(),
        buy_opens[next_rows].tolist(),
        sell_opens[next_rows].tolist(),
        close_ticks.tolist(),
        bars=bars,
        levels=levels,
        slip_level=slip_level,
        starting_cash=starting_cash,
        allow_short=config.risk.allow_short,
        scale=scale,
        sizer=sizer,
        at_signal=at_signal,
        cooldown=config.risk.cooldown_bars,
        holding=holding,
    )
    del bars, buy_opens, sell_opens, holding  # the run's peak is ahead: what is done with goes now
    filled = [index for index, order in enumerate(record.orders) if order[STATUS] == FILLED]
    fills = [record.orders[index] for index in filled]
    _check(record, fills, scale)
    fee_units = sum(fill[FEE] for fill in fills)
    trade_pnls = _trade_pnls(fills, scale)
    adjustments = _nothing_fits(record) if at_signal is None else []
    if at_signal is not None and at_signal.trims:  # trims and cancels, worded by their rules
        adjustments = word_trims(
            at_signal.trims,
            symbol=feed.symbol,
            cap_percent=config.risk.exposure_cap_percent,
            position_percent=config.risk.max_position_percent,
            scale=scale,
            signal_ns=feed.ts_close_ns[signal_rows],
            filled_ns=feed.ts_open_ns[np.maximum(fill_rows, 0)],
        )
    prices = BracketFillPrices(
        fills, raw_opens, levels, slippage, instrument,
        None if grid is None else grid.open_decimals,
    )  # fmt: skip
    del raw_opens  # the prices keep the fills' opens only
    objects = BracketObjects(
        record.orders, fills, prices, levels, feed, frame, signal_rows, strategy_name,
        fraction if at_signal is None else None, fee_model, instrument,
        _holding_exits(config, feed, record),
    )  # fmt: skip
    cash = _final_cash(config.cash, record, scale, objects, prices)
    last_close = to_decimal(float(feed.closes[-1])) if grid is None else grid.last_close
    market_value = ZERO + Decimal(record.position) * last_close if record.position else ZERO
    rejections = explain_rejections(
        record.rejected,
        config=config,
        instrument=instrument,
        feed=feed,
        frame=frame,
        rows=signal_rows.tolist(),
        strategy_name=strategy_name,
        scale=scale,
        unsized=frozenset() if at_signal is None else at_signal.unsized,
    )
    equity, in_market = compiled.curve_arrays(
        float(config.cash),
        np.asarray(record.change_row, dtype=np.int64),
        units_to_floats(record.change_cash, scale.money_places),
        np.asarray(record.change_quantity, dtype=np.float64),
        feed.closes,
    )
    return assemble_result(
        config,
        symbol=feed.symbol,
        timeframe=feed.timeframe,
        ts_close_ns=feed.ts_close_ns,
        close_index=feed.close_index(),
        closes=feed.closes,
        equity=equity,
        in_market=in_market,
        final_equity=cash + market_value,
        final_cash=cash,
        last_close=None if grid is None else grid.last_close,
        trades=Deferred(lambda: objects.build()[2]),
        fills=Deferred(lambda: objects.build()[0]),
        orders=Deferred(lambda: objects.build()[1]),
        rejections=rejections,
        fees=fee_units / 10**scale.money_places,
        ambiguous_bars=record.ambiguous_bars,
        signals=len(frame) if signal_count is None else signal_count,
        trade_pnls=trade_pnls,
        conventions=conventions,
        adjustments=adjustments,
    )


def _holding_exits(
    config: RunConfig, feed: BarHistory, record: BracketRecord
) -> tuple[npt.NDArray[np.int64], str] | None:
    """The holding exits' submission times (their bars' closes) and reason, for the orders of
    no signal numbered after the signals; None when there are none."""
    if not record.holding_exits:
        return None
    bars = config.risk.max_holding_bars
    assert bars is not None
    dues = np.asarray(record.holding_exits, dtype=np.intp)
    return feed.ts_close_ns[dues], holding_reason(bars)


def _nothing_fits(record: BracketRecord) -> list[tuple[datetime, str]]:
    """The kernel's adjustment for each entry canceled at its fill because nothing fits."""
    canceled = [
        order[UPDATED]
        for order in record.orders
        if order[KIND] == ENTRY and order[STATUS] == CANCELED
    ]
    if not canceled:
        return []
    stamps = datetimes(np.array(canceled, dtype=np.int64))
    return [(stamp, NOTHING_FITS) for stamp in stamps]


def _check(record: BracketRecord, fills: list[list[int]], scale: MoneyScale) -> None:
    """Fills alternate entry, exit (an entry fills only when flat, an exit closes the whole
    position), and every amount stays where the ledger's Decimals are exact: below the
    context's ``exact_limit`` (10**(prec - 1) money units), the largest cash and a bound on every
    partial sum of the fills (the largest fill's notional plus fee, twice per fill, plus one)."""
    for number, fill in enumerate(fills):
        if (fill[KIND] == ENTRY) != (number % 2 == 0):
            raise FastPathUnsupportedError("fills do not alternate entry and exit")
    largest_cash = max((abs(cash) for cash in record.change_cash), default=0)
    largest_fill = max(
        (
            fill[QUANTITY] * fill[TICKS] * scale.units_per_tick
            + scale.fee(fill[QUANTITY], fill[TICKS])
            for fill in fills
        ),
        default=0,
    )
    if max(largest_cash, abs(record.cash), largest_fill * 2 * (len(fills) + 1)) >= exact_limit():
        raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")
    if record.change_cash and min(record.change_cash) < 0:
        raise FastPathUnsupportedError("a fill overdraws the cash")  # see materialise


def _final_cash(
    cash: Decimal,
    record: BracketRecord,
    scale: MoneyScale,
    objects: BracketObjects,
    prices: BracketFillPrices,
) -> Decimal:
    """The ledger's cash: a sum of exact amounts, so its value is the loop's and its exponent the
    least of the starting cash's, the prices' and the fees' (as ``materialise._final_cash``)."""
    if not objects.fills:
        return cash
    fee_total = ZERO if isinstance(objects.fee_model, NoFee) else sum(objects.fees(), ZERO)
    least = min(exponent(cash), exponent(fee_total))
    least_price = prices.least_exponent()
    if least_price is not None:
        least = min(least, least_price)
    shift = least + scale.money_places
    if shift >= 0:
        coefficient, remainder = divmod(record.cash, 10**shift)
        if remainder:
            raise FastPathUnsupportedError("cash is finer than its exponent")
    else:
        coefficient = record.cash * 10**-shift
    return Decimal(coefficient).scaleb(least)


def _trade_pnls(fills: list[list[int]], scale: MoneyScale) -> npt.NDArray[np.float64]:
    """Each round trip's ``float(pnl)``: side x quantity x (exit - entry) less both fees."""
    per_tick = scale.units_per_tick
    units = [
        entry[SIDE] * entry[QUANTITY] * (exit_[TICKS] - entry[TICKS]) * per_tick
        - entry[FEE]
        - exit_[FEE]
        for entry, exit_ in zip(fills[0::2], fills[1::2], strict=False)
    ]
    return units_to_floats(units, scale.money_places)
