"""A measuring prototype, not paperdesk's kernel: the bracket run of ``bench_kernel.py`` on mutable
native records (``WorkingOrder``, ``RoundTrip``) with integer money (cents), as mypyc compiles
them to C structs and tagged integers.

It answers one question for issue 14, item 1: how fast the event kernel's design could run if its
hot state were native records and exact integers instead of immutable NamedTuples and Decimals.
It keeps only what this run needs (one symbol, market entries sized all-in at the next open from
the equity then, a stop leg and a target leg cancelling each other, the position reversed on each
signal, no fee, no slippage) and visits every bar; ``bench_kernel_ceiling.py`` checks every trade
against the event kernel's before it reports a time.
"""

from __future__ import annotations

from typing import Final

MARKET: Final = 0
STOP: Final = 1
LIMIT: Final = 2
# all-in is (1 - epsilon) of the equity (bench_backtest.ALL_IN_PERCENT): NUMERATOR / DENOMINATOR
NUMERATOR: Final = (1 << 53) - 1
DENOMINATOR: Final = 1 << 53


class WorkingOrder:
    """One working order; changed in place (never copied)."""

    def __init__(
        self, side: int, kind: int, quantity: int, price: int, stop: int, target: int, entry: bool
    ) -> None:
        self.side = side  # +1 buy, -1 sell
        self.kind = kind
        self.quantity = quantity  # an all-in entry is sized at its fill
        self.price = price  # a leg's trigger, in cents
        self.stop = stop  # an entry's bracket levels, in cents (0: none)
        self.target = target
        self.entry = entry
        self.sibling: WorkingOrder | None = None
        self.working = True


class RoundTrip:
    def __init__(
        self, entry_bar: int, exit_bar: int, quantity: int, entry_price: int, exit_price: int
    ) -> None:
        self.entry_bar = entry_bar
        self.exit_bar = exit_bar
        self.quantity = quantity  # signed: a short is negative
        self.entry_price = entry_price
        self.exit_price = exit_price


class BracketCore:
    def __init__(self, cash: int) -> None:
        self.cash = cash  # cents
        self.position = 0
        self.entry_price = 0
        self.entry_bar = 0
        self.orders: list[WorkingOrder] = []
        self.trades: list[RoundTrip] = []

    def fill(self, order: WorkingOrder, price: int, bar: int) -> None:
        quantity = order.quantity
        if order.entry:
            equity = self.cash + self.position * price
            quantity = (equity * NUMERATOR) // (DENOMINATOR * price)
            if quantity <= 0:
                order.working = False
                return
        signed = quantity * order.side
        self.cash -= signed * price
        if self.position != 0:
            self.trades.append(
                RoundTrip(self.entry_bar, bar, self.position, self.entry_price, price)
            )
        self.position += signed
        if self.position != 0:
            self.entry_price = price
            self.entry_bar = bar
        order.working = False
        if order.entry:
            self._bracket(order, quantity)

    def _bracket(self, entry: WorkingOrder, quantity: int) -> None:
        stop: WorkingOrder | None = None
        target: WorkingOrder | None = None
        if entry.stop:
            stop = WorkingOrder(-entry.side, STOP, quantity, entry.stop, 0, 0, False)
            self.orders.append(stop)
        if entry.target:
            target = WorkingOrder(-entry.side, LIMIT, quantity, entry.target, 0, 0, False)
            self.orders.append(target)
        if stop is not None and target is not None:
            stop.sibling = target
            target.sibling = stop

    def on_bar(self, bar: int, open_price: int, high: int, low: int) -> None:
        if not self.orders:
            return
        for order in list(self.orders):  # market orders at the open, in submission order
            if order.working and order.kind == MARKET:
                self.fill(order, open_price, bar)
        stop: WorkingOrder | None = None
        target: WorkingOrder | None = None
        for order in self.orders:
            if order.working and order.kind == STOP:
                stop = order
            elif order.working and order.kind == LIMIT:
                target = order
        stopped = stop is not None and (low <= stop.price if stop.side < 0 else high >= stop.price)
        reached = target is not None and (
            high >= target.price if target.side < 0 else low <= target.price
        )
        if stopped and reached and target is not None:  # both touched: the stop, unless the
            # bar opened through the target
            if open_price >= target.price if target.side < 0 else open_price <= target.price:
                stopped = False
            else:
                reached = False
        if stopped and stop is not None:
            gap = min(open_price, stop.price) if stop.side < 0 else max(open_price, stop.price)
            self._leg_filled(stop, gap, bar)
        elif reached and target is not None:
            better = (
                max(open_price, target.price) if target.side < 0 else min(open_price, target.price)
            )
            self._leg_filled(target, better, bar)
        self.orders = [order for order in self.orders if order.working]

    def _leg_filled(self, leg: WorkingOrder, price: int, bar: int) -> None:
        self.fill(leg, price, bar)
        if leg.sibling is not None:
            leg.sibling.working = False

    def on_signal(self, direction: int, stop: int, target: int) -> None:
        for order in self.orders:
            order.working = False
        self.orders = []
        if self.position != 0:
            side = -1 if self.position > 0 else 1
            self.orders.append(WorkingOrder(side, MARKET, abs(self.position), 0, 0, 0, False))
        self.orders.append(WorkingOrder(direction, MARKET, 0, 0, stop, target, True))


def run(
    opens: list[int],
    highs: list[int],
    lows: list[int],
    directions: list[int],
    stops: list[int],
    targets: list[int],
    cash: int,
) -> BracketCore:
    """Every bar: the working orders matched at the bar, then the signal at its close."""
    core = BracketCore(cash)
    for bar in range(len(opens)):
        core.on_bar(bar, opens[bar], highs[bar], lows[bar])
        direction = directions[bar]
        if direction != 0:
            core.on_signal(direction, stops[bar], targets[bar])
    return core
