"""The fast path for signals that carry a stop and/or a target: runs the bracket loop
(``bracket_loop``), then settles what every result carries (exact final cash and equity, the
curve, the statistics, the rejections, ``ambiguous_bars``) from its integer orders, leaving the
orders, fills and trades to be built when first read. Tests prove the results identical to the
event kernel's."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, getcontext, localcontext
from functools import partial
from itertools import repeat
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analytics.conventions import Conventions
from paperdesk.config import RunConfig
from paperdesk.domain import (
    ZERO,
    Fill,
    Instrument,
    Order,
    OrderRole,
    OrderStatus,
    OrderType,
    TimeInForce,
    Trade,
    to_decimal,
)
from paperdesk.engine.equity_curve import equity_arrays
from paperdesk.engine.fastpath import compiled
from paperdesk.engine.fastpath.bracket_hits import first_hits, window_ends
from paperdesk.engine.fastpath.bracket_levels import LegLevels, leg_levels
from paperdesk.engine.fastpath.bracket_loop import (
    ACCEPTED,
    CANCELED,
    ENTRY,
    EXIT,
    FEE,
    FILLED,
    KIND,
    PARENT,
    PENDING,
    QUANTITY,
    SIDE,
    SIGNAL,
    STATUS,
    STOP,
    TARGET,
    TICKS,
    UPDATED,
    BracketRecord,
    SignalBars,
    run_bracket_loop,
)
from paperdesk.engine.fastpath.bracket_prices import BracketFillPrices
from paperdesk.engine.fastpath.columns import (
    NOTHING_FITS,
    SIDES,
    datetimes,
    exponent,
    units_to_floats,
)
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import (
    AllInSizer,
    MoneyScale,
    slipped_tick_array,
    slipped_ticks,
)
from paperdesk.engine.fastpath.objects import _round_trips
from paperdesk.engine.result import BacktestResult, Deferred, assemble_result
from paperdesk.execution import FeeModel, NoFee, SlippageModel

_new_fill = partial(tuple.__new__, Fill)
_new_order = partial(tuple.__new__, Order)
_TYPES = {
    EXIT: OrderType.MARKET,
    ENTRY: OrderType.MARKET,
    STOP: OrderType.STOP,
    TARGET: OrderType.LIMIT,
}
_ROLES = {
    EXIT: OrderRole.EXIT,
    ENTRY: OrderRole.ENTRY,
    STOP: OrderRole.STOP_LOSS,
    TARGET: OrderRole.TAKE_PROFIT,
}
_STATUSES = {
    ACCEPTED: OrderStatus.ACCEPTED,
    FILLED: OrderStatus.FILLED,
    CANCELED: OrderStatus.CANCELED,
    PENDING: OrderStatus.PENDING,
}
_LEG_REASONS = {STOP: "stop loss", TARGET: "take profit"}  # the order book's leg reasons
_EXIT_REASONS = {STOP: "stop-loss", TARGET: "take-profit"}  # a round trip's (``exit_reason``)
_LIMIT = 10**27  # the ledger's Decimals are exact (as the integers) below this


class BracketBars(Protocol):
    """The bar history as column arrays (``engine.backtest._BarArrays``)."""

    symbol: str
    timeframe: str
    length: int
    opens: npt.NDArray[np.float64]
    highs: npt.NDArray[np.float64]
    lows: npt.NDArray[np.float64]
    closes: npt.NDArray[np.float64]
    ts_open_ns: npt.NDArray[np.int64]
    ts_close_ns: npt.NDArray[np.int64]


def carries_levels(frame: pd.DataFrame) -> bool:
    """Whether any signal sets a stop or a target."""
    if not len(frame):
        return False
    return bool(
        (~np.isnan(frame["stop"].to_numpy(dtype=np.float64))).any()
        or (~np.isnan(frame["target"].to_numpy(dtype=np.float64))).any()
    )


def run_bracket_path(
    config: RunConfig,
    instrument: Instrument,
    feed: BracketBars,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
    strategy_name: str,
    explain_rejections: Callable[..., list],  # type: ignore[type-arg]
    conventions: Conventions | None,
    *,
    places: int,
    fee_model: FeeModel,
    slippage: SlippageModel,
    scale: MoneyScale,
    fraction: Decimal,
    starting_cash: int,
) -> BacktestResult:
    """The result of an eligible run whose signals carry stops or targets (see ``eligibility``),
    equal to the event kernel's. Raises ``FastPathUnsupportedError`` where the loop cannot
    reproduce it."""
    length = feed.length
    tick_scale = 10.0**places
    raw_opens = np.rint(feed.opens * tick_scale).astype(np.int64)
    buy_opens = slipped_tick_array(raw_opens, True, slippage)
    sell_opens = slipped_tick_array(raw_opens, False, slippage)
    if buy_opens.dtype != np.int64 or sell_opens.dtype != np.int64:
        raise FastPathUnsupportedError("prices too large for the bracket loop")
    next_rows = np.minimum(signal_rows + 1, length - 1)
    fill_rows = np.where(signal_rows + 1 < length, signal_rows + 1, -1).astype(np.int64)
    close_ticks = np.rint(feed.closes[signal_rows] * tick_scale).astype(np.int64)
    directions = frame["direction"].to_numpy().astype(np.int64)
    sides = np.sign(directions).astype(np.int64)
    if not config.risk.allow_short:
        sides[sides < 0] = 0
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
        window_ends(rows64, sides, length),
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
        feed.highs[hit_rows].tolist(),
        feed.lows[hit_rows].tolist(),
        buy_opens[hit_rows].tolist(),
        sell_opens[hit_rows].tolist(),
        feed.ts_open_ns[hit_rows].tolist(),
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
        sizer=AllInSizer(fraction, scale),
    )
    filled = [index for index, order in enumerate(record.orders) if order[STATUS] == FILLED]
    fills = [record.orders[index] for index in filled]
    _check(record, fills, scale)
    prices = BracketFillPrices(fills, raw_opens, levels, slippage, instrument)
    objects = _Objects(
        record, filled, fills, prices, levels, feed, frame, signal_rows, strategy_name, fraction,
        fee_model, instrument,
    )  # fmt: skip
    cash = _final_cash(config.cash, record, scale, objects, prices)
    last_close = to_decimal(float(feed.closes[-1]))
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
    )
    loops = compiled.loaded()
    curve_of = equity_arrays if loops is None else partial(compiled.equity_arrays, loops)
    equity, in_market = curve_of(
        float(config.cash),
        np.asarray(record.change_row, dtype=np.int64),
        units_to_floats(record.change_cash, scale.money_places),
        np.asarray(record.change_quantity, dtype=np.float64),
        feed.closes,
    )
    fee_units = sum(fill[FEE] for fill in fills)
    return assemble_result(
        config,
        symbol=feed.symbol,
        timeframe=feed.timeframe,
        ts_close_ns=feed.ts_close_ns,
        closes=feed.closes,
        equity=equity,
        in_market=in_market,
        final_equity=cash + market_value,
        final_cash=cash,
        trades=Deferred(lambda: objects.build()[2]),
        fills=Deferred(lambda: objects.build()[0]),
        orders=Deferred(lambda: objects.build()[1]),
        rejections=rejections,
        fees=fee_units / 10**scale.money_places,
        ambiguous_bars=record.ambiguous_bars,
        signals=len(frame),
        trade_pnls=_trade_pnls(fills, scale),
        conventions=conventions,
        adjustments=_nothing_fits(record),
    )


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
    position), and every amount stays where the ledger's Decimals are exact."""
    for number, fill in enumerate(fills):
        if (fill[KIND] == ENTRY) != (number % 2 == 0):
            raise FastPathUnsupportedError("fills do not alternate entry and exit")
    largest_cash = max((abs(cash) for cash in record.change_cash), default=0)
    largest_fill = max(
        (
            fill[QUANTITY] * fill[TICKS] * (scale.units_per_tick + scale.fee_per_tick)
            for fill in fills
        ),
        default=0,
    )
    if max(largest_cash, abs(record.cash), largest_fill * 2 * (len(fills) + 1)) >= _LIMIT:
        raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")
    if record.change_cash and min(record.change_cash) < 0:
        raise FastPathUnsupportedError("a fill overdraws the cash")  # see materialise


def _final_cash(
    cash: Decimal,
    record: BracketRecord,
    scale: MoneyScale,
    objects: _Objects,
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


class _Objects:
    """Builds the fills, orders and round trips of a bracket run, at most once."""

    def __init__(
        self,
        record: BracketRecord,
        filled: list[int],
        fills: list[list[int]],
        prices: BracketFillPrices,
        levels: LegLevels,
        feed: BracketBars,
        frame: pd.DataFrame,
        signal_rows: npt.NDArray[np.intp],
        strategy: str,
        fraction: Decimal,
        fee_model: FeeModel,
        instrument: Instrument,
    ) -> None:
        self.record = record
        self.filled = filled  # the fills' positions among the orders
        self.fills = fills
        self.prices = prices
        self.levels = levels
        self.feed = feed
        self.reasons = frame["reason"].to_numpy()
        self.signal_rows = signal_rows
        self.strategy = strategy
        self.fraction = fraction
        self.fee_model = fee_model
        self.instrument = instrument
        self._fees: list[Decimal] | None = None
        self._built: tuple[tuple[Fill, ...], tuple[Order, ...], tuple[Trade, ...]] | None = None
        self._context = getcontext().copy()

    def fees(self) -> list[Decimal]:
        """Each fill's fee, as the fee model gives it."""
        if self._fees is None:
            if isinstance(self.fee_model, NoFee):
                self._fees = [ZERO] * len(self.fills)
            else:
                with localcontext(self._context):
                    prices = self.prices.build()[0]
                    quantities = [Decimal(fill[QUANTITY]) for fill in self.fills]
                    fee = self.fee_model.fee
                    self._fees = list(map(fee, quantities, prices, repeat(self.instrument)))
        return self._fees

    def build(self) -> tuple[tuple[Fill, ...], tuple[Order, ...], tuple[Trade, ...]]:
        if self._built is None:
            enabled = gc.isenabled()
            gc.disable()  # only acyclic tuples are made
            try:
                with localcontext(self._context):
                    self._built = self._build()
            finally:
                if enabled:
                    gc.enable()
        return self._built

    def _build(self) -> tuple[tuple[Fill, ...], tuple[Order, ...], tuple[Trade, ...]]:
        orders, fills, feed = self.record.orders, self.fills, self.feed
        if not orders:
            return (), (), ()
        symbol, strategy, levels = feed.symbol, self.strategy, self.levels
        ids = [f"O{number}" for number in range(1, len(orders) + 1)]
        signal_rows = self.signal_rows
        submitted_at = datetimes(feed.ts_close_ns[signal_rows[[o[SIGNAL] for o in orders]]])
        updated_at = datetimes(np.array([o[UPDATED] for o in orders], dtype=np.int64))
        reasons = [str(reason) for reason in self.reasons.tolist()]
        decimals: dict[int, Decimal] = {}  # one Decimal per quantity (entry, legs, exit share it)
        prices, slips = self.prices.build()
        fees = self.fees()
        price_of: dict[int, Decimal] = {}
        fill_objects = []
        fill_quantities = []
        fill_stamps = []
        exit_reasons = []
        for index, fill, price, fee, slip in zip(
            self.filled, fills, prices, fees, slips, strict=True
        ):
            price_of[index] = price
            quantity = decimals.get(fill[QUANTITY]) or decimals.setdefault(
                fill[QUANTITY], Decimal(fill[QUANTITY])
            )
            stamp = updated_at[index]
            fill_quantities.append(quantity)
            fill_stamps.append(stamp)
            kind = fill[KIND]
            exit_reasons.append(_EXIT_REASONS.get(kind) or reasons[fill[SIGNAL]])
            fill_objects.append(
                _new_fill(
                    (ids[index], symbol, SIDES[fill[SIDE]], quantity, price, fee, stamp, slip)
                )
            )
        children: dict[int, list[str]] = {}
        for index, order in enumerate(orders):
            if order[PARENT] >= 0:
                children.setdefault(order[PARENT], []).append(ids[index])
        order_objects = []
        for index, order in enumerate(orders):
            kind, status = order[KIND], order[STATUS]
            quantity = decimals.get(order[QUANTITY]) or decimals.setdefault(
                order[QUANTITY], Decimal(order[QUANTITY])
            )
            leg_price = (
                levels.decimal(order[SIGNAL], kind == STOP) if kind in (STOP, TARGET) else None
            )
            filled = status == FILLED
            order_objects.append(
                _new_order(
                    (
                        ids[index],
                        ids[index],
                        symbol,
                        SIDES[order[SIDE]],
                        _TYPES[kind],
                        quantity,
                        submitted_at[index],
                        leg_price if kind == TARGET else None,
                        leg_price if kind == STOP else None,
                        TimeInForce.GTC,
                        _ROLES[kind],
                        ids[order[PARENT]] if order[PARENT] >= 0 else None,
                        _STATUSES[status],
                        quantity if filled else ZERO,
                        price_of[index] if filled else None,
                        False,
                        None,
                        updated_at[index],
                        self.fraction if kind == ENTRY else None,
                        strategy,
                        _LEG_REASONS.get(kind) or reasons[order[SIGNAL]],
                        tuple(children.get(index, ())),
                    )
                )
            )
        trades = _round_trips(
            symbol,
            strategy,
            [SIDES[fill[SIDE]] for fill in fills],
            fill_quantities,
            prices,
            fees,
            fill_stamps,
            exit_reasons,
        )
        return tuple(fill_objects), tuple(order_objects), trades
