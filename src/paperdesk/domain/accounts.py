"""Account kinds and cash-check modes: how fills move cash and what an order must fit."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    """How a portfolio pays for positions.

    ``cash``: a long pays its notional from cash (today's behaviour). ``margin``: equities and
    forex bought on credit up to ``leverage`` times equity. ``futures``: a position blocks its
    initial margin per contract and its variation P&L is settled into cash at every close.
    """

    CASH = "cash"
    MARGIN = "margin"
    FUTURES = "futures"


class CashCheck(StrEnum):
    """What happens to an entry the account cannot pay for (cash, buying power or margin)."""

    REJECT = "reject"  # refuse it, with the reason
    TRIM = "trim"  # cut it to what fits, with the reason (the default)
    OFF = "off"  # no check: cash may go negative (each overdraft is recorded)
