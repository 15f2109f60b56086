"""The fast path's entries trimmed at their fill (sized at the signal, then cut by the position
cap, the exposure cap or the cash check at the fill price), as the kernel's adjustments: "trimmed
at fill: " and the notes ``routing.risk.MaxPositionSize``, ``ExposureCap`` and
``CashAndBuyingPower`` write (or "nothing fits at
fill: " and the reason of the rule that left nothing), worded with the same ``routing.wording``
helpers (the engine hands this to the fast path, which itself imports no routing; tests compare
every adjustment with the event kernel's).
"""

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
    position_percent: Decimal | None = None,
    scale: MoneyScale,
    signal_ns: npt.NDArray[np.int64],
    filled_ns: npt.NDArray[np.int64],
) -> list[tuple[datetime, str]]:
    """(when, the reason) of each trim: at signal k's bar close (``signal_ns[k]``) for a trim
    at the signal, at its fill bar's open (``filled_ns[k]``) for one at the fill."""
    if not trims:
        return []
    signals = np.array([trim.k for trim in trims], dtype=np.intp)
    at_fill = np.array([trim.at_fill for trim in trims], dtype=bool)
    stamps = datetimes(np.where(at_fill, filled_ns[signals], signal_ns[signals]))
    return [
        (stamp, _notes(trim, symbol, (position_percent, cap_percent), scale))
        for stamp, trim in zip(stamps, trims, strict=True)
    ]


def _notes(
    trim: Trim, symbol: str, caps: tuple[Decimal | None, Decimal | None], scale: MoneyScale
) -> str:
    """``SignalRouter.sized_at_fill``'s reason and the venue's prefix: the trimming rules' notes,
    or the reason of the rule that left nothing (``risk._trim``'s words); ``caps``: the
    position cap's and the exposure cap's percents."""
    cash = scale.to_decimal(trim.cash)  # the flat book's equity too
    position_percent, cap_percent = caps
    positioned = trim.quantity if trim.positioned is None else trim.positioned
    if not positioned:
        limit = _position_limit(cash, symbol, position_percent)
        return f"nothing fits at fill: {limit}; " + _none(symbol)
    if not trim.capped:
        return f"nothing fits at fill: {_cap_limit(cash, symbol, cap_percent)}; " + _none(symbol)
    if not trim.fitted:
        return f"nothing fits at fill: {_cash_limit(cash, symbol, trim.side)}; " + _none(symbol)
    notes = []  # the router's notes at the signal; the venue's reason at the fill
    if positioned != trim.quantity:
        limit = _position_limit(cash, symbol, position_percent)
        notes.append(_trimmed(limit, symbol, trim.quantity, positioned))
    if trim.capped != positioned:
        limit = _cap_limit(cash, symbol, cap_percent)
        notes.append(_trimmed(limit, symbol, positioned, trim.capped))
    if trim.fitted != trim.capped:
        limit = _cash_limit(cash, symbol, trim.side)
        notes.append(_trimmed(limit, symbol, trim.capped, trim.fitted))
    return ("trimmed at fill: " if trim.at_fill else "") + "; ".join(notes)


def _position_limit(equity: Decimal, symbol: str, position_percent: Decimal | None) -> str:
    """``MaxPositionSize``'s limit on a flat book."""
    limit, share = _share(equity, position_percent)
    return f"the {symbol} position may not exceed {limit} {share}"


def _cap_limit(equity: Decimal, symbol: str, cap_percent: Decimal | None) -> str:
    """``ExposureCap``'s limit on a flat book."""
    cap, share = _share(equity, cap_percent)
    return (
        f"gross exposure {_NO_EXPOSURE} plus the {symbol} entry would exceed the cap {cap} {share}"
    )


def _share(equity: Decimal, share_percent: Decimal | None) -> tuple[str, str]:
    """A cap of ``share_percent`` of ``equity`` as the caps word it: the amount and "(P% of
    equity E)"."""
    assert share_percent is not None
    amount_text = money(equity * (share_percent / _HUNDRED))
    return amount_text, f"({percent(share_percent)} of equity {money(equity)})"


def _cash_limit(cash: Decimal, symbol: str, side: int) -> str:
    """``CashAndBuyingPower``'s limit for a cash account on a flat book."""
    if side > 0:
        return f"cash {money(cash)} cannot pay for the {symbol} entry and its fee"
    return (
        f"a short needs 100% margin: equity {money(cash)} less open shorts {_NO_EXPOSURE} "
        f"leaves {money(cash)}"
    )


def _none(symbol: str) -> str:
    return f"not even one lot of {symbol} fits"


def _trimmed(limit: str, symbol: str, before: int, after: int) -> str:
    """``risk._trim``'s note."""
    return (
        f"{limit}; {symbol} quantity trimmed from {amount(Decimal(before))} to "
        f"{amount(Decimal(after))}"
    )
