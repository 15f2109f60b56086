"""The fast path's entry point: runs the integer loop, then settles what every result carries
(exact final cash and equity, the curve, the rejections) from its integer columns, leaving the
orders, fills and trades (with the reason strings, when the strategy defers them) to be built
when first read (``objects``) and the statistics to be computed when first read where that is
safe (``assemble_result``). Tests prove the results identical to the event kernel's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache, partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.strategies.base import with_reasons
from paperdesk.analytics.conventions import Conventions
from paperdesk.config import RunConfig, SizeTiming
from paperdesk.domain import ZERO, Instrument, to_decimal
from paperdesk.engine.fastpath import compiled
from paperdesk.engine.fastpath.bracket_grid import bracket_grid
from paperdesk.engine.fastpath.bracket_result import run_bracket_path
from paperdesk.engine.fastpath.columns import (
    NOTHING_FITS,
    FillPrices,
    OrderColumns,
    datetimes,
    exponent,
    units_to_floats,
)
from paperdesk.engine.fastpath.confidence import ConfidentSignals, confident
from paperdesk.engine.fastpath.daily_loss import DailyLoss
from paperdesk.engine.fastpath.eligibility import (
    carries_levels,
    fixed_quantity,
    no_tick_grid,
    tick_places,
)
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.holding import HoldingLimit, holding_reason
from paperdesk.engine.fastpath.inputs import (
    BarHistory,
    ExplainRejections,
    WordRefusals,
    WordTrims,
)
from paperdesk.engine.fastpath.integer_money import (
    AllInSizer,
    MoneyScale,
    exact_limit,
    slipped_tick_array,
)
from paperdesk.engine.fastpath.loop import (
    ENTRY,
    EXIT,
    ORDER_FIELDS,
    LoopRecord,
    run_loop,
)
from paperdesk.engine.fastpath.objects import ObjectInputs, ResultObjects
from paperdesk.engine.fastpath.per_share import Sizer, affordable_sizer
from paperdesk.engine.fastpath.price_grid import price_grid
from paperdesk.engine.fastpath.signal_sizing import SignalSizing
from paperdesk.engine.fastpath.vectorised import VectorRecord, run_vectorised
from paperdesk.engine.result import BacktestResult, assemble_result
from paperdesk.execution import FeeModel, NoFee, NoSlippage, SlippageModel, parse_fee_model
from paperdesk.execution.costs import cost_models

_HUNDRED = Decimal(100)
_EXACT_FLOAT = 2**53  # integers below this in magnitude are exact as floats
_EXACT_INT64 = 2**62  # products bounded below this cannot overflow int64


def run_fast_path(
    config: RunConfig,
    instrument: Instrument,
    feed: BarHistory,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
    strategy_name: str,
    explain_rejections: ExplainRejections,
    conventions: Conventions | None = None,
    later_reasons: Callable[[], list[str]] | None = None,
    *,
    word_trims: WordTrims,
    word_refusals: WordRefusals | None = None,
) -> BacktestResult:
    """The result of an eligible run (see ``eligibility``), equal to the event kernel's.

    ``later_reasons``: the frame's reason strings, when its ``reason`` column was left blank
    (``Strategy.signals_reasons_later``); made when the orders, fills and trades are first read,
    or now for the rejections and the brackets. ``word_refusals``: words the reversals whose
    entry the daily loss limit refused (none given: such a run is given up on).

    Raises ``FastPathUnsupportedError`` when the run leaves what the loop reproduces.
    """
    signal_count = len(frame)
    symbols = config.risk.allowed_symbols
    kept = confident(frame, config.risk.min_confidence, not symbols or feed.symbol in symbols)
    if kept is not None:  # below the minimum, or not allowed: rejected whatever the book holds
        confident_signals = ConfidentSignals(kept, frame, signal_rows, later_reasons)
        frame, signal_rows = confident_signals.frame, confident_signals.signal_rows
        later_reasons = confident_signals.later_reasons()
        explain_rejections = confident_signals.explain(explain_rejections)
    cooldown = config.risk.cooldown_bars
    fee_model = parse_fee_model(config.execution.commission)
    slippage = cost_models(config.execution, (instrument,)).slippage
    length = feed.length
    next_rows = np.minimum(signal_rows + 1, length - 1)
    places = tick_places(instrument)
    grid = bracket_prices = None
    if places is None:
        if not no_tick_grid(instrument):
            raise FastPathUnsupportedError("tick size is not a power of ten")
        # no tick: the exact prices (an adjusted series') in units of their own decimals
        check = partial(_check_grid, config.cash, fee_model, len(signal_rows))
        if carries_levels(frame):
            bracket_prices = bracket_grid(
                feed,
                frame,
                signal_rows,
                config.risk.allow_short,
                slippage,
                instrument,
                check,
                cooldown,
                _holding_exit_rows(config.risk.max_holding_bars, signal_rows, length),
            )
            places = bracket_prices.places
        else:
            grid = price_grid(
                feed,
                next_rows.tolist(),
                signal_rows.tolist(),
                length - 1,
                slippage,
                check,
                _holding_exit_rows(config.risk.max_holding_bars, signal_rows, length),
            )
            places, raw_ticks, close_ticks = grid.places, grid.raw_ticks, grid.close_ticks
    else:
        tick_scale = 10.0**places
        raw_ticks = np.rint(feed.opens[next_rows] * tick_scale).astype(np.int64)
        close_ticks = np.rint(feed.closes[signal_rows] * tick_scale).astype(np.int64)
    scale = MoneyScale.for_run(places, fee_model)
    fraction = config.sizing.percent / _HUNDRED
    fill_rows = np.where(signal_rows + 1 < length, signal_rows + 1, -1).astype(np.int64)
    if config.cash.adjusted() >= 20:
        raise FastPathUnsupportedError("starting cash too large for exact Decimal arithmetic")
    starting_cash = config.cash * 10**scale.money_places
    if starting_cash != starting_cash.to_integral_value():
        raise FastPathUnsupportedError("starting cash is finer than the money unit")
    sizer = affordable_sizer(fraction, scale)
    at_signal = None
    if config.sizing.timing is SizeTiming.SIGNAL:
        risk = None
        if config.sizing.method == "risk":
            risk = (config.sizing.risk_percent, frame["stop"].to_numpy(dtype=np.float64).tolist())
        at_signal = SignalSizing(
            sizer,
            scale,
            config.risk.exposure_cap_percent,
            fixed_quantity(config, instrument),
            risk,
            config.risk.max_position_percent,
        )
    if not isinstance(sizer, AllInSizer) and at_signal is None:
        # the all-in loops take a fee linear in the notional
        raise FastPathUnsupportedError("a per-share fee outside entries sized at the signal")
    daily = None
    limit = config.risk.daily_loss_limit_percent
    if limit is not None:
        if grid is not None:
            raise FastPathUnsupportedError("the daily loss limit outside plain signals on a tick")
        if carries_levels(frame):
            raise FastPathUnsupportedError("the daily loss limit with brackets")
        daily = DailyLoss(
            limit,
            feed.ts_close_ns,
            np.rint(feed.closes * 10.0**places).astype(np.int64),
            signal_rows,
            int(starting_cash),
            scale,
        )
    if carries_levels(frame):  # brackets: their own loop
        frame = with_reasons(frame, later_reasons)
        return run_bracket_path(
            config,
            instrument,
            feed,
            frame,
            signal_rows,
            strategy_name,
            explain_rejections,
            conventions,
            word_trims=word_trims,
            places=places,
            fee_model=fee_model,
            slippage=slippage,
            scale=scale,
            fraction=fraction,
            sizer=sizer,
            at_signal=at_signal,
            starting_cash=int(starting_cash),
            grid=bracket_prices,
            signal_count=signal_count,
        )
    holding = None
    if config.risk.max_holding_bars is not None:
        if grid is None:
            all_opens = np.rint(feed.opens * 10.0**places).astype(np.int64)
        else:  # no tick: the exact opens the exits may fill at, in the grid's units
            all_opens = np.zeros(length, dtype=grid.raw_ticks.dtype)
            for row, units in grid.exit_opens.items():
                all_opens[row] = units
        holding = HoldingLimit(
            config.risk.max_holding_bars,
            slipped_tick_array(all_opens, True, slippage),
            slipped_tick_array(all_opens, False, slippage),
            length,
            len(signal_rows),
        )
    record, columns = _decide(
        frame["direction"].to_numpy().astype(np.int64),
        fill_rows,
        raw_ticks,
        slippage,
        close_ticks,
        starting_cash=int(starting_cash),
        allow_short=config.risk.allow_short,
        scale=scale,
        sizer=sizer,
        at_signal=at_signal,
        rows=signal_rows.tolist() if cooldown or holding is not None else None,
        cooldown=cooldown,
        holding=holding,
        daily=daily,
    )
    _check_magnitudes(record, columns, scale)
    _check_alternation(columns)
    submitted_ns = feed.ts_close_ns[signal_rows]
    filled_ns = feed.ts_open_ns[next_rows]  # each signal's fill bar's open (any, if none)
    signal_reasons = None
    if holding is not None and holding.exits:  # orders of no signal, numbered after them
        raw_ticks, submitted_ns, filled_ns, signal_reasons = _with_holding_exits(
            holding, all_opens, raw_ticks, submitted_ns, filled_ns, feed
        )
    fill_signals = columns.filled_column("signal_of").astype(np.intp)
    fill_raw_ticks = raw_ticks[fill_signals]
    exact_prices = isinstance(slippage, NoSlippage)  # the prices are the opens
    prices = FillPrices(
        fill_raw_ticks,
        [] if exact_prices else columns.pick(columns.sides),
        [] if exact_prices else columns.pick(columns.ticks),
        slippage,
        scale,
        instrument,
        None if grid is None else grid.open_decimals,
    )

    reason_values = frame["reason"].to_numpy()

    @cache
    def reasons() -> list[str]:
        if later_reasons is not None:
            made = later_reasons()
        else:
            made = [str(reason) for reason in reason_values.tolist()]
        return made if signal_reasons is None else [*made, *signal_reasons]

    objects = ResultObjects(
        ObjectInputs(
            feed.symbol,
            instrument,
            strategy_name,
            fraction if at_signal is None else None,
            submitted_ns,
            filled_ns,
            fill_raw_ticks,
            reasons,
            fee_model,
            None if signal_reasons is None else len(signal_rows),
        ),
        columns,
        prices,
    )
    cash = _final_cash(config, record, scale, objects, prices)
    last_close = to_decimal(float(feed.closes[-1])) if grid is None else grid.last_close
    market_value = ZERO + Decimal(record.position) * last_close if record.position else ZERO
    if record.rejected and later_reasons is not None:  # the rejections quote the reasons
        made = reasons()[: len(frame)]  # the signals' (a holding exit's follow)
        frame = frame.assign(reason=pd.Series(made, index=frame.index, dtype=object))
    day_start = (
        partial(daily.day_start, record=record)
        if daily is not None and isinstance(record, LoopRecord)
        else None
    )
    rejections = explain_rejections(
        record.rejected,
        config=config,
        instrument=instrument,
        feed=feed,
        frame=frame,
        rows=signal_rows.tolist() if record.rejected else [],  # read only for the rejected
        strategy_name=strategy_name,
        scale=scale,
        unsized=frozenset() if at_signal is None else at_signal.unsized,
        day_start=day_start,
    )
    refused = record.refused if isinstance(record, LoopRecord) else []
    refusals: list[tuple[datetime, str]] = []
    if refused:  # the reversals whose entry the daily loss limit refused: the router's notes
        if word_refusals is None or day_start is None:
            raise FastPathUnsupportedError("a refused reversal's entry is not worded here")
        refusals = word_refusals(
            refused,
            config=config,
            instrument=instrument,
            feed=feed,
            frame=frame,
            rows=signal_rows.tolist(),
            strategy_name=strategy_name,
            scale=scale,
            day_start=day_start,
        )
    equity, in_market = compiled.curve_arrays(
        float(config.cash),
        record.change_row,
        units_to_floats(record.change_cash, scale.money_places),
        np.asarray(record.change_quantity, dtype=np.float64),
        feed.closes,
    )
    fills, orders, trades = objects.deferred()
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
        trades=trades,
        fills=fills,
        orders=orders,
        rejections=rejections,
        fees=columns.total("fees") / 10**scale.money_places,
        ambiguous_bars=0,
        signals=signal_count,
        trade_pnls=(
            units_to_floats(record.trade_units, scale.money_places)
            if isinstance(record, VectorRecord)
            else _trade_pnls(columns, scale)
        ),
        conventions=conventions,
        adjustments=_with_refusals(
            *(
                _nothing_fits(columns, filled_ns)
                if at_signal is None
                else _trimmed(at_signal, word_trims, config, feed, scale, signal_rows, filled_ns)
            ),
            refused,
            refusals,
        ),
        stats_on_read=True,  # the curve, flags and P&L column are this run's own arrays
    )


def _holding_exit_rows(
    bars: int | None, signal_rows: npt.NDArray[np.intp], length: int
) -> list[int] | None:
    """The rows a holding limit's exits may fill at (or, due on the last bar, be priced by):
    an entry fills at the row after its signal's, so its exit is due ``bars`` rows later and
    fills at the next open; None without a holding limit."""
    if bars is None:
        return None
    due = signal_rows + 1 + bars
    rows: list[int] = np.unique(np.minimum(due[due < length] + 1, length - 1)).tolist()
    return rows


def _with_holding_exits(
    holding: HoldingLimit,
    opens: npt.NDArray[np.int64],
    raw_ticks: npt.NDArray[np.int64],
    submitted_ns: npt.NDArray[np.int64],
    filled_ns: npt.NDArray[np.int64],
    feed: BarHistory,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[str]]:
    """The per-signal columns the objects read, with the holding exits' after the signals':
    the open they fill at (the next bar's), their submission (their bar's close), their fill (or
    their cancel, at that close, when a signal's exit replaced them) and their reason."""
    dues = np.asarray(holding.exits, dtype=np.intp)
    after = np.minimum(dues + 1, feed.length - 1)
    canceled = np.zeros(len(dues), dtype=np.bool_)
    canceled[list(holding.canceled)] = True
    updated = np.where(canceled, feed.ts_close_ns[dues], feed.ts_open_ns[after])
    return (
        np.concatenate([raw_ticks, opens[after]]),
        np.concatenate([submitted_ns, feed.ts_close_ns[dues]]),
        np.concatenate([filled_ns, updated]),
        [holding_reason(holding.bars)] * len(dues),
    )


def _trimmed(
    at_signal: SignalSizing,
    word_trims: WordTrims,
    config: RunConfig,
    feed: BarHistory,
    scale: MoneyScale,
    signal_rows: npt.NDArray[np.intp],
    filled_ns: npt.NDArray[np.int64],
) -> tuple[list[tuple[datetime, str]], list[tuple[int, int]]]:
    """The kernel's adjustment for each entry sized at its signal that a rule trimmed there or
    trimmed or left nothing of at its fill (its reason names the rule, unlike an all-in
    entry's), and its key (``_with_refusals``)."""
    if not at_signal.trims:
        return [], []
    keys = [(trim.k, 1 if trim.at_fill else 0) for trim in at_signal.trims]
    notes = word_trims(
        at_signal.trims,
        symbol=feed.symbol,
        cap_percent=config.risk.exposure_cap_percent,
        position_percent=config.risk.max_position_percent,
        scale=scale,
        signal_ns=feed.ts_close_ns[signal_rows],
        filled_ns=filled_ns,
    )
    return notes, keys


def _with_refusals(
    trimmed: list[tuple[datetime, str]],
    keys: list[tuple[int, int]],
    refused: list[tuple[int, int, int]],
    refusals: list[tuple[datetime, str]],
) -> list[tuple[datetime, str]]:
    """The trims' (or cancels') adjustments, each at ``keys`` (signal k, 1 at its fill, else 0),
    and the daily loss limit's refused reversals' (``refused``, worded as ``refusals``, at their
    signal's close), in the order the kernel notes them: by the bar it is at (at the fill: the
    signal's next row), a fill's before a signal's on the same bar."""
    if not refused:
        return trimmed
    keyed = list(zip(keys, trimmed, strict=True))
    keyed += [((k, 0), note) for (k, _, _), note in zip(refused, refusals, strict=True)]
    keyed.sort(key=lambda pair: pair[0])
    return [note for _, note in keyed]


def _nothing_fits(
    columns: OrderColumns, filled_ns: npt.NDArray[np.int64]
) -> tuple[list[tuple[datetime, str]], list[tuple[int, int]]]:
    """The kernel's adjustment for each entry canceled at its fill because nothing fits (the
    venue's reason; the all-in sizer gives no rule's reason): (its fill bar's open, reason), and
    its key (``_with_refusals``)."""
    canceled = columns.canceled_entries()
    if not canceled:
        return [], []
    notes = [(stamp, NOTHING_FITS) for stamp in datetimes(filled_ns[canceled])]
    return notes, [(k, 1) for k in canceled]


def _check_grid(cash: Decimal, fee_model: FeeModel, signals: int, places: int) -> None:
    """Gives up on a grid whose starting cash in money units times the signals reaches the
    Decimal context's bound: fills near the equity's size, about one order a signal, so the
    magnitudes' check after the loop (``_check_magnitudes``) would give up (a series of many
    decimals); the loop is not run for nothing. The bound is the context's (``exact_limit``)."""
    money_places = MoneyScale.for_run(places, fee_model).money_places
    if cash.scaleb(money_places) * max(1, signals) >= exact_limit():
        raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")


def _decide(
    directions: npt.NDArray[np.int64],
    fill_rows: npt.NDArray[np.int64],
    raw_ticks: npt.NDArray[np.int64],
    slippage: SlippageModel,
    close_ticks: npt.NDArray[np.int64],
    *,
    starting_cash: int,
    allow_short: bool,
    scale: MoneyScale,
    sizer: Sizer,
    at_signal: SignalSizing | None,
    rows: list[int] | None = None,
    cooldown: int = 0,
    holding: HoldingLimit | None = None,
    daily: DailyLoss | None = None,
) -> tuple[LoopRecord | VectorRecord, OrderColumns]:
    """The loop's decisions: in array form (``vectorised``) when every entry fills all-in at
    the fill and no cooldown rejects signals by the ones accepted before, else by the loop
    itself (both give the same orders, change points and rejections)."""
    buy_prices = slipped_tick_array(raw_ticks, True, slippage)
    sell_prices = slipped_tick_array(raw_ticks, False, slippage)
    found = None
    # in arrays when all-in at the fill (a fee linear in the notional) and the prices fit int64
    if (
        at_signal is None
        and not cooldown
        and holding is None
        and daily is None
        and isinstance(sizer, AllInSizer)
        and buy_prices.dtype == sell_prices.dtype == np.int64
    ):
        found = run_vectorised(
            directions,
            fill_rows,
            buy_prices,
            sell_prices,
            close_ticks,
            starting_cash=starting_cash,
            allow_short=allow_short,
            scale=scale,
            sizer=sizer,
        )
    if found is not None:
        return found, OrderColumns.of_table(found.orders)
    record = run_loop(
        directions.tolist(),
        fill_rows.tolist(),
        buy_prices.tolist(),
        sell_prices.tolist(),
        close_ticks.tolist(),
        starting_cash=starting_cash,
        allow_short=allow_short,
        scale=scale,
        sizer=sizer,
        at_signal=at_signal,
        rows=rows,
        cooldown=cooldown,
        holding=holding,
        daily=daily,
    )
    return record, OrderColumns.of(record.orders)


def _check_magnitudes(
    record: LoopRecord | VectorRecord, columns: OrderColumns, scale: MoneyScale
) -> None:
    """The ledger's Decimals are exact (as the integers) only while they fit the context
    (``exact_limit``: below 10**(prec - 1) money units): the largest cash, and a bound on every
    partial sum of the fills' amounts (the largest fill's notional plus fee, times the fields
    an order moves, times the orders)."""
    limit = exact_limit()
    largest_cash = _largest_magnitude(record.change_cash)
    largest_price = columns.largest("ticks")
    largest_quantity = columns.largest("quantities")
    # a fee non-decreasing in the quantity and the price: its largest is at the largest of both
    largest_fill = largest_quantity * largest_price * scale.units_per_tick + scale.fee(
        largest_quantity, largest_price
    )
    # bounds any partial sum of the fills (the bound the loop's flat order list gave)
    all_fills = largest_fill * ORDER_FIELDS * columns.count
    if max(largest_cash, all_fills, abs(record.cash)) >= limit:
        raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")
    if len(record.change_cash) and _least(record.change_cash) < 0:
        # a fill that leaves the cash below zero (a short bought back far above its entry) is
        # an overdraft the kernel records among the account events: not reproduced here
        raise FastPathUnsupportedError("a fill overdraws the cash")


def _least(values: Sequence[int] | npt.NDArray[Any]) -> int:
    return int(values.min()) if isinstance(values, np.ndarray) else min(values)


def _largest_magnitude(values: Sequence[int] | npt.NDArray[Any]) -> int:
    if not len(values):
        return 0
    if isinstance(values, np.ndarray):
        return max(int(values.max()), -int(values.min()))
    return max(max(values), -min(values))


def _check_alternation(columns: OrderColumns) -> None:
    """Filled orders alternate entry, exit (an entry fills only when flat, an exit closes the
    whole position), so fill 2i opens trade i and fill 2i+1 closes it."""
    roles = columns.filled_column("roles")
    if not ((roles[0::2] == ENTRY).all() and (roles[1::2] == EXIT).all()):
        raise FastPathUnsupportedError("fills do not alternate entry and exit")


def _final_cash(
    config: RunConfig,
    record: LoopRecord | VectorRecord,
    scale: MoneyScale,
    objects: ResultObjects,
    prices: FillPrices,
) -> Decimal:
    """The ledger's cash: a sum of exact amounts, so its value is the loop's and its exponent the
    least of the starting cash's, the prices' (q x price: q has exponent 0) and the fees'."""
    cash = config.cash
    if not objects.fill_count:
        return cash
    fee_total = ZERO if isinstance(objects.fee_model, NoFee) else sum(objects.fees(), ZERO)
    least_price = prices.least_exponent()
    least = min(exponent(cash), exponent(fee_total))
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


def _trade_pnls(columns: OrderColumns, scale: MoneyScale) -> npt.NDArray[np.float64]:
    """Each round trip's ``float(pnl)``: side x quantity x (exit - entry) less both fees, exact
    in money units, then rounded once to the nearest float (as ``float(Decimal)`` rounds)."""
    pick = columns.pick
    quantities, ticks, fees = pick(columns.quantities), pick(columns.ticks), pick(columns.fees)
    count = len(ticks) // 2
    if not count:
        return np.zeros(0)
    per_tick = scale.units_per_tick
    bound = max(quantities) * max(ticks) * per_tick * 2 + max(fees) * 2
    dtype: type = np.int64 if bound < _EXACT_INT64 else object  # object: Python ints

    def column(values: list[int]) -> npt.NDArray[np.int64]:
        return np.array(values, dtype=dtype)

    entries, exits = slice(0, 2 * count, 2), slice(1, None, 2)
    units = (
        column(pick(columns.sides)[entries])
        * column(quantities[entries])
        * (column(ticks[exits]) - column(ticks[entries]))
        * per_tick
        - column(fees[entries])
        - column(fees[exits])
    )
    return units_to_floats(units, scale.money_places)
