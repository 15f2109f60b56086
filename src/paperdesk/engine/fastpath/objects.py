"""The fast path's result objects (orders, fills, round trips) from the loop's columns, built with
the Decimal operations the venue and ledger use, so values and exponents agree; tests
prove them identical to the event kernel's.

``ResultObjects.build`` runs only when a result's ``orders``, ``fills`` or ``trades`` is first
read (``engine.result.Deferred``); it cannot fail, since every check (slippage, alternation,
magnitudes) is made before the result is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, getcontext, localcontext
from functools import partial
from itertools import repeat
from operator import add, mul, sub
from typing import Any

import numpy as np
import numpy.typing as npt

from paperdesk.collector import collector_paused
from paperdesk.domain import (
    ZERO,
    Fill,
    Instrument,
    Order,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
    Trade,
)
from paperdesk.domain.money import plus
from paperdesk.engine.fastpath.columns import SIDES, FillPrices, OrderColumns, datetimes
from paperdesk.engine.fastpath.loop import ACCEPTED, ENTRY
from paperdesk.engine.result import Deferred
from paperdesk.execution import FeeModel, NoFee

_BUY = Side.BUY
_ENTRY_ROLE, _EXIT_ROLE = OrderRole.ENTRY, OrderRole.EXIT
_MARKET, _GTC = OrderType.MARKET, TimeInForce.GTC
_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.FILLED, OrderStatus.CANCELED)
_new_fill = partial(tuple.__new__, Fill)
_new_order = partial(tuple.__new__, Order)
_new_trade = partial(tuple.__new__, Trade)
_FLAT_COST = ZERO * ZERO  # Position(symbol).cost_basis: quantity x average price, both 0


@dataclass(frozen=True, slots=True)
class ObjectInputs:
    """What the objects are built from, besides the loop's columns."""

    symbol: str
    instrument: Instrument
    strategy: str
    fraction: Decimal | None  # the entries' size fraction (None: sized at the signal)
    submitted_ns: npt.NDArray[np.int64]  # each signal's bar close: its orders' submission
    filled_ns: npt.NDArray[np.int64]  # the next bar's open: their fills (any, if none)
    fill_raw_ticks: npt.NDArray[np.int64]  # each fill's bar's open, in ticks
    reasons: Callable[[], list[str]]  # each signal's reason
    fee_model: FeeModel
    # the first order number in the signal column that is no signal's (a holding exit, of no
    # strategy: ``holding``), None when every order is a signal's
    strategyless_from: int | None = None


class ResultObjects:
    """Builds fills, orders and round trips column by column, at most once."""

    def __init__(self, inputs: ObjectInputs, columns: OrderColumns, prices: FillPrices) -> None:
        self._inputs = inputs
        self._columns = columns
        self._prices = prices
        self._fill_prices: list[Decimal] | None = None
        self._fees: list[Decimal] | None = None
        self._built: tuple[tuple[Fill, ...], tuple[Order, ...], tuple[Trade, ...]] | None = None
        self._context = getcontext().copy()  # the run's Decimal context, for a later build

    def deferred(self) -> tuple[Deferred[Fill], Deferred[Order], Deferred[Trade]]:
        return (
            Deferred(lambda: self.build()[0]),
            Deferred(lambda: self.build()[1]),
            Deferred(lambda: self.build()[2]),
        )

    @property
    def fill_count(self) -> int:
        return self._columns.fill_count

    @property
    def fee_model(self) -> FeeModel:
        return self._inputs.fee_model

    def fill_prices(self) -> list[Decimal]:
        if self._fill_prices is None:
            columns = self._columns
            sides = columns.pick(columns.sides)
            raw_ticks = self._inputs.fill_raw_ticks.tolist()
            self._fill_prices = self._prices.prices(raw_ticks, sides)
        return self._fill_prices

    def fees(self) -> list[Decimal]:
        """Each fill's fee, as the fee model gives it (NoFee gives ZERO whatever it is asked)."""
        if self._fees is None:
            with localcontext(self._context):
                self._fees = self._compute_fees()
        return self._fees

    def _compute_fees(self) -> list[Decimal]:
        fee_model = self._inputs.fee_model
        if isinstance(fee_model, NoFee):
            return [ZERO] * len(self._columns.filled)
        quantities = map(Decimal, self._columns.pick(self._columns.quantities))
        instrument = repeat(self._inputs.instrument)
        return list(map(fee_model.fee, quantities, self.fill_prices(), instrument))

    def build(self) -> tuple[tuple[Fill, ...], tuple[Order, ...], tuple[Trade, ...]]:
        if self._built is None:
            with collector_paused(), localcontext(self._context):  # acyclic tuples only
                self._built = self._build()
        return self._built

    def _build(self) -> tuple[tuple[Fill, ...], tuple[Order, ...], tuple[Trade, ...]]:
        inputs, columns = self._inputs, self._columns
        symbol, strategy = inputs.symbol, inputs.strategy
        count = len(columns.signal_of)
        if not count:
            return (), (), ()
        signal_of, pick = columns.signal_of, columns.pick
        ids = list(map("O{}".format, range(1, count + 1)))
        sides = list(map(SIDES.__getitem__, columns.sides))
        quantities = list(map(Decimal, columns.quantities))
        # per signal: its bar's close (orders submitted) and the next bar's open (fills)
        closes_at = datetimes(inputs.submitted_ns)
        if np.array_equal(inputs.submitted_ns, inputs.filled_ns):
            opens_at = closes_at  # contiguous bars: each opens when the previous one closes
        else:
            opens_at = datetimes(inputs.filled_ns)
        submitted = list(map(closes_at.__getitem__, signal_of))
        updated = list(map(opens_at.__getitem__, signal_of))
        reasons = list(map(inputs.reasons().__getitem__, signal_of))

        # fills: the venue's price (open, slipped), fee and slippage per unit
        fill_sides = pick(sides)
        fill_quantities = pick(quantities)
        prices = self.fill_prices()
        slips = self._prices.slippages(inputs.fill_raw_ticks.tolist(), pick(columns.sides))
        fees = self.fees()
        stamps = pick(updated)
        fills = tuple(
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

        # orders: a filled one carries its fill's quantity (ZERO + q is q: both exponent 0)
        averages: list[Decimal | None] = [None] * count
        done: list[Decimal] = [ZERO] * count
        for index, price, quantity in zip(columns.filled, prices, fill_quantities, strict=True):
            averages[index] = price
            done[index] = quantity
        ts_updated = [
            stamp if status != ACCEPTED else ts
            for stamp, status, ts in zip(updated, columns.statuses, submitted, strict=True)
        ]
        entries = [role == ENTRY for role in columns.roles]
        orders = tuple(
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
                    list(map(_STATUSES.__getitem__, columns.statuses)),
                    done,
                    averages,
                    repeat(False),
                    repeat(None),
                    ts_updated,
                    [inputs.fraction if entry else None for entry in entries],
                    _strategies(strategy, signal_of, inputs.strategyless_from),
                    reasons,
                    repeat(()),
                    strict=False,  # repeat() columns are endless
                ),
            )
        )
        trades = _round_trips(
            symbol, strategy, fill_sides, fill_quantities, prices, fees, stamps, pick(reasons)
        )
        return fills, orders, trades


def _strategies(strategy: str, signal_of: list[int], strategyless_from: int | None) -> Any:
    """Each order's strategy: the run's, or none for an order of no signal (a holding exit)."""
    if strategyless_from is None:
        return repeat(strategy)
    return [strategy if k < strategyless_from else "" for k in signal_of]


def one_fill_average(quantity: Decimal, price: Decimal) -> Decimal:
    """A round trip's average price over one fill as ``OpenTrade`` computes it: the notional
    and the quantity summed from zero, ``(0 + q x p) / (0 + q)``. That is ``price`` itself, digit
    for digit, when neither exponent is positive (the common case, no arithmetic); an adjusted
    price such as ``5.05E+3`` (``50.5 x 1E+2``) averages to ``5050``."""
    # ``0 + x`` has the exponent min(0, x's): the same quantum as ``x`` iff x's is not positive
    if price.same_quantum(ZERO + price) and quantity.same_quantum(ZERO + quantity):
        return price
    return (ZERO + quantity * price) / (ZERO + quantity)


def _round_trips(
    symbol: str,
    strategy: str,
    sides: list[Side],
    quantities: list[Decimal],
    prices: list[Decimal],
    fees: list[Decimal],
    stamps: list[datetime],
    reasons: list[str],
) -> tuple[Trade, ...]:
    """Filled orders alternate entry, exit (checked before: an entry fills only when flat, an exit
    closes the whole position), so fill 2i opens trade i and fill 2i+1 closes it."""
    count = len(prices) // 2
    entry_quantities = quantities[0 : 2 * count : 2]
    entry_prices = prices[0 : 2 * count : 2]
    entry_sides = sides[0 : 2 * count : 2]
    exit_notionals = list(map(mul, quantities[1::2], prices[1::2]))
    exit_signs = [1 if side is _BUY else -1 for side in entry_sides]
    # Position.apply: realized = closing x price x sign - cost, cost = 0x0 + signed x price
    signed = [
        q if side is _BUY else -q for q, side in zip(entry_quantities, entry_sides, strict=True)
    ]
    costs = map(add, repeat(_FLAT_COST), map(mul, signed, entry_prices))
    realized = list(map(sub, map(mul, exit_notionals, exit_signs), costs))
    # OpenTrade: fees = 0 + fee x q / q (+ the same for the exit); fee x q / q is the fee,
    # exponent included, since the division is exact
    trade_fees = list(map(add, map(add, repeat(ZERO), fees[0 : 2 * count : 2]), fees[1::2]))
    exit_reasons = [reason or _EXIT_ROLE.value for reason in reasons[1::2]]
    # OpenTrade.close: entry (exit) notional / quantity, each summed from zero, is the fill's
    # price digit for digit unless an exponent is positive (see ``one_fill_average``)
    return tuple(
        map(
            _new_trade,
            zip(
                repeat(symbol),
                entry_sides,
                list(map(plus, repeat(ZERO), entry_quantities)),
                list(map(one_fill_average, entry_quantities, entry_prices)),
                list(map(one_fill_average, quantities[1::2], prices[1::2])),
                stamps[0 : 2 * count : 2],
                stamps[1::2],
                trade_fees,
                list(map(sub, map(add, repeat(ZERO), realized), trade_fees)),
                repeat(strategy),
                exit_reasons,
                strict=False,  # repeat() columns are endless
            ),
        )
    )
