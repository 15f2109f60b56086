"""The field positions the compiled fill path reads by index are the records' own."""

from __future__ import annotations

from paperdesk.domain import Bar, Fill, Order, Position
from paperdesk.domain import field_positions as positions


def test_every_position_names_its_field() -> None:
    records = {"ORDER": Order, "FILL": Fill, "POSITION": Position, "BAR": Bar}
    names = [name for name in vars(positions) if name.split("_")[0] in records]
    names = [name for name in names if name not in ("ORDER_FIELD_COUNT", "POSITION_FIELDS")]
    assert len(names) == 39  # 19 of an order, 7 of a fill, 6 of a position, 7 of a bar
    for name in names:
        record = records[name.split("_")[0]]
        position = getattr(positions, name)
        field = name.split("_", 1)[1].lower()
        field = {"id": "order_id", "type": "order_type"}.get(field, field)
        assert record._fields[position] == field, name
    assert len(Order._fields) == positions.ORDER_FIELD_COUNT
    assert Position._fields == positions.POSITION_FIELDS
    assert positions.layout_errors() == []


def test_a_moved_field_is_reported() -> None:
    expected = positions.EXPECTED
    moved = {**expected, "ORDER_STATUS": (Order, "status", 11)}
    try:
        positions.EXPECTED = moved  # type: ignore[misc]
        assert positions.layout_errors() == ["ORDER_STATUS: Order.status is not at 11"]
    finally:
        positions.EXPECTED = expected  # type: ignore[misc]
