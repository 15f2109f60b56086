"""The result objects of a bracket run (orders, fills, round trips) from the loop's integer
orders, built with the Decimals the order book, venue and ledger use (the leg prices of
``bracket_levels``, the fill prices of ``bracket_prices``), so values and exponents agree; built
only when a result's ``orders``, ``fills`` or ``trades`` is first read, and unable to fail then
(every check is made before the result exists). Tests prove them identical to the event
kernel's."""

from __future__ import annotations

import gc
from decimal import Decimal, getcontext, localcontext
from functools import partial
from itertools import repeat
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

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
    BracketRecord,
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
_LEG_REASONS = {STOP: "stop loss", TARGET: "take profit"}  # the order book's leg reasons
_EXIT_REASONS = {STOP: "stop-loss", TARGET: "take-profit"}  # a round trip's (``exit_reason``)


_READ: list[int] = []  # the place of an order row already made into its object


class BracketObjects:
    """Builds the fills, orders and round trips of a bracket run, at most once."""

    def __init__(
        self,
        record: BracketRecord,
        filled: list[int],
        fills: list[list[int]],
        prices: BracketFillPrices,
        levels: LegLevels,
        feed: OrderTimes,
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
        submitted_at = shared_datetimes(feed.ts_close_ns[signal_rows[[o[SIGNAL] for o in orders]]])
        updated_at = shared_datetimes(np.array([o[UPDATED] for o in orders], dtype=np.int64))
        reasons = [str(reason) for reason in self.reasons.tolist()]
        decimals: dict[int, Decimal] = {}  # one Decimal per quantity (entry, legs, exit share it)
        prices, slips = self.prices.build()
        fees = self.fees()
        price_of: dict[int, Decimal] = {}
        fill_objects = []
        fill_quantities = []
        fill_stamps = []
        exit_reasons = []
        fill_sides = []
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
            kind, side = fill[KIND], SIDES[fill[SIDE]]
            fill_sides.append(side)
            exit_reasons.append(_EXIT_REASONS.get(kind) or reasons[fill[SIGNAL]])
            fill_objects.append(
                _new_fill((ids[index], symbol, side, quantity, price, fee, stamp, slip))
            )
        children: dict[int, list[str]] = {}
        for index, order in enumerate(orders):
            if order[PARENT] >= 0:
                children.setdefault(order[PARENT], []).append(ids[index])
        self.fills = fills = []  # the fill rows are the order rows: let each go once read
        order_objects = []
        for index, order in enumerate(orders):
            orders[index] = _READ  # the record is read once: its rows go as the objects come
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
            fill_sides,
            fill_quantities,
            prices,
            fees,
            fill_stamps,
            exit_reasons,
        )
        return tuple(fill_objects), tuple(order_objects), trades
