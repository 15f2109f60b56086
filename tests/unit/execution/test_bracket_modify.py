"""A bracket entry modified while it rests: its pending legs follow its quantity (one
``OrderModified`` each), never its price; its fills then size them as before."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import OrderError, OrderModified, OrderStatus, OrderType

from ._support import ExecutionDesk, before, make_bar, make_intent, make_manager

D = Decimal


def _resting_bracket(volume_cap: Decimal | None = None) -> ExecutionDesk:
    manager = make_manager(volume_cap=volume_cap)
    manager.submit(
        make_intent(
            quantity="10", order_type=OrderType.LIMIT, limit="90", stop_loss="85", take_profit="120"
        ),
        before(0),
    )
    return manager


def _legs(manager: ExecutionDesk) -> list[tuple[str, Decimal, OrderStatus, object]]:
    return [
        (leg.order_id, leg.quantity, leg.status, leg.stop_price or leg.limit_price)
        for leg in (manager.get("O2"), manager.get("O3"))
    ]


def test_a_modified_entry_quantity_resizes_its_pending_legs_in_the_same_change() -> None:
    manager = _resting_bracket()
    events = manager.modify("O1", before(0), quantity=D("30"), limit_price=D("91"))
    assert [(type(event), event.order.order_id) for event in events] == [
        (OrderModified, "O1"),
        (OrderModified, "O2"),
        (OrderModified, "O3"),
    ]
    assert [event.order.quantity for event in events] == [D("30")] * 3
    # the legs keep the bracket's levels: the entry's new limit moves neither
    assert _legs(manager) == [
        ("O2", D("30"), OrderStatus.PENDING, D("85")),
        ("O3", D("30"), OrderStatus.PENDING, D("120")),
    ]
    assert all(event.order.ts_updated == before(0) for event in events)
    # a pending leg's eligibility is set when its entry fills, not by the change
    assert [event.ts_eligible for event in events[1:]] == [before(0)] * 2


def test_a_price_only_modify_or_a_refused_one_leaves_the_resized_legs_alone() -> None:
    manager = _resting_bracket()
    manager.modify("O1", before(0), quantity=D("30"))
    [only] = manager.modify("O1", before(0), limit_price=D("89"))
    assert only.order.order_id == "O1"
    with pytest.raises(OrderError, match="no stop price"):
        manager.modify("O1", before(0), quantity=D("40"), stop_price=D("80"))
    assert manager.get("O1").quantity == D("30")
    assert _legs(manager) == [
        ("O2", D("30"), OrderStatus.PENDING, D("85")),
        ("O3", D("30"), OrderStatus.PENDING, D("120")),
    ]


def test_after_a_modified_quantity_the_fills_size_the_legs_as_before() -> None:
    manager = _resting_bracket(volume_cap=D("0.1"))
    manager.modify("O1", before(0), quantity=D("50"))
    assert [leg.quantity for leg in (manager.get("O2"), manager.get("O3"))] == [D("50")] * 2
    manager.on_bar(make_bar(0, "95", "96", "88", "92", volume="200"))  # 20 of 50 fill at 90
    assert manager.get("O1").filled_quantity == D("20")
    assert _legs(manager) == [
        ("O2", D("20"), OrderStatus.ACCEPTED, D("85")),
        ("O3", D("20"), OrderStatus.ACCEPTED, D("120")),
    ]
    # a partly filled entry's new quantity leaves its active legs at what it filled
    [only] = manager.modify("O1", before(1), quantity=D("40"))
    assert only.order.order_id == "O1"
    assert [leg.quantity for leg in (manager.get("O2"), manager.get("O3"))] == [D("20")] * 2
    manager.on_bar(make_bar(1, "95", "96", "88", "92", volume="150"))  # 15 more
    assert manager.get("O1").filled_quantity == D("35")
    assert [leg.quantity for leg in (manager.get("O2"), manager.get("O3"))] == [D("35")] * 2


def test_a_pending_legs_own_quantity_is_refused_and_its_level_may_move() -> None:
    manager = _resting_bracket()
    with pytest.raises(OrderError, match="order O3 is the take_profit leg of the bracket entry O1"):
        manager.modify("O3", before(0), quantity=D("4"))
    assert _legs(manager) == [
        ("O2", D("10"), OrderStatus.PENDING, D("85")),
        ("O3", D("10"), OrderStatus.PENDING, D("120")),
    ]
    # its level may move while it is held
    manager.modify("O3", before(0), limit_price=D("121"))
    assert manager.get("O3").limit_price == D("121")
