"""The fast path's entries trimmed at their fill (sized at the signal, then cut by the exposure
cap or the cash check at the fill price), as the kernel's adjustments: "trimmed at fill: " and
the notes ``routing.risk.ExposureCap`` and ``CashAndBuyingPower`` write, worded with the same
``routing.wording`` helpers (the engine hands this to the fast path, which itself imports no
routing; tests compare every adjustment with the event kernel's)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from paperdesk.engine.fastpath.columns import datetimes
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.engine.fastpath.signal_sizing import Trim
from paperdesk.routing.wording import amount, money, percent

_HUNDRED = Decimal(100)
_NO_EXPOSURE = money(Decimal(0))  # the book is flat at an entry's fill


def trimmed_at_fill(
    trims: list[Trim],
    *,
    symbol: str,
    cap_percent: Decimal | None,
    scale: MoneyScale,
    filled_ns: npt.NDArray[np.int64],
) -> list[tuple[datetime, str]]:
    """(the fill bar's open, the reason) of each trim; ``filled_ns[k]``: signal k's fill time."""
    if not trims:
        return []
    stamps = datetimes(filled_ns[np.array([trim.k for trim in trims], dtype=np.intp)])
    return [
        (stamp, "trimmed at fill: " + "; ".join(_notes(trim, symbol, cap_percent, scale)))
        for stamp, trim in zip(stamps, trims, strict=True)
    ]


def _notes(trim: Trim, symbol: str, cap_percent: Decimal | None, scale: MoneyScale) -> list[str]:
    notes = []
    cash = scale.to_decimal(trim.cash)  # the flat book's equity too
    if trim.capped != trim.quantity:
        assert cap_percent is not None
        cap = cash * (cap_percent / _HUNDRED)
        limit = (
            f"gross exposure {_NO_EXPOSURE} plus the {symbol} entry would exceed the cap "
            f"{money(cap)} ({percent(cap_percent)} of equity {money(cash)})"
        )
        notes.append(_trimmed(limit, symbol, trim.quantity, trim.capped))
    if trim.fitted != trim.capped:
        if trim.side > 0:
            limit = f"cash {money(cash)} cannot pay for the {symbol} entry and its fee"
        else:
            limit = (
                f"a short needs 100% margin: equity {money(cash)} less open shorts "
                f"{_NO_EXPOSURE} leaves {money(cash)}"
            )
        notes.append(_trimmed(limit, symbol, trim.capped, trim.fitted))
    return notes


def _trimmed(limit: str, symbol: str, before: int, after: int) -> str:
    """``risk._trim``'s note."""
    return (
        f"{limit}; {symbol} quantity trimmed from {amount(Decimal(before))} to "
        f"{amount(Decimal(after))}"
    )
