"""The holding limit (``--max-holding-bars``, ``routing.risk.MaxHoldingPeriod``) in the plain
loop, as the event kernel applies it (``TradingKernel._close_if_held_too_long``).

The entry's fill bar is the position's first (``entry_bar``); N bars later, after that bar's
resting orders are matched and before its signals are routed, the kernel submits a market exit
(no strategy, the reason "max holding period: held N bars", the trade's exit reason), which
fills at the next bar's open, slipped, or stays accepted when that bar is the last. A signal on
that same bar is routed with the position still held: a repeat is rejected, a flat or opposite
signal's own exit replaces (cancels) the holding exit. The exits are orders of no signal: the
loop numbers them after the signals (``first``, ``first + 1``...), and the result gives them
their times and reason (``exits``)."""

from __future__ import annotations

from typing import Any

from paperdesk.engine.fastpath.integer_money import MoneyScale

EXIT = 0
ACCEPTED, FILLED, CANCELED = 0, 1, 2
_STATUS, _TICKS, _FEE = 4, 5, 6  # an order's fields in the loop's flat list (``loop``)


def holding_reason(bars: int) -> str:
    """The holding exit's reason, as the kernel words it."""
    return f"max holding period: held {bars} bars"


class HoldingLimit:
    """Submits and fills the holding exits of the loop's positions. ``buys`` and ``sells``: each
    row's open as a market buy and sell fill there (slipped ticks); ``first``: the number the
    first exit's order carries in the signal column (the signals' count)."""

    __slots__ = (
        "_buys",
        "_due",
        "_length",
        "_pending",
        "_sells",
        "bars",
        "canceled",
        "entry_row",
        "exits",
        "first",
    )

    def __init__(self, bars: int, buys: Any, sells: Any, length: int, first: int) -> None:
        self.bars = bars
        self._buys = buys
        self._sells = sells
        self._length = length
        self.first = first
        self.entry_row = -1  # the held position's entry fill row
        self.exits: list[int] = []  # each holding exit's bar (submitted at its close)
        self.canceled: set[int] = set()  # the exits a signal's own exit replaced
        self._pending = -1  # an exit working at a signal's bar: its place in the order list
        self._due = -1

    def before(
        self, row: int, cash: int, position: int, record: Any, scale: MoneyScale
    ) -> tuple[int, int]:
        """What happens before the signals of bar ``row`` are routed (``row`` = the length: after
        the last bar): a working exit fills, or the position's exit is submitted (and fills, when
        its bar is before ``row``). Returns the cash and position then."""
        if self._pending >= 0:
            if self._due + 1 >= self._length:
                return cash, position  # submitted at the last bar: never fills
            cash, position = self._fill(self._pending, self._due, cash, position, record, scale)
        if not position:
            return cash, position
        due = self.entry_row + self.bars
        if due > row or due >= self._length:
            return cash, position
        place = len(record.orders)
        record.orders.extend(
            (
                self.first + len(self.exits),
                EXIT,
                -1 if position > 0 else 1,
                abs(position),
                ACCEPTED,
                0,
                0,
            )
        )
        self.exits.append(due)
        self._pending, self._due = place, due
        if due < row and due + 1 < self._length:  # its fill bar came before this signal's
            cash, position = self._fill(place, due, cash, position, record, scale)
        return cash, position

    def finish(self, cash: int, position: int, record: Any, scale: MoneyScale) -> tuple[int, int]:
        """``before`` the end: the exits after the last signal."""
        return self.before(self._length, cash, position, record, scale)

    def replaced(self, record: Any) -> None:
        """A signal's exit at the bar of the working holding exit cancels it."""
        if self._pending >= 0:
            record.orders[self._pending + _STATUS] = CANCELED
            self.canceled.add(len(self.exits) - 1)
            self._pending = -1

    @property
    def working(self) -> bool:
        """Whether a holding exit is working (submitted at the current bar, or never filling)."""
        return self._pending >= 0

    def _fill(
        self, place: int, due: int, cash: int, position: int, record: Any, scale: MoneyScale
    ) -> tuple[int, int]:
        row = due + 1
        price = int(self._sells[row]) if position > 0 else int(self._buys[row])
        fee = scale.fee(abs(position), price)
        cash += position * price * scale.units_per_tick - fee
        orders = record.orders
        orders[place + _STATUS], orders[place + _TICKS], orders[place + _FEE] = FILLED, price, fee
        record.change_row.append(row)
        record.change_cash.append(cash)
        record.change_quantity.append(0)
        self._pending = -1
        return cash, 0
