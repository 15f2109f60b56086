"""Cancel, cancel-all, modify and the order queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import (
    InvalidInputError,
    OrderCanceled,
    OrderError,
    OrderFilled,
    OrderModified,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
)

from ._support import before, make_bar, make_intent, make_manager

D = Decimal


def test_cancel_closes_an_open_order_with_its_reason() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    [canceled] = manager.cancel("O1", before(0), "user request")
    assert isinstance(canceled, OrderCanceled)
    assert canceled.reason == "user request"
    assert manager.get("O1").status is OrderStatus.CANCELED
    assert manager.on_bar(make_bar(0, "100", "105", "85", "102")) == []


def test_cancel_of_an_unknown_order_raises_order_error() -> None:
    with pytest.raises(OrderError, match="unknown order id O9"):
        make_manager().cancel("O9", before(0))


def test_cancel_of_a_filled_order_raises_order_error() -> None:
    manager = make_manager()
    manager.submit(make_intent(), before(0))
    manager.on_bar(make_bar(0, "100", "105", "95", "102"))
    with pytest.raises(OrderError, match="already filled"):
        manager.cancel("O1", before(1))


def test_cancel_all_cancels_only_the_requested_roles_of_a_symbol() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    manager.submit(
        make_intent(Side.SELL, order_type=OrderType.LIMIT, limit="120", role=OrderRole.EXIT),
        before(0),
    )
    manager.submit(make_intent(symbol="EURUSD", quantity="1000"), before(0))
    events = manager.cancel_all("AAA", before(0), "flatten", roles=[OrderRole.EXIT])
    assert [event.order.order_id for event in events] == ["O2"]
    events = manager.cancel_all("AAA", before(0), "flatten")
    assert [event.order.order_id for event in events] == ["O1"]
    assert [order.order_id for order in manager.open_orders()] == ["O3"]


def test_modify_limit_price_applies_from_bars_opening_after_the_change() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    bar = make_bar(0, "100", "105", "95", "102")
    [modified] = manager.modify("O1", bar.ts_open, limit_price=D("96"))
    assert isinstance(modified, OrderModified)
    assert modified.order.limit_price == D("96")
    [filled] = manager.on_bar(bar)
    assert isinstance(filled, OrderFilled)
    assert filled.fill.price == D("96")


def test_modify_after_a_bar_opened_does_not_apply_to_that_bar() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    bar = make_bar(0, "100", "105", "95", "102")
    manager.modify("O1", bar.ts_close, limit_price=D("96"))
    assert manager.on_bar(bar) == []


def test_modify_quantity_cannot_go_below_the_filled_quantity() -> None:
    manager = make_manager(volume_cap=D("0.1"))
    manager.submit(make_intent(quantity="50"), before(0))
    manager.on_bar(make_bar(0, "100", "105", "95", "102", volume="200"))
    with pytest.raises(OrderError, match="20 already filled"):
        manager.modify("O1", before(1), quantity=D("19"))
    [modified] = manager.modify("O1", before(1), quantity=D("20"))
    assert modified.order.status is OrderStatus.FILLED  # type: ignore[attr-defined]
    assert not manager.has_open_orders("AAA")


def test_modify_a_price_the_order_type_does_not_have_raises() -> None:
    manager = make_manager()
    manager.submit(make_intent(), before(0))
    with pytest.raises(OrderError, match="no limit price"):
        manager.modify("O1", before(0), limit_price=D("90"))
    with pytest.raises(OrderError, match="no stop price"):
        manager.modify("O1", before(0), stop_price=D("90"))


def test_modify_with_nothing_to_change_or_a_bad_price_raises_invalid_input() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    with pytest.raises(InvalidInputError, match="changes nothing"):
        manager.modify("O1", before(0))
    with pytest.raises(InvalidInputError, match="limit price"):
        manager.modify("O1", before(0), limit_price=D("-1"))


def test_queries_list_orders_in_submission_order() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    manager.submit(make_intent(), before(0))
    assert manager.has_open_orders("AAA")
    assert not manager.has_open_orders("EURUSD")
    assert [order.order_id for order in manager.open_orders("AAA")] == ["O1", "O2"]
    manager.on_bar(make_bar(0, "100", "105", "95", "102"))
    assert [order.order_id for order in manager.open_orders()] == ["O1"]
    assert [order.order_id for order in manager.all_orders()] == ["O1", "O2"]
    with pytest.raises(OrderError):
        manager.get("nope")
