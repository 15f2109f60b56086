"""The money lines of ``simulate`` and ``walkforward`` summaries, printed as every amount is
(``cli.money``: exact, thousands separated, at least the cents), from the documents' exact
decimal strings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from paperdesk.cli.money import DEFAULT_CURRENCY, exact, money, price, quantity

SHOWN_OPEN = 3  # the rows still open at the candles' end a summary names


def pnl_after_fees(summary: Mapping[str, Any], currency: str | None = DEFAULT_CURRENCY) -> str:
    """``-42.10 (gross -42.00, fees 0.10)``: net, then gross and fees, in ``currency``."""
    net, gross, fees = (exact(summary[key]) for key in ("pnl", "gross_pnl", "fees"))
    return f"{money(net, currency)} (gross {money(gross, currency)}, fees {money(fees, currency)})"


def open_at_end(entries: Sequence[tuple[str, str, str, str]]) -> str:
    """``2: SPY 100 at 394.35 (2021-03-30 13:00), ...``: the rows whose trade opened and was
    still open when the candles ended (their outcome is ``NO_DATA``), each as (ticker,
    quantity, entry price, entry time) in the documents' exact text; their P&L and fees are
    in no figure of the summary."""
    shown = ", ".join(
        f"{ticker} {quantity(exact(qty))} at {price(exact(entry), ticker)} "
        f"({moment.replace('+00:00', '').replace('T', ' ')[:16]})"
        for ticker, qty, entry, moment in entries[:SHOWN_OPEN]
    )
    more = f" and {len(entries) - SHOWN_OPEN} more" if len(entries) > SHOWN_OPEN else ""
    return (
        f"{len(entries)}: {shown}{more} (NO_DATA counts them; their P&L and entry fees are in "
        "no figure here)"
    )
