"""The cash a round trip's P&L holds besides its price move: the dividends booked on a raw-price
ledger while it was open (paid to a long, owed by a short), which make its gross P&L differ
from its quantity times its exit price less its entry price."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from paperdesk.domain import Side, Trade

if TYPE_CHECKING:
    from paperdesk.config import RunConfig

CENT = Decimal("0.01")


def price_move(trade: Trade) -> Decimal:
    """The round trip's P&L from its prices alone: quantity x (exit - entry), sign by side."""
    move = trade.quantity * (trade.exit_price - trade.entry_price)
    return move if trade.side is Side.BUY else -move


def income_held_over(trades: Sequence[Trade]) -> list[tuple[Trade, Decimal]]:
    """Each round trip whose gross P&L differs from its price move by a cent or more, with the
    difference (only a run on raw prices books dividends; on a contract with a multiplier the
    move is multiplied, so such runs are not asked)."""
    held = ((trade, trade.gross_pnl - price_move(trade)) for trade in trades)
    return [(trade, income) for trade, income in held if abs(income) >= CENT]


def priced_by_move(settings: RunConfig) -> bool:
    """Whether a portfolio's round trips are worth their price move alone but for the dividends
    its ledger books: raw prices (the default) and no contract multiplier."""
    adjust = settings.source.adjust
    return (adjust is None or adjust.value == "raw") and settings.account.multiplier is None
