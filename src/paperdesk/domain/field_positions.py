"""The positions of the fields of an ``Order``, a ``Fill``, a ``Position`` and a ``Bar`` the event
kernel's fill path reads by index.

They are NamedTuples: compiled by mypyc, ``order.status`` is a generic attribute lookup (the
type's method resolution order, then the field's descriptor), ``order[ORDER_STATUS]`` with a
``Final`` position a direct read of the tuple's slot, several times cheaper. The compiled fill
path (``execution/book.py``, ``execution/simulated.py``, ``portfolio/ledger.py``,
``domain/positions.py``) reads these. The layouts are checked at import (a ``Position``'s by
``domain/positions.py``, which this module cannot import: it reads these) and by
``tests/unit/domain/test_field_positions.py``, so a reordered record cannot go unseen.
"""

from __future__ import annotations

from typing import Final

from paperdesk.domain.bars import Bar
from paperdesk.domain.fills import Fill
from paperdesk.domain.orders import Order

ORDER_ID: Final = 0
ORDER_SYMBOL: Final = 2
ORDER_SIDE: Final = 3
ORDER_TYPE: Final = 4
ORDER_QUANTITY: Final = 5
ORDER_LIMIT_PRICE: Final = 7
ORDER_STOP_PRICE: Final = 8
ORDER_TIME_IN_FORCE: Final = 9
ORDER_ROLE: Final = 10
ORDER_PARENT_ID: Final = 11
ORDER_STATUS: Final = 12
ORDER_FILLED_QUANTITY: Final = 13
ORDER_AVERAGE_PRICE: Final = 14
ORDER_TS_EXPIRE: Final = 16
ORDER_TS_UPDATED: Final = 17
ORDER_SIZE_FRACTION: Final = 18
ORDER_STRATEGY: Final = 19
ORDER_REASON: Final = 20
ORDER_CHILDREN: Final = 21
ORDER_FIELD_COUNT: Final = 22

FILL_ORDER_ID: Final = 0
FILL_SYMBOL: Final = 1
FILL_SIDE: Final = 2
FILL_QUANTITY: Final = 3
FILL_PRICE: Final = 4
FILL_FEE: Final = 5
FILL_TS: Final = 6

BAR_TS_OPEN: Final = 2
BAR_TS_CLOSE: Final = 3
BAR_OPEN: Final = 4
BAR_HIGH: Final = 5
BAR_LOW: Final = 6
BAR_CLOSE: Final = 7
BAR_QUOTE: Final = 9

POSITION_SYMBOL: Final = 0
POSITION_QUANTITY: Final = 1
POSITION_AVERAGE_PRICE: Final = 2
POSITION_REALIZED_PNL: Final = 3
POSITION_TS_OPENED: Final = 4
POSITION_COST: Final = 5
POSITION_FIELDS: Final = (
    "symbol",
    "quantity",
    "average_price",
    "realized_pnl",
    "ts_opened",
    "cost",
)

# name -> (record, its field, the position that field must be at)
EXPECTED: Final[dict[str, tuple[type[Order] | type[Fill] | type[Bar], str, int]]] = {
    "ORDER_ID": (Order, "order_id", ORDER_ID),
    "ORDER_SYMBOL": (Order, "symbol", ORDER_SYMBOL),
    "ORDER_SIDE": (Order, "side", ORDER_SIDE),
    "ORDER_TYPE": (Order, "order_type", ORDER_TYPE),
    "ORDER_QUANTITY": (Order, "quantity", ORDER_QUANTITY),
    "ORDER_LIMIT_PRICE": (Order, "limit_price", ORDER_LIMIT_PRICE),
    "ORDER_STOP_PRICE": (Order, "stop_price", ORDER_STOP_PRICE),
    "ORDER_TIME_IN_FORCE": (Order, "time_in_force", ORDER_TIME_IN_FORCE),
    "ORDER_ROLE": (Order, "role", ORDER_ROLE),
    "ORDER_PARENT_ID": (Order, "parent_id", ORDER_PARENT_ID),
    "ORDER_STATUS": (Order, "status", ORDER_STATUS),
    "ORDER_FILLED_QUANTITY": (Order, "filled_quantity", ORDER_FILLED_QUANTITY),
    "ORDER_AVERAGE_PRICE": (Order, "average_price", ORDER_AVERAGE_PRICE),
    "ORDER_TS_EXPIRE": (Order, "ts_expire", ORDER_TS_EXPIRE),
    "ORDER_TS_UPDATED": (Order, "ts_updated", ORDER_TS_UPDATED),
    "ORDER_SIZE_FRACTION": (Order, "size_fraction", ORDER_SIZE_FRACTION),
    "ORDER_STRATEGY": (Order, "strategy", ORDER_STRATEGY),
    "ORDER_REASON": (Order, "reason", ORDER_REASON),
    "ORDER_CHILDREN": (Order, "children", ORDER_CHILDREN),
    "FILL_ORDER_ID": (Fill, "order_id", FILL_ORDER_ID),
    "FILL_SYMBOL": (Fill, "symbol", FILL_SYMBOL),
    "FILL_SIDE": (Fill, "side", FILL_SIDE),
    "FILL_QUANTITY": (Fill, "quantity", FILL_QUANTITY),
    "FILL_PRICE": (Fill, "price", FILL_PRICE),
    "FILL_FEE": (Fill, "fee", FILL_FEE),
    "FILL_TS": (Fill, "ts", FILL_TS),
    "BAR_TS_OPEN": (Bar, "ts_open", BAR_TS_OPEN),
    "BAR_TS_CLOSE": (Bar, "ts_close", BAR_TS_CLOSE),
    "BAR_OPEN": (Bar, "open", BAR_OPEN),
    "BAR_HIGH": (Bar, "high", BAR_HIGH),
    "BAR_LOW": (Bar, "low", BAR_LOW),
    "BAR_CLOSE": (Bar, "close", BAR_CLOSE),
    "BAR_QUOTE": (Bar, "quote", BAR_QUOTE),
}


def layout_errors() -> list[str]:
    """Each position here that its record's fields no longer match (empty: all in place)."""
    errors = [
        f"{name}: {record.__name__}.{field} is not at {position}"
        for name, (record, field, position) in EXPECTED.items()
        if position >= len(record._fields) or record._fields[position] != field
    ]
    if len(Order._fields) != ORDER_FIELD_COUNT:
        errors.append(f"Order has {len(Order._fields)} fields, not {ORDER_FIELD_COUNT}")
    return errors


if layout_errors():  # pragma: no cover
    raise RuntimeError(f"a record's field layout changed: {'; '.join(layout_errors())}")
