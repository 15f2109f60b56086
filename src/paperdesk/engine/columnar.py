"""A columnar fast path for the simplest runs (market orders, no brackets): a tight loop over the
signals instead of one event per order and visited bar; tests prove it equals the event kernel.

The loop keeps the real ``PortfolioLedger`` (so cash, positions, fills and round trips are booked
by the same code) and the real fee, slippage and sizing functions. It re-implements only the
order book of a run whose every order is a market order filling at the next open (or at the
signal bar's close), and the router's common case: whenever a filter or risk rule would reject or
trim, it asks the real ``SignalRouter`` with a real ``PortfolioView``, so reasons and trimmed
quantities are the router's own. Anything unforeseen raises ``ColumnarUnsupportedError`` and the run
is redone by the event kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analytics.metrics import compute_stats
from paperdesk.domain import (
    ZERO,
    Direction,
    Fill,
    Instrument,
    Order,
    OrderIntent,
    OrderRole,
    OrderStatus,
    OrderType,
    Position,
    Side,
    Signal,
    SignalRejected,
    TimeInForce,
)
from paperdesk.engine.config import BacktestConfig, FillTiming, SizeTiming
from paperdesk.engine.result import BacktestResult
from paperdesk.engine.wiring import slippage_model
from paperdesk.execution import (
    FeeModel,
    FixedBasisPoints,
    NoFee,
    NoSlippage,
    PercentOfNotional,
    SlippageModel,
    parse_fee_model,
)
from paperdesk.portfolio import PortfolioLedger
from paperdesk.routing import SignalRouter
from paperdesk.routing.affordability import max_affordable_quantity

Progress = Callable[[int, int], None]
FeeEstimator = Callable[[Decimal, Decimal], Decimal]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HUNDRED = Decimal(100)
_SIZING_METHODS = ("percent-equity", "fixed", "lots")
_DIRECTIONS = {int(direction): direction for direction in Direction}
_LONG, _SHORT, _FLAT = Direction.LONG, Direction.SHORT, Direction.FLAT
_BUY, _SELL = Side.BUY, Side.SELL
_ENTRY, _EXIT = OrderRole.ENTRY, OrderRole.EXIT
_MARKET, _GTC = OrderType.MARKET, TimeInForce.GTC
_ACCEPTED, _FILLED, _CANCELED = OrderStatus.ACCEPTED, OrderStatus.FILLED, OrderStatus.CANCELED
_NO_SYMBOLS: frozenset[str] = frozenset()


class ColumnarUnsupportedError(Exception):
    """The run met something the fast path does not reproduce; the event kernel must run it."""


class BarColumns(Protocol):
    """The bar history as column arrays (``engine.backtest._BarArrays``)."""

    @property
    def symbol(self) -> str: ...
    @property
    def timeframe(self) -> str: ...
    @property
    def length(self) -> int: ...
    @property
    def opens(self) -> npt.NDArray[np.float64]: ...
    @property
    def closes(self) -> npt.NDArray[np.float64]: ...
    @property
    def ts_open_ns(self) -> npt.NDArray[np.int64]: ...
    @property
    def ts_close_ns(self) -> npt.NDArray[np.int64]: ...
    @property
    def valid(self) -> npt.NDArray[np.bool_]: ...


# ------------------------------------------------------------------------------ eligibility


def eligible(
    config: BacktestConfig, frame: pd.DataFrame, feed: BarColumns, instrument: Instrument
) -> bool:
    """Whether the fast path reproduces this run: a small, explicitly listed subset."""
    return (
        _config_eligible(config)
        and type(slippage_model(config, instrument)) in (NoSlippage, FixedBasisPoints)
        and _signals_eligible(frame)
        and _bars_eligible(feed)
    )


def _bars_eligible(feed: BarColumns) -> bool:
    """Every bar valid, and each opens no earlier (in microseconds) than the previous closes,
    so an order submitted at a close is always eligible at the next bar's open."""
    opens_us = feed.ts_open_ns[1:] // 1000
    closes_us = feed.ts_close_ns[:-1] // 1000
    return bool(feed.valid.all() and (opens_us >= closes_us).all())


def _config_eligible(config: BacktestConfig) -> bool:
    execution, risk, sizing = config.execution, config.risk, config.sizing
    return (
        execution.volume_cap is None
        and execution.fill_timing in (FillTiming.NEXT_OPEN, FillTiming.CLOSE)
        and type(parse_fee_model(execution.commission)) in (NoFee, PercentOfNotional)
        and risk.max_holding_bars is None
        and risk.daily_loss_limit_percent is None
        and risk.cooldown_bars == 0
        and risk.pyramiding is False
        and (risk.max_open_positions is None or risk.max_open_positions >= 1)
        and sizing.method in _SIZING_METHODS
        and (sizing.timing is SizeTiming.SIGNAL or sizing.method == "percent-equity")
    )


def _signals_eligible(frame: pd.DataFrame) -> bool:
    """No stops, no targets, valid directions and confidences (else the event path explains)."""
    confidences = frame["confidence"].to_numpy(dtype=np.float64)
    directions = frame["direction"].to_numpy()
    return bool(
        np.isnan(frame["stop"].to_numpy(dtype=np.float64)).all()
        and np.isnan(frame["target"].to_numpy(dtype=np.float64)).all()
        and ((confidences >= 0.0) & (confidences <= 1.0)).all()
        and np.isin(directions, (-1, 0, 1)).all()
    )


# ------------------------------------------------------------------------------ the run


def run_columnar(
    config: BacktestConfig,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
    feed: BarColumns,
    instrument: Instrument,
    router: SignalRouter,
    strategy_name: str,
    progress: Progress | None = None,
) -> BacktestResult:
    """Simulate an eligible run; raises ``ColumnarUnsupportedError`` if it meets anything else."""
    run = _ColumnarRun(config, feed, instrument, router, strategy_name)
    run.walk(signal_rows, frame, progress)
    return run.result(config)


class _ColumnarRun:
    """One run's state: the ledger, the orders in submission order and the orders still open."""

    def __init__(
        self,
        config: BacktestConfig,
        feed: BarColumns,
        instrument: Instrument,
        router: SignalRouter,
        strategy_name: str,
    ) -> None:
        self.feed = feed
        self.instrument = instrument
        self.symbol = feed.symbol
        self.router = router
        self.strategy_name = strategy_name
        self.ledger = PortfolioLedger(config.cash)
        self.fee_model: FeeModel = parse_fee_model(config.execution.commission)
        self.slippage: SlippageModel = slippage_model(config, instrument)
        self.fill_at_close = config.execution.fill_timing is FillTiming.CLOSE
        self.rules = _RouterRules(config, instrument, strategy_name, self.estimate_fee)
        self.orders: list[Order] = []
        self.open_orders: list[int] = []  # indices into ``orders``, awaiting the next open
        self.open_orders_row = -1
        self.rejections: list[SignalRejected] = []
        self.signals_seen = 0
        self.change_index: list[int] = []
        self.change_cash: list[Decimal] = []
        self.change_quantity: list[Decimal] = []
        self._prices: dict[float, Decimal] = {}
        self._slipped: dict[tuple[Decimal, Side], Decimal] = {}

    def estimate_fee(self, quantity: Decimal, price: Decimal) -> Decimal:
        return self.fee_model.fee(quantity, price, self.instrument)

    # -------------------------------------------------------------------------- walking

    def walk(
        self,
        signal_rows: npt.NDArray[np.intp],
        frame: pd.DataFrame,
        progress: Progress | None,
    ) -> None:
        """Visit the signal rows in order; open orders fill at the open of the row after theirs."""
        n = self.feed.length
        order = np.argsort(signal_rows, kind="stable")
        rows: list[int] = signal_rows[order].tolist()
        positions: list[int] = order.tolist()
        directions: list[int] = frame["direction"].to_numpy().tolist()
        confidences: list[float] = frame["confidence"].to_numpy(dtype=np.float64).tolist()
        reasons: list[object] = frame["reason"].to_numpy().tolist()
        step, next_report = max(n // 100, 1), 0
        for pointer, row in enumerate(rows):
            if self.open_orders and self.open_orders_row < row:
                self._fill_open_orders(self.open_orders_row + 1)
            k = positions[pointer]
            self._route(row, directions[k], confidences[k], str(reasons[k]))
            if progress is not None and row >= next_report:
                progress(row, n)
                next_report = row + step
        if self.open_orders and self.open_orders_row + 1 < n:
            self._fill_open_orders(self.open_orders_row + 1)
        if progress is not None:
            progress(n, n)

    def _price(self, value: float) -> Decimal:
        """The exact Decimal of a bar price, as the event path converts it (memoised)."""
        exact = self._prices.get(value)
        if exact is None:
            if len(self._prices) >= 100_000:
                self._prices.clear()
            exact = self._prices[value] = Decimal(repr(value))
        return exact

    # -------------------------------------------------------------------------- routing

    def _route(self, row: int, direction_value: int, confidence: float, reason: str) -> None:
        self.signals_seen += 1
        feed, ledger, symbol = self.feed, self.ledger, self.symbol
        close = self._price(float(feed.closes[row]))
        ts = _to_datetime(int(feed.ts_close_ns[row]))
        direction = _DIRECTIONS[direction_value]
        prices = {symbol: close}
        intents = self.rules.common_case(
            direction,
            confidence,
            reason,
            ledger.cash,
            ledger.equity(prices),
            ledger.positions,
            close,
        )
        if intents is None:
            signal = Signal._make(
                (self.strategy_name, symbol, direction, ts, confidence, None, None, None, reason)
            )
            open_symbols = frozenset((symbol,)) if self.open_orders else _NO_SYMBOLS
            view = ledger.view(ts, prices, open_order_symbols=open_symbols)
            decision = self.router.route(signal, view, self.instrument, close, row)
            if decision.rejection is not None:
                self.rejections.append(SignalRejected(ts, signal, decision.rejection))
                return
            intents = decision.intents
        for intent in intents:
            self._submit(intent, row, ts, close)

    def _submit(self, intent: OrderIntent, row: int, ts: datetime, close: Decimal) -> None:
        if intent.role is _EXIT and self.open_orders:
            raise ColumnarUnsupportedError("an exit would replace the working orders")
        lot = self.instrument.lot_size
        if intent.size_fraction is None and intent.quantity % lot != 0:
            raise ColumnarUnsupportedError("the venue would reject an order that is not whole lots")
        index = len(self.orders)
        order_id = f"O{index + 1}"
        self.orders.append(
            Order._make(
                (
                    order_id,
                    order_id,
                    intent.symbol,
                    intent.side,
                    intent.order_type,
                    intent.quantity,
                    ts,
                    intent.limit_price,
                    intent.stop_price,
                    intent.time_in_force,
                    intent.role,
                    None,
                    _ACCEPTED,
                    ZERO,
                    None,
                    False,
                    None,
                    ts,
                    intent.size_fraction,
                    intent.strategy,
                    intent.reason,
                    (),
                )
            )
        )
        if self.fill_at_close:
            self._fill(index, close, ts)
            self._record_change(row)
        else:
            self.open_orders.append(index)
            self.open_orders_row = row

    # -------------------------------------------------------------------------- filling

    def _fill_open_orders(self, row: int) -> None:
        """Fill the open orders at ``row``'s open: exits, then entries, each booked in turn."""
        raw = self._price(float(self.feed.opens[row]))
        ts = _to_datetime(int(self.feed.ts_open_ns[row]))
        orders = self.orders
        pending = self.open_orders
        queue = [i for i in pending if orders[i].role is not _ENTRY]
        queue.extend(i for i in pending if orders[i].role is _ENTRY)
        self.open_orders = []
        for index in queue:
            self._fill(index, raw, ts)
        self._record_change(row)

    def _fill(self, index: int, raw_price: Decimal, ts: datetime) -> None:
        """``OrderManager._execute`` for a market order without volume cap."""
        order = self.orders[index]
        side = order.side
        price = self._slip(raw_price, side)
        if order.filled_quantity == 0 and (order.size_fraction is not None or order.role is _ENTRY):
            resolved = self.instrument.round_quantity(self._size_at_fill(order, price))
            all_in = order.size_fraction is not None
            quantity = resolved if all_in else min(order.quantity, resolved)
            if quantity <= 0:
                self.orders[index] = order._replace(status=_CANCELED, ts_updated=ts)
                return
            if quantity != order.quantity:
                order = order._replace(quantity=quantity)
        quantity = order.quantity - order.filled_quantity
        filled = order.filled_quantity + quantity
        order = order._replace(
            status=_FILLED, filled_quantity=filled, average_price=price, ts_updated=ts
        )
        self.orders[index] = order
        fee = self.fee_model.fee(quantity, price, self.instrument)
        slipped = price - raw_price if side is _BUY else raw_price - price
        fill = Fill._make((order.order_id, order.symbol, side, quantity, price, fee, ts, slipped))
        self.ledger.apply_fill(
            fill, strategy=order.strategy, reason=order.reason or order.role.value
        )

    def _slip(self, raw_price: Decimal, side: Side) -> Decimal:
        key = (raw_price, side)
        price = self._slipped.get(key)
        if price is None:
            if len(self._slipped) >= 100_000:
                self._slipped.clear()
            price = self._slipped[key] = self.slippage.adjust(raw_price, side, self.instrument)
        return price

    def _size_at_fill(self, order: Order, price: Decimal) -> Decimal:
        """``TradingKernel._resolve_quantity`` (an entry re-checked at its fill price): the common
        case here, the router otherwise."""
        ledger = self.ledger
        prices = {order.symbol: price}
        fraction = order.size_fraction
        if not ledger.positions:
            cash, equity = ledger.cash, ledger.equity(prices)
            if fraction is not None:
                fitted = self.rules.fitting_entry(fraction, order.side, cash, equity, price)
                if fitted is not None:
                    return fitted
            elif order.quantity > 0 and self.rules.fits(
                order.quantity, order.side, cash, equity, price
            ):
                return order.quantity
        view = ledger.view(order.ts_submitted, prices)
        intent = OrderIntent._make(
            (
                order.symbol,
                order.side,
                order.quantity,
                _MARKET,
                None,
                None,
                _GTC,
                order.role,
                None,
                None,
                fraction,
                order.strategy,
                "",
            )
        )
        return self.router.size_at_fill(intent, view, self.instrument, price)

    # -------------------------------------------------------------------------- results

    def _record_change(self, row: int) -> None:
        cash = self.ledger.cash
        quantity = self.ledger.position(self.symbol).quantity
        if self.change_index and self.change_index[-1] == row:
            self.change_cash[-1] = cash
            self.change_quantity[-1] = quantity
            return
        self.change_index.append(row)
        self.change_cash.append(cash)
        self.change_quantity.append(quantity)

    def equity_arrays(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """The float equity at every close and whether a position is held (as the driver's)."""
        n = self.feed.length
        start = float(self.ledger.starting_cash)
        if not self.change_index:
            return np.full(n, start), np.zeros(n, dtype=bool)
        index = np.asarray(self.change_index, dtype=np.int64)
        cash = np.asarray([float(c) for c in self.change_cash])
        quantity = np.asarray([float(q) for q in self.change_quantity])
        segment = np.searchsorted(index, np.arange(n), side="right") - 1
        known = segment >= 0
        safe = np.where(known, segment, 0)
        cash_at = np.where(known, cash[safe], start)
        quantity_at = np.where(known, quantity[safe], 0.0)
        return cash_at + quantity_at * self.feed.closes, quantity_at != 0

    def result(self, config: BacktestConfig) -> BacktestResult:
        feed, ledger = self.feed, self.ledger
        last_close = Decimal(repr(float(feed.closes[-1])))
        final_equity = ledger.equity({feed.symbol: last_close})
        ledger.check_invariants()
        equity, in_market = self.equity_arrays()
        close_index = pd.to_datetime(feed.ts_close_ns, utc=True)
        curve = pd.Series(equity, index=close_index, name="equity")
        stats = compute_stats(
            curve,
            ledger.trades,
            in_market=in_market,
            start_equity=float(ledger.starting_cash),
            ambiguous_bars=0,
            fees=float(ledger.fees),
            benchmark_close=pd.Series(feed.closes, index=close_index),
        )
        return BacktestResult(
            config=config,
            symbol=feed.symbol,
            timeframe=feed.timeframe,
            final_equity=final_equity,
            final_cash=ledger.cash,
            stats=stats,
            trades=tuple(ledger.trades),
            fills=tuple(ledger.fills),
            orders=tuple(self.orders),
            rejections=tuple(self.rejections),
            equity_curve=curve,
            bars=feed.length,
            signals=self.signals_seen,
        )


class _RouterRules:
    """The router's decisions in the case where no filter or risk rule rejects or trims.

    Each method returns None whenever the router would say anything else, so the caller asks
    the real router; the arithmetic is the router's own, expression for expression.
    """

    def __init__(
        self,
        config: BacktestConfig,
        instrument: Instrument,
        strategy_name: str,
        estimate_fee: FeeEstimator,
    ) -> None:
        risk, sizing = config.risk, config.sizing
        self.instrument = instrument
        self.strategy_name = strategy_name
        self.symbol = instrument.symbol
        self.estimate_fee = estimate_fee
        self.min_confidence = risk.min_confidence
        self.symbol_allowed = not risk.allowed_symbols or instrument.symbol in set(
            risk.allowed_symbols
        )
        self.allow_short = risk.allow_short
        self.exposure_fraction = _fraction(risk.exposure_cap_percent)
        self.position_fraction = _fraction(risk.max_position_percent)
        self.equity_fraction: Decimal | None = None  # percent-equity at the signal
        self.fill_fraction: Decimal | None = None  # percent-equity at the fill
        self.fixed_quantity: Decimal | None = None
        if sizing.method == "percent-equity":
            if sizing.timing is SizeTiming.FILL:
                self.fill_fraction = sizing.percent / _HUNDRED
            else:
                self.equity_fraction = sizing.percent / _HUNDRED
        elif sizing.method == "fixed":
            self.fixed_quantity = instrument.round_quantity(sizing.quantity)
        else:
            self.fixed_quantity = instrument.round_quantity(sizing.lots * instrument.contract_size)

    def common_case(
        self,
        direction: Direction,
        confidence: float,
        reason: str,
        cash: Decimal,
        equity: Decimal,
        positions: Mapping[str, Position],
        price: Decimal,
    ) -> tuple[OrderIntent, ...] | None:
        """``SignalRouter.route`` when nothing rejects or trims; None when something would."""
        if confidence < self.min_confidence or not self.symbol_allowed:
            return None
        position = positions.get(self.symbol)
        held = ZERO if position is None else position.quantity
        if (held > 0 and direction is _LONG) or (held < 0 and direction is _SHORT):
            return None  # one position per symbol
        if direction is _FLAT:
            return (self._exit(held, reason),) if held else None
        long = direction is _LONG
        exits: tuple[OrderIntent, ...] = ()
        if held and (held > 0) is not long:
            exits = (self._exit(held, reason),)
            if not long and not self.allow_short:
                return exits
            fee = self.estimate_fee(abs(held), price)
            cash = cash + held * price - fee
            equity = equity + held * (price - price) - fee
        elif not long and not self.allow_short:
            return None
        entry = self._entry(_BUY if long else _SELL, reason, cash, equity, price)
        return None if entry is None else (*exits, entry)

    def _entry(
        self, side: Side, reason: str, cash: Decimal, equity: Decimal, price: Decimal
    ) -> OrderIntent | None:
        if self.fill_fraction is not None:
            quantity = self.fitting_entry(self.fill_fraction, side, cash, equity, price)
        else:
            quantity = self._signal_size(equity, price)
            if quantity is not None and not self.fits(quantity, side, cash, equity, price):
                return None
        if quantity is None:
            return None
        return OrderIntent._make(
            (
                self.symbol,
                side,
                quantity,
                _MARKET,
                None,
                None,
                _GTC,
                _ENTRY,
                None,
                None,
                self.fill_fraction,
                self.strategy_name,
                reason,
            )
        )

    def _signal_size(self, equity: Decimal, price: Decimal) -> Decimal | None:
        if self.fixed_quantity is not None:
            quantity = self.fixed_quantity
        else:
            assert self.equity_fraction is not None
            quantity = max_affordable_quantity(
                equity * self.equity_fraction, price, self.instrument, self.estimate_fee
            )
        return quantity if quantity > 0 else None

    def fitting_entry(
        self, fraction: Decimal, side: Side, cash: Decimal, equity: Decimal, price: Decimal
    ) -> Decimal | None:
        """The all-in quantity of ``fraction`` of equity, when no risk rule trims or rejects it
        (``SignalRouter.size_at_fill`` with no position open)."""
        quantity = max_affordable_quantity(
            equity * fraction, price, self.instrument, self.estimate_fee
        )
        if quantity <= 0 or not self.fits(quantity, side, cash, equity, price):
            return None
        return quantity

    def fits(
        self, quantity: Decimal, side: Side, cash: Decimal, equity: Decimal, price: Decimal
    ) -> bool:
        """Every risk rule passes an entry unchanged, with no position open in the view."""
        notional = quantity * price
        if self.position_fraction is not None and notional > equity * self.position_fraction:
            return False
        if self.exposure_fraction is not None and notional > equity * self.exposure_fraction:
            return False
        cost = notional + self.estimate_fee(quantity, price)
        return cost <= (cash if side is _BUY else equity)

    def _exit(self, held: Decimal, reason: str) -> OrderIntent:
        return OrderIntent._make(
            (
                self.symbol,
                _SELL if held > 0 else _BUY,
                abs(held),
                _MARKET,
                None,
                None,
                _GTC,
                _EXIT,
                None,
                None,
                None,
                self.strategy_name,
                reason,
            )
        )


def _fraction(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else percent / _HUNDRED


def _to_datetime(nanoseconds: int) -> datetime:
    return _EPOCH + timedelta(0, 0, nanoseconds // 1000)
