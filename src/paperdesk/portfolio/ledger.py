"""The in-memory exact ledger of one portfolio: the single place where fills change cash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple
from datetime import datetime
from decimal import Decimal
from typing import Final, NamedTuple

from paperdesk.domain import (
    ZERO,
    CorporateActionApplied,
    CorporateActionTerms,
    Fill,
    InvalidInputError,
    PortfolioSnapshot,
    PortfolioView,
    Position,
    PositionChanged,
    PositionClosed,
    PositionEvent,
    PositionOpened,
    Side,
    Trade,
    WorkingEntry,
)
from paperdesk.domain.field_positions import (
    FILL_FEE,
    FILL_PRICE,
    FILL_QUANTITY,
    FILL_SIDE,
    FILL_SYMBOL,
    FILL_TS,
    POSITION_AVERAGE_PRICE,
    POSITION_QUANTITY,
)
from paperdesk.domain.money import plus
from paperdesk.domain.positions import after_fill
from paperdesk.domain.trusted import trusted_maker
from paperdesk.portfolio.accounting import CASH_ACCOUNT, AccountRules
from paperdesk.portfolio.corporate_actions import ActionOutcome, apply_action, split_quantity
from paperdesk.portfolio.round_trips import OpenTrade

_BUY: Final = Side.BUY  # enum member lookups are slow on the hot path
_ZERO: Final = ZERO  # compiled, a C static (an imported name is a dict lookup at each read)


class LedgerState(NamedTuple):
    """Everything the ledger needs to continue from where it stood: its totals, its positions
    and the running totals of the round trips still open (a checkpoint stores this)."""

    cash: Decimal
    fees: Decimal
    realized_pnl: Decimal
    positions: tuple[Position, ...]
    open_trades: tuple[OpenTrade, ...]


class PortfolioLedger:
    """Cash, positions and round trips of one portfolio, all in exact Decimal.

    Invariant (checked by ``check_invariants``): cash = starting cash + realized P&L - fees -
    cost of open positions, and equity = cash + positions marked at their prices.

    A futures account (``rules``, see ``paperdesk.portfolio.accounting``) books differently:
    cash = starting cash + realized P&L - fees - blocked margin, where realized P&L counts the
    multiplier; the open positions' variation is derived at the marks (``free_cash``) and
    equity = free cash + blocked margin.
    """

    __slots__ = (
        "_actions",
        "_futures",
        "_open_trades",
        "_opening",
        "cash",
        "fees",
        "fills",
        "positions",
        "realized_pnl",
        "rules",
        "starting_cash",
        "trades",
    )

    def __init__(self, starting_cash: Decimal, rules: AccountRules = CASH_ACCOUNT) -> None:
        if not starting_cash.is_finite() or starting_cash <= 0:
            raise InvalidInputError(f"starting cash must be positive, got {starting_cash}")
        self.starting_cash = starting_cash
        self.cash = starting_cash
        self.fees = ZERO
        self.realized_pnl = ZERO
        self.positions: dict[str, Position] = {}
        self.trades: list[Trade] = []
        self.fills: list[Fill] = []
        self._open_trades: dict[str, OpenTrade] = {}
        self._actions: list[tuple[int, CorporateActionTerms]] = []  # (fills booked before, it)
        self._opening: dict[str, Decimal] = {}  # quantities held before ``fills`` (a restore)
        self.rules = rules
        self._futures = rules.is_futures

    @property
    def is_futures(self) -> bool:
        """A futures account (its cash counts blocked margin, its equity the open variation)."""
        return self._futures

    def position(self, symbol: str) -> Position:
        return self.positions.get(symbol) or Position(symbol)

    def state(self) -> LedgerState:
        """A copy of the books to continue from (see ``restore``)."""
        trades = tuple(OpenTrade(*astuple(t)) for t in self._open_trades.values())
        positions = tuple(self.positions.values())
        return LedgerState(self.cash, self.fees, self.realized_pnl, positions, trades)

    @classmethod
    def restore(
        cls, starting_cash: Decimal, state: LedgerState, rules: AccountRules = CASH_ACCOUNT
    ) -> PortfolioLedger:
        """A ledger standing where ``state`` was taken (its fills list starts empty; the
        quantities held then are where ``check_invariants`` starts counting the later fills)."""
        ledger = cls(starting_cash, rules)
        ledger.cash, ledger.fees, ledger.realized_pnl = state.cash, state.fees, state.realized_pnl
        ledger.positions = {p.symbol: p for p in state.positions}
        ledger._opening = {p.symbol: p.quantity for p in state.positions}
        ledger._open_trades = {t.symbol: OpenTrade(*astuple(t)) for t in state.open_trades}
        return ledger

    def book(self, fill: Fill, *, strategy: str = "", reason: str = "") -> list[PositionEvent]:
        """Book one fill and tell what it did to the position: opened, changed, closed (with
        the completed round trip), or closed and reopened the other way."""
        symbol = fill.symbol
        before = self.position(symbol)
        trades_before = len(self.trades)
        realized = self.apply_fill(fill, strategy=strategy, reason=reason)
        after = self.position(symbol)
        ts = fill.ts
        events: list[PositionEvent] = []
        if len(self.trades) > trades_before:
            flat = Position(symbol, realized_pnl=before.realized_pnl + realized, cost=ZERO)
            events.append(PositionClosed(ts, flat, self.trades[-1]))
            if after.quantity != 0:
                events.append(PositionOpened(ts, after))
        elif before.quantity == 0:
            events.append(PositionOpened(ts, after))
        else:
            events.append(PositionChanged(ts, after, realized))
        return events

    def apply_fill(self, fill: Fill, *, strategy: str = "", reason: str = "") -> Decimal:
        """Book one fill; return the P&L it realized (before fees)."""
        # the fill's fields by position (``domain/field_positions.py``): compiled, a direct read
        symbol, side, quantity = fill[FILL_SYMBOL], fill[FILL_SIDE], fill[FILL_QUANTITY]
        fee = fill[FILL_FEE]
        if quantity <= _ZERO:  # the Decimal ZERO: an int is converted at each comparison
            raise InvalidInputError(f"fill quantity must be positive, got {quantity}")
        positions = self.positions
        before = positions.get(symbol)
        if before is None:
            before = _flat(symbol)
        after, realized = after_fill(before, fill)
        if self._futures:
            terms = self.rules.terms(symbol)
            realized *= terms.multiplier
            after = after._replace(realized_pnl=before.realized_pnl + realized)
            opened = abs(after.quantity) - abs(before.quantity)
            self.cash += realized - fee - opened * terms.initial_margin
        else:
            notional = quantity * fill[FILL_PRICE]
            self.cash += (-notional if side is _BUY else notional) - fee
        self.fees = plus(self.fees, fee)  # ``+=``, digit for digit (no new zero for no fee)
        self.realized_pnl += realized
        if after[POSITION_QUANTITY] == _ZERO:
            if symbol in positions:  # ``pop(symbol, None)`` without a method call (compiled)
                del positions[symbol]
        else:
            positions[symbol] = after
        self.fills.append(fill)
        self._record_round_trip(before[POSITION_QUANTITY], fill, realized, strategy, reason)
        return realized

    def _record_round_trip(
        self, held: Decimal, fill: Fill, realized: Decimal, strategy: str, reason: str
    ) -> None:
        """Add ``fill`` to the symbol's open round trip (``held`` before it), closing the trip
        when it brings the position back to flat and opening one with what it adds."""
        symbol, side, quantity = fill[FILL_SYMBOL], fill[FILL_SIDE], fill[FILL_QUANTITY]
        price, fee, ts = fill[FILL_PRICE], fill[FILL_FEE], fill[FILL_TS]
        open_trades = self._open_trades
        opening = quantity
        # the fill reduces the position: a buy against a short, a sell against a long (one
        # comparison: ``held != 0 and (held > 0) != buying``)
        if (held < _ZERO) if side is _BUY else (held > _ZERO):
            size = abs(held)
            closing = size if size < quantity else quantity  # ``min(quantity, size)``'s object
            opening = quantity - closing
            closing_fee = _fee_share(fee, closing, quantity)
            current = open_trades[symbol]
            current.add_exit(closing, price, closing_fee, realized)
            if closing == size:
                self.trades.append(current.close(ts, reason))
                del open_trades[symbol]
        if opening > _ZERO:
            current_trade = open_trades.get(symbol)
            if current_trade is None:
                current_trade = OpenTrade(symbol, side, ts, strategy)
                open_trades[symbol] = current_trade
            current_trade.add_entry(opening, price, _fee_share(fee, opening, quantity))

    def apply_corporate_action(
        self, action: CorporateActionTerms, ts: datetime
    ) -> CorporateActionApplied | None:
        """Book a split or cash dividend on the position in its symbol (None: none is held)."""
        symbol = action.symbol
        before = self.positions.get(symbol)
        if before is None:
            return None
        outcome = apply_action(before, action)
        if self._futures and action.kind == "split":
            outcome = self._futures_split(before, outcome)
        after = outcome.position
        self.cash += outcome.cash
        self.realized_pnl += outcome.realized_pnl
        if after.quantity == 0:
            self.positions.pop(symbol, None)
        else:
            self.positions[symbol] = after
        self._actions.append((len(self.fills), action))
        trades_before = len(self.trades)
        self._adjust_round_trip(action, outcome, ts)
        closed = self.trades[-1] if len(self.trades) > trades_before else None
        return CorporateActionApplied(
            ts,
            action,
            after,
            before.quantity,
            before.average_price,
            outcome.cash,
            outcome.realized_pnl,
            closed,
        )

    def _futures_split(self, before: Position, outcome: ActionOutcome) -> ActionOutcome:
        """A split of a futures position: the contracts it adds block their margin (those it
        removes release theirs) and a fraction paid out realizes its P&L times the multiplier."""
        terms = self.rules.terms(before.symbol)
        realized = outcome.realized_pnl * terms.multiplier
        released = (abs(before.quantity) - abs(outcome.position.quantity)) * terms.initial_margin
        position = outcome.position._replace(realized_pnl=before.realized_pnl + realized)
        return outcome._replace(position=position, cash=realized + released, realized_pnl=realized)

    def _adjust_round_trip(
        self, action: CorporateActionTerms, outcome: ActionOutcome, ts: datetime
    ) -> None:
        """The open round trip counts a dividend in its P&L and its shares on the new terms."""
        current = self._open_trades.get(action.symbol)
        if current is None:
            return
        if action.kind == "dividend":
            current.realized += outcome.realized_pnl
            return
        current.entry_quantity = current.entry_quantity * action.shares_after / action.shares_before
        current.exit_quantity = current.exit_quantity * action.shares_after / action.shares_before
        if outcome.fraction != 0:
            current.add_exit(
                abs(outcome.fraction), action.price_after_split, ZERO, outcome.realized_pnl
            )
        if outcome.position.quantity == 0:
            self.trades.append(current.close(ts, "cash in lieu of a fractional share"))
            del self._open_trades[action.symbol]

    def market_value(self, prices: Mapping[str, Decimal]) -> Decimal:
        """Equity less ``cash``: the positions at their marks (futures: blocked margin plus
        the open variation)."""
        if self._futures:
            return self.blocked_margin() + self.unrealized_pnl(prices)
        value = ZERO  # a loop, not sum() of a generator: one frame less per view of the books
        for symbol, position in self.positions.items():
            mark = None
            if symbol in prices:  # ``in`` and ``[]``: compiled, no call of a Mapping's ``get``
                mark = prices[symbol]
            if mark is None:
                mark = position[POSITION_AVERAGE_PRICE]
            value += position[POSITION_QUANTITY] * mark
        return value

    def equity(self, prices: Mapping[str, Decimal]) -> Decimal:
        return self.cash + self.market_value(prices)

    def unrealized_pnl(self, prices: Mapping[str, Decimal]) -> Decimal:
        terms = self.rules.terms
        return sum(
            (
                p.unrealized_pnl(prices.get(s, p.average_price)) * terms(s).multiplier
                for s, p in self.positions.items()
            ),
            ZERO,
        )

    def blocked_margin(self) -> Decimal:
        """Initial margin x contracts of the open futures positions (0 in other accounts)."""
        if not self._futures:
            return ZERO
        terms = self.rules.terms
        return sum(
            (abs(p.quantity) * terms(s).initial_margin for s, p in self.positions.items()), ZERO
        )

    def free_cash(self, prices: Mapping[str, Decimal]) -> Decimal:
        """The cash at the marks: a futures account's cash with the open variation settled."""
        if self._futures:
            return self.cash + self.unrealized_pnl(prices)
        return self.cash

    def position_value(self, prices: Mapping[str, Decimal]) -> Decimal:
        """Equity less free cash: positions at their marks (futures: the blocked margin)."""
        if self._futures:
            return self.blocked_margin()
        return self.market_value(prices)

    def gross_exposure(self, prices: Mapping[str, Decimal]) -> Decimal:
        """Sum of |quantity| x mark x multiplier over the open positions."""
        terms = self.rules.terms
        return sum(
            (
                abs(p.quantity) * prices.get(s, p.average_price) * terms(s).multiplier
                for s, p in self.positions.items()
            ),
            ZERO,
        )

    def maintenance_requirement(self, prices: Mapping[str, Decimal]) -> Decimal:
        """The equity the open positions require: futures, maintenance margin x contracts;
        margin account, ``maintenance_pct`` of gross exposure; cash account, none."""
        rules = self.rules
        if self._futures:
            terms = rules.terms
            return sum(
                (abs(p.quantity) * terms(s).maintenance_margin for s, p in self.positions.items()),
                ZERO,
            )
        if rules.is_margin:
            return self.gross_exposure(prices) * rules.maintenance_fraction
        return ZERO

    def equity_terms(self, symbol: str) -> tuple[Decimal, Decimal]:
        """(intercept, slope) with equity = intercept + slope x the symbol's close while only
        ``symbol`` is held: (cash, quantity) in cash accounts."""
        position = self.positions.get(symbol)
        if position is None:
            return self.cash, ZERO
        if not self._futures:
            return self.cash, position[POSITION_QUANTITY]
        terms = self.rules.terms(symbol)
        blocked = abs(position.quantity) * terms.initial_margin
        intercept = self.cash + blocked - position.cost_basis * terms.multiplier
        return intercept, position.quantity * terms.multiplier

    def view(
        self,
        ts: datetime,
        prices: Mapping[str, Decimal],
        *,
        day_start_equity: Decimal | None = None,
        working_entry_symbols: frozenset[str] = frozenset(),
        working_entries: tuple[WorkingEntry, ...] = (),
    ) -> PortfolioView:
        if self._futures:
            cash, equity = self.free_cash(prices), self.equity(prices)
        else:  # the same two operations without their frames
            cash = self.cash
            equity = cash + self.market_value(prices)
        return _view(
            (
                ts,
                cash,
                equity,
                dict(self.positions),
                prices,
                day_start_equity,
                working_entry_symbols,
                working_entries,
            )
        )

    def snapshot(self, ts: datetime, prices: Mapping[str, Decimal]) -> PortfolioSnapshot:
        return PortfolioSnapshot(
            ts, self.free_cash(prices), self.equity(prices), tuple(self.positions.values())
        )

    def check_invariants(self) -> None:
        """Raise AssertionError if the books do not balance (used by tests and after runs).
        Each position is the quantity held at the start (nothing, or what a restored state
        held) plus the fills booked since, through the splits booked between them."""
        if self._futures:
            open_cost, what = self.blocked_margin(), "blocked margin"
        else:
            open_cost = sum((p.cost_basis for p in self.positions.values()), ZERO)
            what = "open cost"
        expected = self.starting_cash + self.realized_pnl - self.fees - open_cost
        if self.cash != expected:
            raise AssertionError(
                f"cash {self.cash} != starting cash + realized - fees - {what} = {expected}"
            )
        fills = self.fills
        for symbol, position in self.positions.items():
            total, booked = self._opening.get(symbol, ZERO), 0
            for fills_before, action in self._actions:
                if action.symbol != symbol:
                    continue
                total += _signed_sum(fills, booked, fills_before, symbol)
                booked = fills_before
                if action.kind == "split":
                    total = split_quantity(total, action)
            total += _signed_sum(fills, booked, len(fills), symbol)
            if total != position.quantity:
                raise AssertionError(
                    f"{symbol} position {position.quantity} != sum of fills and splits {total}"
                )


_view = trusted_maker(PortfolioView)  # every field of a view, in order
_FLAT_POSITIONS: dict[str, Position] = {}


def _flat(symbol: str) -> Position:
    """``Position(symbol)`` with its cost (zero) given, one shared object per symbol (immutable;
    a fill opening a position reads it, never keeps it; with the cost given, ``after_fill`` does
    not work out ``ZERO x ZERO``, a zero of the same exponent)."""
    flat = _FLAT_POSITIONS.get(symbol)
    if flat is None:
        if len(_FLAT_POSITIONS) >= 10_000:  # a bound for processes that see endless symbols
            _FLAT_POSITIONS.clear()
        flat = _FLAT_POSITIONS[symbol] = Position(symbol, cost=ZERO)
    return flat


def _fee_share(fee: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``fee * part / whole``: ``ZERO`` itself for no fee when that is the quotient digit for digit
    (a zero of exponent ``part``'s minus ``whole``'s), so fee-free round trips share it; the
    whole fill (``part`` is ``whole``, the usual case) needs no comparison of exponents."""
    if fee is ZERO and (part is whole or part.same_quantum(whole)):
        return ZERO
    return fee * part / whole


def _signed_sum(fills: list[Fill], start: int, stop: int, symbol: str) -> Decimal:
    """The sum of ``fills[start:stop]``'s signed quantities in ``symbol`` (``sum`` of their
    ``signed_quantity`` from ``ZERO``, the same value): a loop reading the fields by position,
    without the slice's copy, a generator's frame and the property's interpreted call per fill
    (run once after every backtest over all its fills)."""
    total = _ZERO
    for index in range(start, stop):
        fill = fills[index]
        if fill[FILL_SYMBOL] == symbol:
            quantity = fill[FILL_QUANTITY]
            total = total + quantity if fill[FILL_SIDE] is _BUY else total - quantity
    return total
