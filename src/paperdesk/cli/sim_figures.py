"""The money lines of ``simulate`` and ``walkforward`` summaries, printed as every amount is
(``cli.money``: exact, thousands separated, at least the cents), from the documents' exact
decimal strings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paperdesk.cli.money import DEFAULT_CURRENCY, exact, money


def pnl_after_fees(summary: Mapping[str, Any], currency: str | None = DEFAULT_CURRENCY) -> str:
    """``-42.10 (gross -42.00, fees 0.10)``: net, then gross and fees, in ``currency``."""
    net, gross, fees = (exact(summary[key]) for key in ("pnl", "gross_pnl", "fees"))
    return f"{money(net, currency)} (gross {money(gross, currency)}, fees {money(fees, currency)})"
