"""The fast path's decision loop for signals that carry a stop and/or a target (a bracket): the
market entry at the next open, its stop-loss and take-profit legs working from the entry's own
bar, the first bar that reaches a leg closing the position (``bracket_hits``), an opposite or
flat signal closing it at the next open and cancelling the legs. One pass over the signals in
whole integer money units, doing what router, order book, venue and ledger do; tests prove it
identical to the event kernel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from paperdesk.collector import collector_paused
from paperdesk.engine.fastpath.bracket_hits import NO_HIT, leg_exit
from paperdesk.engine.fastpath.bracket_levels import NO_LEVEL, LegLevels
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.engine.fastpath.loop import _estimate, _last_bar_entry
from paperdesk.engine.fastpath.per_share import Sizer
from paperdesk.engine.fastpath.signal_sizing import SignalSizing

# order kinds, statuses and where a fill's price comes from
EXIT, ENTRY, STOP, TARGET = 0, 1, 2, 3
ACCEPTED, FILLED, CANCELED, PENDING = 0, 1, 2, 3
AT_OPEN, AT_LEVEL = 0, 1

# an order's fields, by position in its list
SIGNAL, KIND, SIDE, QUANTITY, STATUS, TICKS, FEE, UPDATED, SOURCE, ROW, PARENT = range(11)


@dataclass(frozen=True, slots=True)
class SignalBars:
    """What the loop reads of the bars, per signal k (gathered once, vectorised): the times its
    orders are submitted (its bar's close) and fill (the next bar's open), its legs' ticks
    (``NO_LEVEL``: none), and the bar where they act (``hits[k]``): its open in ticks, high and
    low as floats (see ``bracket_hits``), its open as a market-like buy and sell fill there
    (slipped) and its opening time."""

    submitted_ns: list[int]
    filled_ns: list[int]
    stops: list[int]
    targets: list[int]
    hits: list[int]
    hit_opens: list[int]
    hit_highs: list[float] | list[int]  # exact units on no tick grid (``bracket_grid``)
    hit_lows: list[float] | list[int]
    hit_buys: list[int]
    hit_sells: list[int]
    hit_ns: list[int]


@dataclass(frozen=True, slots=True)
class BracketHolding:
    """A holding limit in the bracket loop (``holding``): ``bars``, every row's open as a market
    buy and sell fill there (slipped ticks), every row's open and close time, and ``first``, the
    number the first holding exit carries in the signal column (the signals' count)."""

    bars: int
    buys: list[int]
    sells: list[int]
    opens_ns: list[int]
    closes_ns: list[int]
    first: int


@dataclass(slots=True)
class BracketRecord:
    """What the loop decided: the orders in submission order (an order's id is its position +
    1), each a list of the fields named above; the fills are the FILLED orders in that order."""

    orders: list[list[int]] = field(default_factory=list)
    rejected: list[tuple[int, int, int]] = field(default_factory=list)  # (k, held, cash)
    change_row: list[int] = field(default_factory=list)
    change_cash: list[int] = field(default_factory=list)
    change_quantity: list[int] = field(default_factory=list)
    cash: int = 0
    position: int = 0
    ambiguous_bars: int = 0
    holding_exits: list[int] = field(default_factory=list)  # each holding exit's due row


class _Run:
    """The loop's state: cash, position and the working legs of the open bracket."""

    def __init__(
        self,
        bars: SignalBars,
        levels: LegLevels,
        slip_level: Callable[[int, int], int],
        starting_cash: int,
        scale: MoneyScale,
    ) -> None:
        self.bars = bars
        self.levels = levels
        self.slip_level = slip_level
        self.scale = scale
        self.record = BracketRecord()
        self.cash = starting_cash
        self.position = 0
        self.legs: list[list[int]] = []  # the open position's working legs
        self.hit = NO_HIT  # the bar where they act (NO_HIT: never, in their window)
        self.entry_signal = -1
        self.due = -1  # the row the held position's holding exit is due at (-1: none)
        self.pending: list[int] | None = None  # a holding exit submitted, not yet filled
        # a level's float: ticks / this (None: the highs and lows are exact units, as the levels)
        self.tick_scale = None if levels.exact_prices else float(10**levels.places)

    def change(self, row: int) -> None:
        record = self.record
        if record.change_row and record.change_row[-1] == row:
            record.change_cash[-1] = self.cash
            record.change_quantity[-1] = self.position
            return
        record.change_row.append(row)
        record.change_cash.append(self.cash)
        record.change_quantity.append(self.position)

    def add(self, *fields: int) -> list[int]:
        order = list(fields)
        self.record.orders.append(order)
        return order

    def cancel_legs(self, updated: int) -> None:
        for leg in self.legs:
            leg[STATUS] = CANCELED
            leg[UPDATED] = updated
        self.legs = []
        self.hit = NO_HIT

    def settle_legs(self) -> None:
        """The legs of the open position act on their bar: one fills, the other is canceled."""
        row, bars, position = self.hit, self.bars, self.position
        long = position > 0
        signal = self.entry_signal
        stop, target = bars.stops[signal], bars.targets[signal]
        tick_scale = self.tick_scale
        leg = leg_exit(
            long,
            stop,
            target,
            stop if tick_scale is None else stop / tick_scale,
            target if tick_scale is None else target / tick_scale,
            bars.hit_opens[signal],
            bars.hit_highs[signal],
            bars.hit_lows[signal],
        )
        side = -1 if long else 1
        if not leg.is_stop:
            price = leg.ticks  # a limit: no slippage, at the open or at its level
        elif leg.at_open:
            price = bars.hit_buys[signal] if side > 0 else bars.hit_sells[signal]
        else:
            price = self.slip_level(leg.ticks, side)
        quantity = abs(position)
        fee = self.scale.fee(quantity, price)
        self.cash += position * price * self.scale.units_per_tick - fee
        self.position = 0
        updated = bars.hit_ns[signal]
        kind = STOP if leg.is_stop else TARGET
        for order in self.legs:
            if order[KIND] == kind:
                order[STATUS], order[TICKS], order[FEE] = FILLED, price, fee
                order[SOURCE] = AT_OPEN if leg.at_open else AT_LEVEL
                order[ROW] = row
            else:
                order[STATUS] = CANCELED
            order[UPDATED] = updated
        self.record.ambiguous_bars += leg.ambiguous
        self.legs = []
        self.hit = NO_HIT
        self.due = -1
        self.change(row)

    def before(self, row: int, holding: BracketHolding | None) -> None:
        """What acts before the signal of bar ``row`` is routed (``row`` = the bars' count: after
        the last one): a holding exit submitted at an earlier bar fills; the legs act on their
        bar when it is not after the holding exit's; the holding exit is submitted at its bar's
        close (after that bar's legs were matched), canceling the legs, and fills at the next
        open when that came before ``row`` (``holding``: the kernel's
        ``_close_if_held_too_long``)."""
        if holding is None:
            if self.hit != NO_HIT and self.hit <= row:
                self.settle_legs()
            return
        length = len(holding.buys)
        if self.pending is not None:
            self.fill_holding(holding, length)
            if self.pending is not None:  # submitted at the last bar: it never fills
                return
        due = self.due
        if self.hit != NO_HIT and self.hit <= row and (due < 0 or self.hit <= due):
            self.settle_legs()
            return
        if not self.position or due < 0 or due > row or due >= length:
            return
        self.cancel_legs(holding.closes_ns[due])
        record = self.record
        self.pending = self.add(
            holding.first + len(record.holding_exits), EXIT, -1 if self.position > 0 else 1,
            abs(self.position), ACCEPTED, 0, 0, holding.closes_ns[due], AT_OPEN, -1, -1,
        )  # fmt: skip
        record.holding_exits.append(due)
        if due < row:
            self.fill_holding(holding, length)

    def fill_holding(self, holding: BracketHolding, length: int) -> None:
        """The submitted holding exit fills at the open after its bar (never after the last)."""
        order, row = self.pending, self.due + 1
        if order is None or row >= length:
            return
        position = self.position
        price = holding.sells[row] if position > 0 else holding.buys[row]
        fee = self.scale.fee(abs(position), price)
        self.cash += position * price * self.scale.units_per_tick - fee
        order[STATUS], order[TICKS], order[FEE] = FILLED, price, fee
        order[UPDATED], order[ROW] = holding.opens_ns[row], row
        self.position = 0
        self.pending = None
        self.due = -1
        self.change(row)

    def replace_holding(self, updated: int) -> None:
        """A signal's exit at the holding exit's bar cancels it ("replaced by a new exit")."""
        if self.pending is not None:
            self.pending[STATUS], self.pending[UPDATED] = CANCELED, updated
            self.pending = None
        self.due = -1


@collector_paused()
def run_bracket_loop(
    directions: list[int],
    rows: list[int],
    fill_rows: list[int],
    buy_prices: list[int],
    sell_prices: list[int],
    signal_closes: list[int],
    *,
    bars: SignalBars,
    levels: LegLevels,
    slip_level: Callable[[int, int], int],
    starting_cash: int,
    allow_short: bool,
    scale: MoneyScale,
    sizer: Sizer,
    at_signal: SignalSizing | None = None,
    cooldown: int = 0,
    holding: BracketHolding | None = None,
) -> BracketRecord:
    """Route signal k (at bar ``rows[k]``, filling at ``fill_rows[k]`` or never when -1) as
    ``loop.run_loop`` does, with the bracket's legs: before a signal is routed, the open
    position's legs act if their bar (``hits[k]`` of the entry's signal) has come (a leg works
    on the bar of the signal too, which is matched before the signal is routed). With
    ``at_signal``, entries are sized at the signal and checked at the fill (``signal_sizing``).
    ``cooldown``: rows to wait after an accepted signal (``loop.run_loop``). ``holding``: the
    holding limit's exit N bars after the entry's fill bar (``_Run.before``).

    The orders are lists of ints (no cycles): the cyclic garbage collector, which would walk
    every one of them again and again as they accumulate, is paused for the loop."""
    hits, stops, targets = bars.hits, bars.stops, bars.targets
    run = _Run(bars, levels, slip_level, starting_cash, scale)
    record = run.record
    orders = record.orders
    per_tick, fee_of = scale.units_per_tick, scale.fee
    size = sizer.quantity
    accepted_row = -cooldown  # the last accepted signal's row (none yet: out of any cooldown)
    for k, direction in enumerate(directions):
        row = rows[k]
        if run.hit != NO_HIT or run.due >= 0:
            run.before(row, holding)
        position, cash = run.position, run.cash
        if row - accepted_row < cooldown:  # the router's cooldown rejects it
            record.rejected.append((k, position, cash))
            continue
        if direction == 0:
            if not position:
                record.rejected.append((k, position, cash))
                continue
            enter = False
        elif position and (position > 0) == (direction > 0):
            record.rejected.append((k, position, cash))
            continue
        elif direction < 0 and not allow_short:
            if not position:
                record.rejected.append((k, position, cash))
                continue
            enter = False
        else:
            enter = True
        signalled = 0  # an entry's quantity sized at its signal from a flat book
        if at_signal is not None and enter and not position:
            signalled = at_signal.at_signal(k, cash, signal_closes[k], direction)
            if not signalled:  # the router rejects it (nothing fits, by the sizer or a rule)
                record.rejected.append((k, position, cash))
                continue
        accepted_row = row  # accepted: the router remembers it (``Cooldown``)
        submitted = bars.submitted_ns[k]
        fill_row = fill_rows[k]
        exit_order = None
        if position:  # the new exit replaces the working legs (and a holding exit)
            run.cancel_legs(submitted)
            run.replace_holding(submitted)
            exit_order = run.add(
                k, EXIT, -1 if position > 0 else 1, abs(position), ACCEPTED, 0, 0, submitted,
                AT_OPEN, -1, -1,
            )  # fmt: skip
        if fill_row < 0:  # a signal on the last bar: its orders stay accepted, never filled
            if enter:
                quantity = _last_bar_entry(
                    k, direction, position, cash, signalled, signal_closes, scale, sizer, at_signal
                )
                _add_entry(run, k, direction, quantity, ACCEPTED, submitted, PENDING, quantity)
            break
        estimated_equity = 0
        if enter:
            close = signal_closes[k]
            estimated_equity = cash + position * close * per_tick - scale.exit_fee(position, close)
            if estimated_equity <= 0:  # the signal-time risk check could reject: not ours
                raise FastPathUnsupportedError("equity at or below zero at an entry signal")
        filled_at = bars.filled_ns[k]
        if exit_order is not None:
            price = sell_prices[k] if position > 0 else buy_prices[k]
            quantity = abs(position)
            fee = fee_of(quantity, price)
            cash += position * price * per_tick - fee
            exit_order[STATUS], exit_order[TICKS], exit_order[FEE] = FILLED, price, fee
            exit_order[UPDATED], exit_order[ROW] = filled_at, fill_row
            position = 0
            run.cash, run.position = cash, 0
            if not enter:
                run.change(fill_row)
                continue
        price = buy_prices[k] if direction > 0 else sell_prices[k]
        if at_signal is not None:
            if not signalled:  # a reversal: sized once the held position is closed at the close
                signalled = at_signal.reversal(k, estimated_equity, signal_closes[k], direction)
            quantity = at_signal.at_fill(k, signalled, cash, price, direction)
        else:
            quantity = size(cash, price)
        if quantity <= 0:
            estimate = signalled or _estimate(k, 0, estimated_equity, signal_closes, scale, sizer)
            _add_entry(run, k, direction, estimate, CANCELED, filled_at, CANCELED, estimate)
            if exit_order is not None:  # the exit's fill changed the cash
                run.change(fill_row)
            continue
        if not quantity % 10 and at_signal is None:
            # the order keeps the router's signal-time estimate when the fill resolves to the
            # same value; the sizer gives up where that Decimal's exponent would show
            size(estimated_equity, signal_closes[k])
        fee = fee_of(quantity, price)
        run.cash = cash - direction * quantity * price * per_tick - fee
        run.position = direction * quantity
        entry = _add_entry(run, k, direction, quantity, FILLED, filled_at, ACCEPTED, quantity)
        entry[TICKS], entry[FEE], entry[ROW] = price, fee, fill_row
        legs = (stops[k] != NO_LEVEL) + (targets[k] != NO_LEVEL)
        if legs:
            run.legs = orders[len(orders) - legs :]
            run.hit = hits[k]
            run.entry_signal = k
        if holding is not None:
            run.due = fill_row + holding.bars
        run.change(fill_row)
    if run.hit != NO_HIT or run.due >= 0 or run.pending is not None:
        run.before(len(holding.buys) if holding is not None else 1 << 62, holding)
    record.cash, record.position = run.cash, run.position
    return record


def _add_entry(
    run: _Run,
    k: int,
    direction: int,
    quantity: int,
    status: int,
    updated: int,
    leg_status: int,
    leg_quantity: int,
) -> list[int]:
    """The entry order of signal k and its legs (stop first, then target; a pending leg holds
    the entry's estimate, or one lot when that is nothing, until the entry fills)."""
    entry = run.add(k, ENTRY, direction, quantity, status, 0, 0, updated, AT_OPEN, -1, -1)
    parent = len(run.record.orders) - 1
    if leg_status != ACCEPTED:  # a placeholder: the entry's estimate, or one lot
        leg_quantity = leg_quantity if leg_quantity > 0 else 1
    for kind, ticks in ((STOP, run.bars.stops[k]), (TARGET, run.bars.targets[k])):
        if ticks != NO_LEVEL:
            run.add(
                k, kind, -direction, leg_quantity, leg_status, 0, 0, updated, AT_LEVEL, -1,
                parent,
            )  # fmt: skip
    return entry
