"""The words of an account event's reason (a margin call, an overdraft), in one place, with the
numbers given as text: the portfolio writes them exact (``str`` of each Decimal, the event's
stored reason), the CLI's report with prices to the tick and money to the cent."""

from __future__ import annotations

from collections.abc import Sequence

from paperdesk.domain.accounts import CashCheck
from paperdesk.domain.enums import OrderRole


def margin_call_words(equity: str, requirement: str, symbols: Sequence[str]) -> str:
    return (
        f"margin call: equity {equity} below the maintenance requirement {requirement}; "
        f"liquidating {', '.join(symbols)} (largest loser first) at the next price"
    )


def fill_words(side: str, quantity: str, symbol: str, price: str, fee: str) -> str:
    return f"{side} {quantity} {symbol} at {price} fee {fee}"


def overdraft_words(fill: str, cash: str, cash_check: CashCheck, role: OrderRole) -> str:
    """Why a fill (``fill_words``) left cash at ``cash``: with the cash check off, an entry
    checked at an estimated fee, or an exit (never refused)."""
    if cash_check is CashCheck.OFF:
        return f"cash_check=off: {fill} left cash at {cash}"
    if role is OrderRole.ENTRY:
        return f"{fill} left cash at {cash} (the entry was checked at an estimated fee)"
    return f"exit {fill} left cash at {cash}; exits are never refused"
