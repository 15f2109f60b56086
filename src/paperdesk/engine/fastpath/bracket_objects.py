"""The result objects of a bracket run (orders, fills, round trips) from the loop's integer
orders, built with the Decimals the order book, venue and ledger use (the leg prices of
``bracket_levels``, the fill prices of ``bracket_prices``), so values and exponents agree; built
only when a result's ``orders``, ``fills`` or ``trades`` is first read, and unable to fail then
(every check is made before the result exists). Tests prove them identical to the event
kernel's."""

from __future__ import annotations

from decimal import Decimal, getcontext, localcontext
from functools import partial
from itertools import repeat
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.collector import collector_paused
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
)
from paperdesk.engine.fastpath.bracket_columns import order_columns
from paperdesk.engine.fastpath.bracket_levels import LegLevels
from paperdesk.engine.fastpath.bracket_loop import (
    ACCEPTED,
    CANCELED,
    ENTRY,
    EXIT,
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
    UPDATED,
)
from paperdesk.engine.fastpath.bracket_prices import BracketFillPrices
from paperdesk.engine.fastpath.columns import SIDES, shared_datetimes
from paperdesk.engine.fastpath.objects import _round_trips
from paperdesk.execution import FeeModel, NoFee


class OrderTimes(Protocol):
    """The bar times the objects are stamped with (``engine.backtest._BarArrays``)."""

    symbol: str
    ts_close_ns: npt.NDArray[np.int64]


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
_FIELDS = (SIGNAL, KIND, SIDE, STATUS, PARENT, QUANTITY, UPDATED)  # what the objects read
_LEG_REASONS = {STOP: "stop loss", TARGET: "take profit"}  # the order book's leg reasons
_EXIT_REASONS = {STOP: "stop-loss", TARGET: "take-profit"}  # a round trip's (``exit_reason``)


class BracketObjects:
    """Builds the fills, orders and round trips of a bracket run, at most once. Keeps only the
    order columns they are made from (not the loop's rows, the bars or the signal frame), so
    the run's record is gone before the objects are built."""

    def __init__(
        self,
        orders: list[list[int]],
        fills: list[list[int]],
        prices: BracketFillPrices,
        levels: LegLevels,
        feed: OrderTimes,
        frame: pd.DataFrame,
        signal_rows: npt.NDArray[np.intp],
        strategy: str,
        fraction: Decimal | None,
        fee_model: FeeModel,
        instrument: Instrument,
        holding_exits: tuple[npt.NDArray[np.int64], str] | None = None,
    ) -> None:
        """``orders``: the loop's order rows; ``fills``: the FILLED ones, in order. Both are let
        go as the objects are built, made from their columns (``bracket_columns``).
        ``holding_exits``: the submission times and reason of the orders of no signal (a
        holding limit's exits, of no strategy), numbered after the signals."""
        self.orders = orders
        self.fills = fills
        self.signal_ns = feed.ts_close_ns[signal_rows]  # each signal's bar's close
        self.symbol = feed.symbol
        self.prices = prices
        self.levels = levels
        self.reasons = frame["reason"].to_numpy()
        self.first_strategyless = len(signal_rows)
        if holding_exits is not None:
            self.signal_ns = np.concatenate([self.signal_ns, holding_exits[0]])
            self.reasons = np.concatenate(
                [self.reasons, np.array([holding_exits[1]] * len(holding_exits[0]), dtype=object)]
            )
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
            with collector_paused(), localcontext(self._context):  # acyclic tuples only
                self._built = self._build()
        return self._built

    def _build(self) -> tuple[tuple[Fill, ...], tuple[Order, ...], tuple[Trade, ...]]:
        if not self.orders:
            return (), (), ()
        prices, slips = self.prices.build()
        fees = self.fees()
        columns = order_columns(self.orders, _FIELDS)
        self.prices.release()
        self.orders = self.fills = []  # the rows go: the objects take their room
        kinds, sides, signals = columns[KIND], columns[SIDE], columns[SIGNAL]
        statuses, parents, quantities = columns[STATUS], columns[PARENT], columns[QUANTITY]
        filled = np.flatnonzero(np.asarray(statuses) == FILLED).tolist()
        symbol, strategy, levels = self.symbol, self.strategy, self.levels
        first_strategyless = self.first_strategyless
        ids = [f"O{number}" for number in range(1, len(kinds) + 1)]
        submitted_at = shared_datetimes(self.signal_ns[np.asarray(signals, dtype=np.intp)])
        updated_at = shared_datetimes(np.asarray(columns[UPDATED], dtype=np.int64))
        reasons = [str(reason) for reason in self.reasons.tolist()]
        decimals: dict[int, Decimal] = {}  # one Decimal per quantity (entry, legs, exit share it)
        fill_objects = []
        fill_quantities = []
        fill_stamps = []
        exit_reasons = []
        fill_sides = []
        for index, price, fee, slip in zip(filled, prices, fees, slips, strict=True):
            units = quantities[index]
            quantity = decimals.get(units) or decimals.setdefault(units, Decimal(units))
            stamp = updated_at[index]
            fill_quantities.append(quantity)
            fill_stamps.append(stamp)
            kind, side = kinds[index], SIDES[sides[index]]
            fill_sides.append(side)
            exit_reasons.append(_EXIT_REASONS.get(kind) or reasons[signals[index]])
            fill_objects.append(
                _new_fill((ids[index], symbol, side, quantity, price, fee, stamp, slip))
            )
        count = len(kinds)
        fill_prices = iter(prices)  # the fills are the FILLED orders, in order
        order_objects = []
        for index, (kind, status, side, signal, parent, units) in enumerate(
            zip(kinds, statuses, sides, signals, parents, quantities, strict=True)
        ):
            quantity = decimals.get(units) or decimals.setdefault(units, Decimal(units))
            leg_price = levels.decimal(signal, kind == STOP) if kind in (STOP, TARGET) else None
            children: tuple[str, ...] = ()
            if kind == ENTRY:  # its legs follow it (``bracket_loop._add_entry``)
                last = index + 1
                while last < count and parents[last] == index:
                    last += 1
                children = tuple(ids[index + 1 : last])
            filled = status == FILLED
            order_objects.append(
                _new_order(
                    (
                        ids[index],
                        ids[index],
                        symbol,
                        SIDES[side],
                        _TYPES[kind],
                        quantity,
                        submitted_at[index],
                        leg_price if kind == TARGET else None,
                        leg_price if kind == STOP else None,
                        TimeInForce.GTC,
                        _ROLES[kind],
                        ids[parent] if parent >= 0 else None,
                        _STATUSES[status],
                        quantity if filled else ZERO,
                        next(fill_prices) if filled else None,
                        False,
                        None,
                        updated_at[index],
                        self.fraction if kind == ENTRY else None,
                        strategy if signal < first_strategyless else "",
                        _LEG_REASONS.get(kind) or reasons[signal],
                        children,
                    )
                )
            )
        trades = _round_trips(
            symbol,
            strategy,
            fill_sides,
            fill_quantities,
            prices,
            fees,
            fill_stamps,
            exit_reasons,
        )
        return tuple(fill_objects), tuple(order_objects), trades
