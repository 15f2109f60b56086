"""The positions of the fields of a ``PortfolioView`` and a ``Signal`` the router and the risk
rules read by index (the same reason as ``domain/field_positions.py``: compiled by mypyc, a
NamedTuple's field read by name is a generic attribute lookup, by a ``Final`` position a direct
read of the tuple's slot). The layouts are checked here at import, and by
``tests/unit/routing/test_view_fields.py``, so a reordered record cannot go unseen."""

from __future__ import annotations

from typing import Final

from paperdesk.domain import Bar, Order, OrderIntent, PortfolioView, Signal

VIEW_TS: Final = 0
VIEW_CASH: Final = 1
VIEW_EQUITY: Final = 2
VIEW_POSITIONS: Final = 3
VIEW_PRICES: Final = 4
VIEW_DAY_START_EQUITY: Final = 5
VIEW_WORKING_SYMBOLS: Final = 6
VIEW_WORKING_ENTRIES: Final = 7

SIGNAL_STRATEGY: Final = 0
SIGNAL_SYMBOL: Final = 1
SIGNAL_DIRECTION: Final = 2
SIGNAL_TS: Final = 3
SIGNAL_ENTRY: Final = 5
SIGNAL_STOP: Final = 6
SIGNAL_TARGET: Final = 7
SIGNAL_REASON: Final = 8

INTENT_SYMBOL: Final = 0
INTENT_SIDE: Final = 1
INTENT_QUANTITY: Final = 2
INTENT_ROLE: Final = 7
INTENT_SIZE_FRACTION: Final = 10

ORDER_TS_SUBMITTED: Final = 6  # the rest of an Order's: ``domain/field_positions.py``
BAR_SYMBOL: Final = 0  # the rest of a Bar's: ``domain/field_positions.py``

# record -> {field: the position it must be at}
EXPECTED: Final[dict[type[tuple[object, ...]], dict[str, int]]] = {
    PortfolioView: {
        "ts": VIEW_TS,
        "cash": VIEW_CASH,
        "equity": VIEW_EQUITY,
        "positions": VIEW_POSITIONS,
        "prices": VIEW_PRICES,
        "day_start_equity": VIEW_DAY_START_EQUITY,
        "working_entry_symbols": VIEW_WORKING_SYMBOLS,
        "working_entries": VIEW_WORKING_ENTRIES,
    },
    Signal: {
        "strategy": SIGNAL_STRATEGY,
        "symbol": SIGNAL_SYMBOL,
        "direction": SIGNAL_DIRECTION,
        "ts": SIGNAL_TS,
        "entry": SIGNAL_ENTRY,
        "stop": SIGNAL_STOP,
        "target": SIGNAL_TARGET,
        "reason": SIGNAL_REASON,
    },
    OrderIntent: {
        "symbol": INTENT_SYMBOL,
        "side": INTENT_SIDE,
        "quantity": INTENT_QUANTITY,
        "role": INTENT_ROLE,
        "size_fraction": INTENT_SIZE_FRACTION,
    },
    Order: {"ts_submitted": ORDER_TS_SUBMITTED},
    Bar: {"symbol": BAR_SYMBOL},
}


def misplaced_fields() -> list[str]:
    """The fields whose position is not the one named here (empty when the layouts agree)."""
    return [
        f"{record.__name__}.{name}"
        for record, fields in EXPECTED.items()
        for name, position in fields.items()
        if getattr(record, "_fields", ())[position : position + 1] != (name,)
    ]


if misplaced_fields():  # pragma: no cover - a reordered record fails every import
    raise RuntimeError(
        f"record layout changed: update routing/view_fields.py ({', '.join(misplaced_fields())})"
    )
