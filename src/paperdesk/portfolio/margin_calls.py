"""The margin-call rule and the fee floor's overdraft record (pure: a ledger and prices in).

Margin call: at a close, when equity < the maintenance requirement, positions are liquidated
whole, the largest unrealized loser first, until the positions left require no more than the
equity; the caller sends each as a market exit for the next price.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from paperdesk.domain import (
    ZERO,
    AccountKind,
    CashOverdrawn,
    Fill,
    MarginCalled,
    OrderIntent,
    OrderRole,
    Side,
)
from paperdesk.domain.account_words import fill_words, margin_call_words, overdraft_words
from paperdesk.portfolio.ledger import PortfolioLedger

MARGIN_CALL = "margin-call"  # the strategy name a margin call's liquidation orders carry


def margin_call(
    ledger: PortfolioLedger,
    prices: Mapping[str, Decimal],
    ts: datetime,
    being_liquidated: Callable[[str], bool],
) -> tuple[MarginCalled, list[OrderIntent]] | None:
    """The call and its liquidation exits when equity is below the maintenance requirement
    (positions already ``being_liquidated`` are left to their working exit), else None."""
    equity = ledger.equity(prices)
    requirement = ledger.maintenance_requirement(prices)
    if equity >= requirement:
        return None
    positions = ledger.positions
    candidates = [symbol for symbol in positions if not being_liquidated(symbol)]
    # positions whose liquidation already works will stop requiring margin at the next price
    remaining = requirement - sum(
        (_requirement_of(ledger, s, prices) for s in positions if s not in candidates),
        Decimal(0),
    )
    if not candidates or equity >= remaining:
        return None
    terms = ledger.rules.terms

    def loss_first(symbol: str) -> tuple[Decimal, str]:
        position = positions[symbol]
        mark = prices.get(symbol, position.average_price)
        return position.unrealized_pnl(mark) * terms(symbol).multiplier, symbol

    chosen: list[str] = []
    for symbol in sorted(candidates, key=loss_first):
        if equity >= remaining:
            break
        chosen.append(symbol)
        remaining -= _requirement_of(ledger, symbol, prices)
    reason = margin_call_words(str(equity), str(requirement), chosen)
    exits = [
        OrderIntent(
            symbol,
            Side.SELL if positions[symbol].quantity > 0 else Side.BUY,
            abs(positions[symbol].quantity),
            role=OrderRole.EXIT,
            strategy=MARGIN_CALL,
            reason=reason,
        )
        for symbol in chosen
    ]
    return MarginCalled(ts, equity, requirement, tuple(chosen), reason), exits


def may_have_overdrawn(ledger: PortfolioLedger, cash_before: Decimal) -> bool:
    """Whether the fill that took the ledger's cash from ``cash_before`` can have overdrawn it:
    the cash fell, and it is below zero or the account is a futures one (whose free cash also
    counts the open variation). ``overdraft``'s first test, cheap enough for every fill."""
    cash = ledger.cash
    return cash < cash_before and (cash < ZERO or ledger.is_futures)


def overdraft(
    ledger: PortfolioLedger,
    fill: Fill,
    order_id: str,
    role: OrderRole,
    cash_before: Decimal,
    prices: Mapping[str, Decimal],
) -> CashOverdrawn | None:
    """The fee floor's record: a fill that left a cash or futures account's cash below zero
    (and lower than before). Entries only get here with ``cash_check=off`` (the cash check
    sizes them so quantity x price + fee fits); exits are never refused, so an exit's fee or a
    short's cover may overdraw. A margin account borrows by design (its limit is the call)."""
    rules = ledger.rules
    if rules.kind is AccountKind.MARGIN or not may_have_overdrawn(ledger, cash_before):
        return None
    cash = ledger.free_cash(prices)
    if cash >= 0:
        return None
    what = fill_words(
        fill.side.value, str(fill.quantity), fill.symbol, str(fill.price), str(fill.fee)
    )
    reason = overdraft_words(what, str(cash), rules.cash_check, role)
    return CashOverdrawn(fill.ts, order_id, fill.symbol, cash, reason, rules.cash_check)


def _requirement_of(ledger: PortfolioLedger, symbol: str, prices: Mapping[str, Decimal]) -> Decimal:
    """One position's part of ``maintenance_requirement``."""
    position = ledger.positions[symbol]
    rules = ledger.rules
    terms = rules.terms(symbol)
    if rules.is_futures:
        return abs(position.quantity) * terms.maintenance_margin
    mark = prices.get(symbol, position.average_price)
    return abs(position.quantity) * mark * terms.multiplier * rules.maintenance_fraction
