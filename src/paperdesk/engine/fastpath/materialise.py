"""The fast path's entry point and materialiser: runs the integer loop, then builds the result
objects (fills, trades, orders, rejections, curve, stats) with the ledger's own Decimal arithmetic,
so every value and exponent matches; tests prove it identical to the event kernel."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import add, itemgetter, mul, sub
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.domain import (
    ZERO,
    Direction,
    Fill,
    Instrument,
    Order,
    OrderRole,
    OrderStatus,
    OrderType,
    PortfolioView,
    Position,
    Side,
    Signal,
    SignalRejected,
    TimeInForce,
    Trade,
    to_decimal,
)
from paperdesk.engine.config import BacktestConfig
from paperdesk.engine.equity_curve import datetime_index, equity_arrays
from paperdesk.engine.fastpath.eligibility import tick_places
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import AllInSizer, MoneyScale, slipped_ticks
from paperdesk.engine.fastpath.loop import ACCEPTED, ENTRY, EXIT, FILLED, LoopRecord, run_loop
from paperdesk.engine.result import BacktestResult, assemble_result
from paperdesk.engine.wiring import slippage_model
from paperdesk.execution import FeeModel, NoFee, NoSlippage, SlippageModel, parse_fee_model
from paperdesk.routing import SignalRouter, build_router

T = TypeVar("T")
_HUNDRED = Decimal(100)
_BUY, _SELL = Side.BUY, Side.SELL
_ENTRY_ROLE, _EXIT_ROLE = OrderRole.ENTRY, OrderRole.EXIT
_MARKET, _GTC = OrderType.MARKET, TimeInForce.GTC
_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.FILLED, OrderStatus.CANCELED)
_SIDES = {1: Side.BUY, -1: Side.SELL}
_new_fill = partial(tuple.__new__, Fill)
_new_order = partial(tuple.__new__, Order)
_new_trade = partial(tuple.__new__, Trade)
_FLAT_COST = ZERO * ZERO  # Position(symbol).cost_basis: quantity x average price, both 0
_DIRECTIONS = {int(direction): direction for direction in Direction}
_make_signal = Signal._make


class BarColumns(Protocol):
    """The bar history as column arrays (``engine.backtest._BarArrays``)."""

    symbol: str
    timeframe: str
    length: int
    opens: npt.NDArray[np.float64]
    closes: npt.NDArray[np.float64]
    ts_open_ns: npt.NDArray[np.int64]
    ts_close_ns: npt.NDArray[np.int64]


def run_fast_path(
    config: BacktestConfig,
    instrument: Instrument,
    feed: BarColumns,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
    strategy_name: str,
) -> BacktestResult:
    """The result of an eligible run (see ``eligibility``), equal to the event kernel's.

    Raises ``FastPathUnsupportedError`` when the run leaves what the loop reproduces.
    """
    places = tick_places(instrument)
    if places is None:
        raise FastPathUnsupportedError("tick size is not a power of ten")
    fee_model = parse_fee_model(config.execution.commission)
    slippage = slippage_model(config, instrument)
    scale = MoneyScale.for_run(places, fee_model)
    fraction = config.sizing.percent / _HUNDRED
    sizer = AllInSizer(fraction, scale)
    length = feed.length
    tick_scale = 10.0**places
    rows: list[int] = signal_rows.tolist()
    next_rows = np.minimum(signal_rows + 1, length - 1)
    raw_ticks: list[int] = np.rint(feed.opens[next_rows] * tick_scale).astype(np.int64).tolist()
    close_ticks: list[int] = (
        np.rint(feed.closes[signal_rows] * tick_scale).astype(np.int64).tolist()
    )
    fill_rows = [row + 1 if row + 1 < length else -1 for row in rows]
    if config.cash.adjusted() >= 20:
        raise FastPathUnsupportedError("starting cash too large for exact Decimal arithmetic")
    starting_cash = config.cash * 10**scale.money_places
    if starting_cash != starting_cash.to_integral_value():
        raise FastPathUnsupportedError("starting cash is finer than the money unit")
    record = run_loop(
        frame["direction"].to_numpy().tolist(),
        fill_rows,
        slipped_ticks(raw_ticks, True, slippage),
        slipped_ticks(raw_ticks, False, slippage),
        close_ticks,
        starting_cash=int(starting_cash),
        allow_short=config.risk.allow_short,
        scale=scale,
        sizer=sizer,
    )
    _check_magnitudes(record, scale)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Materialiser(
            config, instrument, feed, frame, rows, fill_rows, raw_ticks, strategy_name
        ).result(record, scale, fee_model, slippage, fraction)
    finally:
        if enabled:
            gc.enable()


def _check_magnitudes(record: LoopRecord, scale: MoneyScale) -> None:
    """The ledger's Decimals are exact (as the integers) only while they fit the context."""
    limit = 10**27
    largest_cash = max(map(abs, record.change_cash), default=0)
    largest_price = max((row[5] for row in record.orders), default=0)
    largest_quantity = max((row[3] for row in record.orders), default=0)
    largest_fill = largest_quantity * largest_price * (scale.units_per_tick + scale.fee_per_tick)
    all_fills = largest_fill * len(record.orders)  # bounds any partial sum of the fills
    if max(largest_cash, all_fills, abs(record.cash)) >= limit:
        raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")


class _Materialiser:
    """Builds the result objects from the loop's columns."""

    def __init__(
        self,
        config: BacktestConfig,
        instrument: Instrument,
        feed: BarColumns,
        frame: pd.DataFrame,
        rows: list[int],
        fill_rows: list[int],
        raw_ticks: list[int],
        strategy_name: str,
    ) -> None:
        self.config = config
        self.instrument = instrument
        self.feed = feed
        self.frame = frame
        self.rows = rows
        self.fill_rows = fill_rows
        self.raw_ticks = raw_ticks
        self.strategy_name = strategy_name
        self.symbol = feed.symbol
        self.reasons: list[str] = [str(reason) for reason in frame["reason"].to_numpy().tolist()]

    def result(
        self,
        record: LoopRecord,
        scale: MoneyScale,
        fee_model: FeeModel,
        slippage: SlippageModel,
        fraction: Decimal,
    ) -> BacktestResult:
        feed, config = self.feed, self.config
        fills, orders, trades, cash = self._build(record, fee_model, slippage, scale, fraction)
        rejections = self._rejections(record, scale)
        last_close = to_decimal(float(feed.closes[-1]))
        market_value = ZERO + Decimal(record.position) * last_close if record.position else ZERO
        final_equity = cash + market_value
        divisor = 10**scale.money_places
        equity, in_market = equity_arrays(
            float(config.cash),
            record.change_row,
            [units / divisor for units in record.change_cash],
            [float(quantity) for quantity in record.change_quantity],
            feed.closes,
        )
        return assemble_result(
            config,
            symbol=feed.symbol,
            timeframe=feed.timeframe,
            ts_close_ns=feed.ts_close_ns,
            closes=feed.closes,
            equity=equity,
            in_market=in_market,
            final_equity=final_equity,
            final_cash=cash,
            trades=trades,
            fills=fills,
            orders=orders,
            rejections=rejections,
            fees=sum(row[6] for row in record.orders) / divisor,
            ambiguous_bars=0,
            signals=len(self.frame),
        )

    def _build(
        self,
        record: LoopRecord,
        fee_model: FeeModel,
        slippage: SlippageModel,
        scale: MoneyScale,
        fraction: Decimal,
    ) -> tuple[list[Fill], list[Order], list[Trade], Decimal]:
        """Fills, orders and round trips, and the ledger's cash after the fills, built column by
        column with the Decimal operations the order manager and ledger use, so values and
        exponents agree (the equalities noted below hold because every amount is exact)."""
        symbol, instrument, strategy = self.symbol, self.instrument, self.strategy_name
        count = len(record.orders)
        if not count:
            return [], [], [], self.config.cash
        signal_of, roles, sides_in, quantities_in, statuses, ticks_in, _ = (
            list(column) for column in zip(*record.orders, strict=True)
        )
        ids = list(map("O{}".format, range(1, count + 1)))
        sides = list(map(_SIDES.__getitem__, sides_in))
        quantities = list(map(Decimal, quantities_in))
        # per signal: its bar's close (orders submitted) and the next bar's open (fills)
        closes_at = _datetimes(self.feed.ts_close_ns, self.rows)
        fill_rows = [max(row, 0) for row in self.fill_rows]
        feed = self.feed
        if np.array_equal(feed.ts_close_ns[self.rows], feed.ts_open_ns[fill_rows]):
            opens_at = closes_at  # contiguous bars: each opens when the previous one closes
        else:
            opens_at = _datetimes(feed.ts_open_ns, fill_rows)
        submitted = list(map(closes_at.__getitem__, signal_of))
        updated = list(map(opens_at.__getitem__, signal_of))
        reasons = list(map(self.reasons.__getitem__, signal_of))
        filled = [index for index, status in enumerate(statuses) if status == FILLED]
        pick = _picker(filled)

        # fills: the order manager's price (open, slipped), fee and slippage per unit
        raw_ticks = pick(list(map(self.raw_ticks.__getitem__, signal_of)))
        fill_sides = pick(sides)
        fill_side_signs = pick(sides_in)
        fill_quantities = pick(quantities)
        tick_scale = 10**scale.tick_places
        # the open's Decimal(repr(float)): eligibility put every open on the tick, so the float
        # is the one nearest ticks / 10**places
        raw_of = {tick: Decimal(repr(tick / tick_scale)) for tick in set(raw_ticks)}
        raws = list(map(raw_of.__getitem__, raw_ticks))
        if isinstance(slippage, NoSlippage):
            prices = raws
            slip_of_raw = {tick: raw - raw for tick, raw in raw_of.items()}
            slips = list(map(slip_of_raw.__getitem__, raw_ticks))
        else:
            keys = list(zip(raw_ticks, fill_side_signs, strict=True))
            price_of: dict[tuple[int, int], Decimal] = {}
            tick_unit = Decimal(1).scaleb(-scale.tick_places)
            for key, tick in zip(keys, pick(ticks_in), strict=True):
                if key not in price_of:
                    price = slippage.adjust(raw_of[key[0]], _SIDES[key[1]], instrument)
                    if price != tick * tick_unit:
                        raise FastPathUnsupportedError("integer slippage differs from the model")
                    price_of[key] = price
            slip_of = {
                key: (price - raw_of[key[0]] if key[1] > 0 else raw_of[key[0]] - price)
                for key, price in price_of.items()
            }
            prices = list(map(price_of.__getitem__, keys))
            slips = list(map(slip_of.__getitem__, keys))
        if isinstance(fee_model, NoFee):
            fees = [ZERO] * len(prices)  # NoFee.fee returns ZERO whatever it is asked
        else:
            fees = list(map(fee_model.fee, fill_quantities, prices, repeat(instrument)))
        stamps = pick(updated)
        fills = list(
            map(
                _new_fill,
                zip(
                    pick(ids),
                    repeat(symbol),
                    fill_sides,
                    fill_quantities,
                    prices,
                    fees,
                    stamps,
                    slips,
                    strict=False,  # repeat() columns are endless
                ),
            )
        )

        # the ledger's cash: a sum of exact amounts, so its value is the loop's and its exponent
        # the least of the starting cash's, the prices' (q x price: q has exponent 0) and fees'
        cash = self.config.cash
        if fills:
            exponents = [_exponent(cash), _exponent(sum(fees, ZERO))]
            exponents.extend(_exponent(price) for price in set(prices))
            cash = _at_exponent(record.cash, scale.money_places, min(exponents))

        # orders: a filled one carries its fill's quantity (ZERO + q is q: both exponent 0)
        averages: list[Decimal | None] = [None] * count
        done: list[Decimal] = [ZERO] * count
        for index, price, quantity in zip(filled, prices, fill_quantities, strict=True):
            averages[index] = price
            done[index] = quantity
        ts_updated = [
            stamp if status != ACCEPTED else ts
            for stamp, status, ts in zip(updated, statuses, submitted, strict=True)
        ]
        entries = [role == ENTRY for role in roles]
        orders = list(
            map(
                _new_order,
                zip(
                    ids,
                    ids,
                    repeat(symbol),
                    sides,
                    repeat(_MARKET),
                    quantities,
                    submitted,
                    repeat(None),
                    repeat(None),
                    repeat(_GTC),
                    [_ENTRY_ROLE if entry else _EXIT_ROLE for entry in entries],
                    repeat(None),
                    list(map(_STATUSES.__getitem__, statuses)),
                    done,
                    averages,
                    repeat(False),
                    repeat(None),
                    ts_updated,
                    [fraction if entry else None for entry in entries],
                    repeat(strategy),
                    reasons,
                    repeat(()),
                    strict=False,  # repeat() columns are endless
                ),
            )
        )

        # round trips: filled orders alternate entry, exit (an entry fills only when flat, an
        # exit closes the whole position), so fill 2i opens trade i and fill 2i+1 closes it
        fill_roles = pick(roles)
        if fill_roles[0::2].count(ENTRY) != len(fill_roles[0::2]) or fill_roles[1::2].count(
            EXIT
        ) != len(fill_roles[1::2]):
            raise FastPathUnsupportedError("fills do not alternate entry and exit")
        trade_count = len(fills) // 2
        entry_quantities = fill_quantities[0 : 2 * trade_count : 2]
        entry_prices = prices[0 : 2 * trade_count : 2]
        entry_sides = fill_sides[0 : 2 * trade_count : 2]
        exit_notionals = list(map(mul, fill_quantities[1::2], prices[1::2]))
        exit_signs = [1 if side is _BUY else -1 for side in entry_sides]
        # Position.apply: realized = closing x price x sign - cost, cost = 0x0 + signed x price
        costs = map(
            add,
            repeat(_FLAT_COST),
            map(
                mul,
                [
                    q if side is _BUY else -q
                    for q, side in zip(entry_quantities, entry_sides, strict=True)
                ],
                entry_prices,
            ),
        )
        realized = list(map(sub, map(mul, exit_notionals, exit_signs), costs))
        # OpenTrade: fees = 0 + fee x q / q (+ the same for the exit); fee x q / q is the fee,
        # exponent included, since the division is exact
        trade_fees = list(
            map(add, map(add, repeat(ZERO), fees[0 : 2 * trade_count : 2]), fees[1::2])
        )
        exit_reasons = [reason or _EXIT_ROLE.value for reason in pick(reasons)[1::2]]
        # OpenTrade.close: entry notional / quantity is the entry price (exponent <= 0)
        trades = list(
            map(
                _new_trade,
                zip(
                    repeat(symbol),
                    entry_sides,
                    entry_quantities,
                    entry_prices,
                    prices[1::2],
                    stamps[0 : 2 * trade_count : 2],
                    stamps[1::2],
                    trade_fees,
                    list(map(sub, map(add, repeat(ZERO), realized), trade_fees)),
                    repeat(strategy),
                    exit_reasons,
                    strict=False,  # repeat() columns are endless
                ),
            )
        )
        return fills, orders, trades, cash

    def _rejections(self, record: LoopRecord, scale: MoneyScale) -> list[SignalRejected]:
        """Rejected signals, with the reasons the real router gives."""
        if not record.rejected:
            return []
        config, instrument, symbol = self.config, self.instrument, self.symbol
        router = _router(config, instrument)
        directions = self.frame["direction"].to_numpy().tolist()
        confidences = self.frame["confidence"].to_numpy(dtype=np.float64).tolist()
        stamps = _datetimes(self.feed.ts_close_ns, [self.rows[k] for k, _, _ in record.rejected])
        rejections: list[SignalRejected] = []
        for number, (k, held, cash_units) in enumerate(record.rejected):
            row = self.rows[k]
            ts = stamps[number]
            signal = _make_signal(
                (
                    self.strategy_name,
                    symbol,
                    _DIRECTIONS[directions[k]],
                    ts,
                    confidences[k],
                    None,
                    None,
                    None,
                    self.reasons[k],
                )
            )
            close = to_decimal(float(self.feed.closes[row]))
            cash = scale.to_decimal(cash_units)
            positions = {symbol: Position(symbol, ZERO + Decimal(held))} if held else {}
            view = PortfolioView(
                ts, cash, cash + Decimal(held) * close, positions, {symbol: close}, None
            )
            decision = router.route(signal, view, instrument, close, row)
            if decision.rejection is None:
                raise FastPathUnsupportedError("the router accepted a signal the loop rejected")
            rejections.append(SignalRejected(ts, signal, decision.rejection))
        return rejections


def _router(config: BacktestConfig, instrument: Instrument) -> SignalRouter:
    fee_model = parse_fee_model(config.execution.commission)

    def estimate_fee(quantity: Decimal, price: Decimal) -> Decimal:
        return fee_model.fee(quantity, price, instrument)

    risk, sizing = config.risk, config.sizing
    return build_router(
        allow_short=risk.allow_short,
        exposure_cap_percent=None,
        sizing_method=sizing.method,
        percent=sizing.percent,
        size_at_fill=True,
        fee_estimator=estimate_fee,
    )


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise FastPathUnsupportedError(f"{value} is not finite")
    return exponent


def _at_exponent(units: int, places: int, exponent: int) -> Decimal:
    """``units`` x 10**-places as a Decimal with exactly ``exponent``."""
    shift = exponent + places
    if shift >= 0:
        coefficient, remainder = divmod(units, 10**shift)
        if remainder:
            raise FastPathUnsupportedError("cash is finer than its exponent")
    else:
        coefficient = units * 10**-shift
    return Decimal(coefficient).scaleb(exponent)


def _picker(indices: list[int]) -> Callable[[list[T]], list[T]]:
    """A function taking the items at ``indices`` from a list."""
    if not indices:
        return lambda items: []
    if len(indices) == 1:
        only = indices[0]
        return lambda items: [items[only]]
    getter = itemgetter(*indices)
    return lambda items: list(getter(items))


def _datetimes(nanoseconds: npt.NDArray[np.int64], rows: list[int]) -> list[datetime]:
    """The UTC datetimes of ``nanoseconds[rows]`` (equal to the event driver's ``_EPOCH +
    microseconds`` for the whole microseconds after the epoch that eligibility asks)."""
    if not rows:
        return []
    values = nanoseconds[np.asarray(rows, dtype=np.intp)]
    stamps: list[datetime] = datetime_index(values).to_pydatetime().tolist()
    return stamps
