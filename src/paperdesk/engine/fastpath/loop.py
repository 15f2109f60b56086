"""The fast path's decision loop: one pass over the signals in whole integer money units, doing
what router, venue and ledger do for a market-order run; tests prove it identical to the
event kernel."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperdesk.engine.fastpath.daily_loss import DailyLoss
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.holding import HoldingLimit
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.engine.fastpath.per_share import Sizer
from paperdesk.engine.fastpath.signal_sizing import SignalSizing

EXIT, ENTRY = 0, 1
ACCEPTED, FILLED, CANCELED = 0, 1, 2


ORDER_FIELDS = 7
"""An order is recorded as 7 consecutive integers: signal k, role, side (+1 buy, -1 sell),
quantity, status, fill price in ticks, fee in money units (price and fee are 0 for an order that
did not fill)."""


@dataclass(slots=True)
class LoopRecord:
    """What the loop decided: the orders in submission order, ``ORDER_FIELDS`` integers each in
    one flat list (an order's id is its position + 1; the fills are the FILLED orders, in the same
    order), rejected signals and change points."""

    orders: list[int] = field(default_factory=list)
    rejected: list[tuple[int, int, int]] = field(default_factory=list)  # (k, held, cash)
    change_row: list[int] = field(default_factory=list)
    change_cash: list[int] = field(default_factory=list)
    change_quantity: list[int] = field(default_factory=list)
    # reversals whose entry the daily loss limit refused (their exit goes): (k, held, cash)
    refused: list[tuple[int, int, int]] = field(default_factory=list)
    cash: int = 0
    position: int = 0


def run_loop(
    directions: list[int],
    fill_rows: list[int],
    buy_prices: list[int],
    sell_prices: list[int],
    signal_closes: list[int],
    *,
    starting_cash: int,
    allow_short: bool,
    scale: MoneyScale,
    sizer: Sizer,
    at_signal: SignalSizing | None = None,
    rows: list[int] | None = None,
    cooldown: int = 0,
    holding: HoldingLimit | None = None,
    daily: DailyLoss | None = None,
) -> LoopRecord:
    """Route signal k (filling at ``fill_rows[k]``, or never when that is -1) against the book.

    Reproduces: OnePositionPerSymbol (no pyramiding), the router's direction translation
    (an opposite signal exits, then enters unless it is a short and shorts are disabled),
    all-in sizing at the fill price (exits fill first, so an entry sizes from the cash then),
    "nothing fits at fill" cancellations, and the ledger's cash and position bookkeeping.
    With ``at_signal``, entries are sized at the signal instead and checked at the fill
    (``signal_sizing``). With a ``cooldown`` (``routing.filters.Cooldown``), a signal at
    ``rows[k]`` fewer than ``cooldown`` rows after the last accepted one is rejected. With a
    ``holding`` limit, the held position's exit N bars after its entry (``holding``). With a
    ``daily`` loss limit, an entry refused at its signal: rejected on a flat book, dropped from a
    reversal whose exit goes (``daily_loss``).
    """
    record = LoopRecord()
    orders = record.orders
    add_order = orders.extend
    rejected = record.rejected.append
    change_row = record.change_row.append
    change_cash = record.change_cash.append
    change_quantity = record.change_quantity.append
    per_tick = scale.units_per_tick
    fee_of, exit_fee = scale.fee, scale.exit_fee
    size = sizer.quantity
    cash = starting_cash
    position = 0
    if (cooldown or holding is not None) and rows is None:
        raise ValueError("a cooldown or a holding limit needs the signals' rows")
    row_of = rows if rows is not None else []
    accepted_row = -cooldown  # the last accepted signal's row (none yet: out of any cooldown)
    on_last_bar = False
    for k, direction in enumerate(directions):
        if holding is not None and (position or holding.working):
            cash, position = holding.before(row_of[k], cash, position, record, scale)
        if cooldown and row_of[k] - accepted_row < cooldown:  # the router's cooldown rejects it
            rejected((k, position, cash))
            continue
        if direction == 0:
            if not position:
                rejected((k, position, cash))
                continue
            enter = False
        elif position and (position > 0) == (direction > 0):
            rejected((k, position, cash))
            continue
        elif direction < 0 and not allow_short:
            if not position:
                rejected((k, position, cash))
                continue
            enter = False
        else:
            enter = True
        refused = False
        if daily is not None and enter:  # first among the risk rules, after the sizer
            refused = _refused(k, direction, position, cash, signal_closes, scale, daily, record)
        signalled = 0  # an entry's quantity sized at its signal from a flat book
        if at_signal is not None and enter and not position:
            signalled = at_signal.at_signal(k, cash, signal_closes[k], direction, refused)
            if not signalled:  # the router rejects it (nothing fits, by the sizer or a rule)
                rejected((k, position, cash))
                continue
        elif refused and not position:  # all-in: the rule refuses whatever the quantity
            rejected((k, position, cash))
            continue
        elif refused:  # a reversal: the exit goes, the entry is dropped (an adjustment)
            if at_signal is not None:  # the sizer first
                close = signal_closes[k]
                equity = cash + position * close * per_tick - exit_fee(position, close)
                at_signal.refused_reversal(k, equity, close, direction)
            record.refused.append((k, position, cash))
            enter = False
        if cooldown:
            accepted_row = row_of[k]  # accepted: the router remembers it (``Cooldown``)
        if holding is not None and position:  # its exit replaces a holding exit of this bar
            holding.replaced(record)
        row = fill_rows[k]
        if row < 0:  # a signal on the last bar: its orders stay accepted, never filled
            if position:
                add_order((k, EXIT, -1 if position > 0 else 1, abs(position), ACCEPTED, 0, 0))
            if enter:
                quantity = _last_bar_entry(
                    k, direction, position, cash, signalled, signal_closes, scale, sizer, at_signal
                )
                add_order((k, ENTRY, direction, quantity, ACCEPTED, 0, 0))
            on_last_bar = True
            break
        estimated_equity = 0
        if enter:
            close = signal_closes[k]
            estimated_equity = cash + position * close * per_tick - exit_fee(position, close)
            if estimated_equity <= 0:  # the signal-time risk check could reject: not ours
                raise FastPathUnsupportedError("equity at or below zero at an entry signal")
        exited = position != 0
        if exited:
            if position > 0:
                price = sell_prices[k]
                side = -1
                quantity = position
            else:
                price = buy_prices[k]
                side = 1
                quantity = -position
            fee = fee_of(quantity, price)
            cash += position * price * per_tick - fee
            add_order((k, EXIT, side, quantity, FILLED, price, fee))
            position = 0
            if not enter:
                change_row(row)
                change_cash(cash)
                change_quantity(0)
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
            add_order((k, ENTRY, direction, estimate, CANCELED, 0, 0))
            if exited:  # the exit's fill changed the cash
                change_row(row)
                change_cash(cash)
                change_quantity(0)
            continue
        if not quantity % 10 and at_signal is None:
            # the order keeps the router's signal-time estimate when the fill resolves to the
            # same value; the sizer gives up where that Decimal's exponent would show (an exact
            # quotient ending in zeros, so only for such quantities)
            size(estimated_equity, signal_closes[k])
        fee = fee_of(quantity, price)
        cash -= direction * quantity * price * per_tick + fee
        position = direction * quantity
        add_order((k, ENTRY, direction, quantity, FILLED, price, fee))
        change_row(row)
        change_cash(cash)
        change_quantity(position)
        if holding is not None:
            holding.entry_row = row
    if holding is not None and not on_last_bar:
        cash, position = holding.finish(cash, position, record, scale)
    record.cash = cash
    record.position = position
    return record


def _refused(
    k: int,
    direction: int,
    position: int,
    cash: int,
    signal_closes: list[int],
    scale: MoneyScale,
    daily: DailyLoss,
    record: LoopRecord,
) -> bool:
    """Whether the daily loss limit refuses signal k's entry: the router's equity at the signal
    bar's close, a reversal's once the held position is closed there, its fee paid."""
    equity = cash
    if position:
        close = signal_closes[k]
        equity += position * close * scale.units_per_tick - scale.exit_fee(position, close)
    if equity <= 0:  # the risk check could reject: not ours
        raise FastPathUnsupportedError("equity at or below zero at an entry signal")
    return daily.refuses(k, equity, record)


def _last_bar_entry(
    k: int,
    direction: int,
    position: int,
    cash: int,
    signalled: int,
    signal_closes: list[int],
    scale: MoneyScale,
    sizer: Sizer,
    at_signal: SignalSizing | None,
) -> int:
    """The quantity of an entry signalled on the last bar (accepted, never filled): the all-in
    estimate, or the quantity sized at the signal, a reversal's once the exit is counted."""
    if at_signal is None:
        return _estimate(k, position, cash, signal_closes, scale, sizer)
    if signalled:
        return signalled
    close = signal_closes[k]
    equity = cash + position * close * scale.units_per_tick - scale.exit_fee(position, close)
    return at_signal.reversal(k, equity, close, direction)


def _estimate(
    k: int,
    position: int,
    cash: int,
    signal_closes: list[int],
    scale: MoneyScale,
    sizer: Sizer,
) -> int:
    """The router's signal-time quantity of an all-in entry: sized at the signal bar's close from
    the equity left once the held position (if any) is closed there, its fee paid."""
    close = signal_closes[k]
    equity = cash + position * close * scale.units_per_tick - scale.exit_fee(position, close)
    if equity <= 0:
        raise FastPathUnsupportedError("equity at or below zero at an entry signal")
    return sizer.quantity(equity, close)
