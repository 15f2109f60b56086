"""Bracket orders: pending legs, sizing to the parent's fills, one-cancels-other."""

from __future__ import annotations

from decimal import Decimal

from paperdesk.domain import (
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderModified,
    OrderRejected,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)

from ._support import ExecutionDesk, before, make_bar, make_intent, make_manager

D = Decimal


def submit_long_bracket(quantity: str = "10", volume_cap: Decimal | None = None) -> ExecutionDesk:
    manager = make_manager(volume_cap=volume_cap)
    manager.submit(make_intent(quantity=quantity, stop_loss="95", take_profit="110"), before(0))
    return manager


def test_bracket_creates_pending_stop_loss_and_take_profit_legs() -> None:
    manager = make_manager()
    events = manager.submit(make_intent(stop_loss="95", take_profit="110"), before(0))
    assert [type(event) for event in events] == [OrderAccepted] * 3
    parent, stop_leg, target_leg = (manager.get(order_id) for order_id in ("O1", "O2", "O3"))
    assert parent.children == ("O2", "O3")
    assert stop_leg.status is OrderStatus.PENDING
    assert (stop_leg.role, stop_leg.order_type, stop_leg.side, stop_leg.stop_price) == (
        OrderRole.STOP_LOSS,
        OrderType.STOP,
        Side.SELL,
        D("95"),
    )
    assert (target_leg.role, target_leg.order_type, target_leg.limit_price) == (
        OrderRole.TAKE_PROFIT,
        OrderType.LIMIT,
        D("110"),
    )
    assert target_leg.parent_id == "O1"


def test_pending_legs_do_not_trade_before_the_parent_fills() -> None:
    manager = make_manager()
    manager.submit(
        make_intent(order_type=OrderType.LIMIT, limit="80", stop_loss="75", take_profit="120"),
        before(0),
    )
    assert manager.on_bar(make_bar(0, "100", "125", "90", "102")) == []
    assert manager.get("O3").status is OrderStatus.PENDING


def test_bracket_with_stop_loss_above_take_profit_is_rejected() -> None:
    events = make_manager().submit(make_intent(stop_loss="110", take_profit="95"), before(0))
    assert isinstance(events[0], OrderRejected)


def test_legs_are_evaluated_on_the_same_bar_when_the_parent_fills_at_the_open() -> None:
    manager = make_manager()
    manager.submit(make_intent(stop_loss="95", take_profit="110"), before(0))
    events = manager.on_bar(make_bar(0, "100", "111", "99", "105"))
    filled = [event for event in events if isinstance(event, OrderFilled)]
    assert [(event.order.order_id, event.fill.price) for event in filled] == [
        ("O1", D("100")),
        ("O3", D("110")),
    ]
    assert manager.get("O2").status is OrderStatus.CANCELED


def test_legs_start_on_the_next_bar_when_the_parent_fills_inside_the_bar() -> None:
    manager = make_manager()
    manager.submit(
        make_intent(order_type=OrderType.LIMIT, limit="98", stop_loss="95", take_profit="110"),
        before(0),
    )
    events = manager.on_bar(make_bar(0, "100", "111", "94", "105"))
    assert [type(event) for event in events] == [OrderFilled, OrderAccepted, OrderAccepted]
    assert manager.get("O2").status is OrderStatus.ACCEPTED
    [filled, canceled] = manager.on_bar(make_bar(1, "105", "111", "100", "106"))
    assert isinstance(filled, OrderFilled)
    assert filled.order.order_id == "O3"
    assert isinstance(canceled, OrderCanceled)


def test_stop_loss_wins_when_stop_and_target_touched_in_same_bar() -> None:
    manager = submit_long_bracket()
    manager.on_bar(make_bar(0, "100", "105", "99", "101"))
    events = manager.on_bar(make_bar(1, "100", "111", "94", "101"))
    [filled] = [event for event in events if isinstance(event, OrderFilled)]
    assert filled.order.role is OrderRole.STOP_LOSS
    assert filled.fill.price == D("95")
    assert manager.ambiguous_bars == 1
    assert manager.get("O3").status is OrderStatus.CANCELED


def test_take_profit_wins_unambiguously_when_the_bar_opens_through_it() -> None:
    manager = submit_long_bracket()
    manager.on_bar(make_bar(0, "100", "105", "99", "101"))
    events = manager.on_bar(make_bar(1, "112", "113", "94", "101"))
    [filled] = [event for event in events if isinstance(event, OrderFilled)]
    assert filled.order.role is OrderRole.TAKE_PROFIT
    assert filled.fill.price == D("112")
    assert manager.ambiguous_bars == 0


def test_oco_sibling_is_canceled_when_the_stop_loss_fills() -> None:
    manager = submit_long_bracket()
    manager.on_bar(make_bar(0, "100", "105", "99", "101"))
    events = manager.on_bar(make_bar(1, "100", "101", "90", "91"))
    canceled = [event for event in events if isinstance(event, OrderCanceled)]
    assert [event.order.order_id for event in canceled] == ["O3"]
    assert "one-cancels-other" in canceled[0].reason
    assert not manager.has_open_orders("AAA")


def test_legs_are_sized_to_the_parent_filled_quantity_and_grow_with_partial_fills() -> None:
    manager = submit_long_bracket(quantity="50", volume_cap=D("0.1"))
    events = manager.on_bar(make_bar(0, "100", "105", "99", "101", volume="200"))
    assert manager.get("O2").quantity == D("20")
    assert manager.get("O3").status is OrderStatus.ACCEPTED
    assert sum(isinstance(event, OrderAccepted) for event in events) == 2
    events = manager.on_bar(make_bar(1, "100", "105", "99", "101", volume="150"))
    assert manager.get("O1").filled_quantity == D("35")
    assert manager.get("O2").quantity == D("35")
    assert manager.get("O3").quantity == D("35")
    assert sum(isinstance(event, OrderModified) for event in events) == 2


def test_canceling_the_parent_cancels_its_pending_legs() -> None:
    manager = submit_long_bracket()
    events = manager.cancel("O1", before(0), "changed my mind")
    assert [event.order.order_id for event in events] == ["O1", "O2", "O3"]
    assert all(isinstance(event, OrderCanceled) for event in events)


def test_parent_canceled_after_a_partial_fill_keeps_its_active_legs() -> None:
    manager = submit_long_bracket(quantity="50", volume_cap=D("0.1"))
    manager.on_bar(make_bar(0, "100", "105", "99", "101", volume="200"))
    events = manager.cancel("O1", before(1))
    assert [event.order.order_id for event in events] == ["O1"]
    assert manager.get("O2").status is OrderStatus.ACCEPTED


def test_ioc_parent_partially_filled_activates_its_legs_before_the_rest_is_canceled() -> None:
    manager = make_manager(volume_cap=D("0.1"))
    manager.submit(
        make_intent(quantity="50", tif=TimeInForce.IOC, stop_loss="95", take_profit="110"),
        before(0),
    )
    manager.on_bar(make_bar(0, "100", "105", "99", "101", volume="200"))
    assert manager.get("O1").status is OrderStatus.CANCELED
    assert manager.get("O2").status is OrderStatus.ACCEPTED
    assert manager.get("O2").quantity == D("20")


def test_a_filled_leg_cancels_what_the_parent_has_not_filled_yet() -> None:
    # volume cap 0.00002 of 1,000,000 = 20 units a bar: the parent needs 50 units, three bars
    manager = make_manager(volume_cap=D("0.00002"))
    manager.submit(make_intent(quantity="50", stop_loss="95", take_profit="110"), before(0))
    manager.on_bar(make_bar(0, "100", "101", "99", "100"))
    assert manager.get("O1").filled_quantity == D("20")
    events = manager.on_bar(make_bar(1, "100", "100.5", "94", "96"))  # the stop-loss fires
    stop_fills = [e for e in events if isinstance(e, OrderFilled)]
    assert [e.order.order_id for e in stop_fills] == ["O2"]
    parent = manager.get("O1")
    assert parent.status is OrderStatus.CANCELED
    assert parent.filled_quantity == D("20")
    assert manager.open_orders() == []


def test_bracket_prices_round_to_the_tick_against_the_trader() -> None:
    manager = make_manager()
    manager.submit(make_intent(stop_loss="95.456", take_profit="110.123"), before(0))
    assert manager.get("O2").stop_price == D("95.45")  # a long's stop rounds down
    assert manager.get("O3").limit_price == D("110.13")  # its target rounds up
    manager.submit(make_intent(Side.SELL, stop_loss="110.123", take_profit="95.456"), before(0))
    assert manager.get("O5").stop_price == D("110.13")  # a short's stop rounds up
    assert manager.get("O6").limit_price == D("95.45")  # its target rounds down
