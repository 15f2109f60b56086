"""Book and simulated venue: timing, slippage, fees, rejections and deferred quantities."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from paperdesk.domain import (
    ZERO,
    Instrument,
    Order,
    OrderAccepted,
    OrderCanceled,
    OrderError,
    OrderFilled,
    OrderRejected,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
)
from paperdesk.execution import FixedBasisPoints, NoFee, PercentOfNotional

from ._support import before, make_bar, make_intent, make_manager

D = Decimal


def fills(events: list[object]) -> list[OrderFilled]:
    return [event for event in events if isinstance(event, OrderFilled)]


def test_submit_accepts_with_sequential_ids_and_default_client_id() -> None:
    manager = make_manager()
    first = manager.submit(make_intent(), before(0))
    second = manager.submit(make_intent(), before(0), client_order_id="mine")
    assert isinstance(first[0], OrderAccepted)
    assert first[0].order.order_id == "O1"
    assert first[0].order.client_order_id == "O1"
    assert second[0].order.order_id == "O2"
    assert second[0].order.client_order_id == "mine"
    assert manager.get("O1").status is OrderStatus.ACCEPTED


def test_unknown_symbol_is_rejected_with_a_reason() -> None:
    events = make_manager().submit(make_intent(symbol="ZZZ"), before(0))
    assert isinstance(events[0], OrderRejected)
    assert "ZZZ" in events[0].reason
    assert events[0].order.status is OrderStatus.REJECTED


def test_quantity_that_is_not_a_whole_lot_is_rejected() -> None:
    events = make_manager().submit(make_intent(quantity="1.5"), before(0))
    assert isinstance(events[0], OrderRejected)
    assert "lot size" in events[0].reason


def test_duplicate_client_order_id_raises_order_error() -> None:
    manager = make_manager()
    manager.submit(make_intent(), before(0), client_order_id="abc")
    with pytest.raises(OrderError, match="abc"):
        manager.submit(make_intent(), before(0), client_order_id="abc")


def test_market_order_fills_at_next_bar_open() -> None:
    manager = make_manager()
    manager.submit(make_intent(), before(1))
    assert manager.on_bar(make_bar(0, "90", "95", "85", "92")) == []
    events = manager.on_bar(make_bar(1, "100", "105", "95", "102"))
    [filled] = fills(events)
    assert filled.fill.price == D("100")
    assert filled.fill.quantity == D("10")
    assert filled.fill.ts == make_bar(1, "100", "105", "95", "102").ts_open
    assert filled.order.status is OrderStatus.FILLED
    assert not manager.has_open_orders("AAA")


def test_order_never_fills_on_a_bar_that_opened_before_it_was_submitted() -> None:
    manager = make_manager()
    bar = make_bar(0, "100", "105", "95", "102")
    manager.submit(make_intent(), bar.ts_open + timedelta(minutes=1))
    assert manager.on_bar(bar) == []
    assert manager.get("O1").status is OrderStatus.ACCEPTED


def test_order_submitted_exactly_at_bar_open_may_fill_on_it() -> None:
    manager = make_manager()
    bar = make_bar(0, "100", "105", "95", "102")
    manager.submit(make_intent(), bar.ts_open)
    assert len(fills(manager.on_bar(bar))) == 1


def test_market_buy_pays_slippage_above_the_open() -> None:
    manager = make_manager(slippage_model=FixedBasisPoints(D("10")))
    manager.submit(make_intent(Side.BUY), before(0))
    [filled] = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102")))
    assert filled.fill.price == D("100.10")
    assert filled.fill.slippage == D("0.10")


def test_market_sell_receives_slippage_below_the_open() -> None:
    manager = make_manager(slippage_model=FixedBasisPoints(D("10")))
    manager.submit(make_intent(Side.SELL), before(0))
    [filled] = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102")))
    assert filled.fill.price == D("99.90")
    assert filled.fill.slippage == D("0.10")


def test_limit_fill_gets_no_slippage() -> None:
    manager = make_manager(slippage_model=FixedBasisPoints(D("10")))
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="96"), before(0))
    [filled] = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102")))
    assert filled.fill.price == D("96")
    assert filled.fill.slippage == 0


def test_triggered_stop_fills_as_market_with_slippage() -> None:
    manager = make_manager(slippage_model=FixedBasisPoints(D("10")))
    manager.submit(make_intent(Side.SELL, order_type=OrderType.STOP, stop="97"), before(0))
    [filled] = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102")))
    assert filled.fill.price == D("96.90")  # 97 less 10 bps, rounded to the cent


def test_stop_limit_triggered_intrabar_rests_then_fills_as_limit_without_slippage() -> None:
    manager = make_manager(slippage_model=FixedBasisPoints(D("10")))
    manager.submit(make_intent(order_type=OrderType.STOP_LIMIT, stop="103", limit="101"), before(0))
    assert manager.on_bar(make_bar(0, "100", "105", "95", "102")) == []
    assert manager.get("O1").triggered
    [filled] = fills(manager.on_bar(make_bar(1, "102", "103", "100", "101")))
    assert filled.fill.price == D("101")
    assert filled.fill.slippage == 0


def test_fee_model_charges_every_fill() -> None:
    manager = make_manager(fee_model=PercentOfNotional(D("0.1")))
    manager.submit(make_intent(quantity="10"), before(0))
    [filled] = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102")))
    assert filled.fill.fee == D("1")


class _ChargingNoFee(NoFee):
    """Free by its class attribute, but its own ``fee`` charges 1 a unit: it must be asked."""

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return quantity


def test_a_free_model_is_not_asked_and_a_subclass_that_charges_is() -> None:
    """The venue takes ZERO for ``NoFee`` (the object ``NoFee.fee`` returns, so a ledger's sums
    keep its exponent) without asking; a subclass that overrides ``fee`` is asked at each fill."""
    charged = []
    for model in (NoFee(), _ChargingNoFee()):
        manager = make_manager(fee_model=model)
        manager.submit(make_intent(quantity="10"), before(0))
        [filled] = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102")))
        charged.append(filled.fill.fee)
    assert charged[0] is ZERO
    assert charged[1] == D("10")


def test_exits_are_processed_before_entries_of_the_same_bar() -> None:
    manager = make_manager()
    manager.submit(make_intent(Side.SELL, role=OrderRole.ENTRY), before(0))
    manager.submit(make_intent(Side.SELL, role=OrderRole.EXIT), before(0))
    events = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102")))
    assert [event.order.order_id for event in events] == ["O2", "O1"]


def test_fill_at_close_fills_market_order_at_signal_bar_close_with_slippage() -> None:
    manager = make_manager(slippage_model=FixedBasisPoints(D("10")))
    bar = make_bar(0, "100", "105", "95", "102")
    manager.submit(make_intent(), bar.ts_close)
    [filled] = fills(manager.fill_at_close("O1", bar))
    assert filled.fill.price == D("102.11")  # 102 * 1.001 = 102.102, a buy rounds up
    assert filled.fill.ts == bar.ts_close


def test_fill_at_close_refuses_non_market_orders() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    with pytest.raises(OrderError, match="market"):
        manager.fill_at_close("O1", make_bar(0, "100", "105", "95", "102"))


def test_resolve_quantity_decides_the_quantity_at_the_fill_price() -> None:
    manager = make_manager(slippage_model=FixedBasisPoints(D("10")))
    manager.submit(make_intent(quantity="5", size_fraction="1"), before(0))
    seen: list[tuple[Order, Decimal]] = []

    def resolve(order: Order, price: Decimal) -> Decimal:
        seen.append((order, price))
        return D("1000") / price

    [filled] = fills(manager.on_bar(make_bar(0, "100", "105", "95", "102"), resolve))
    assert seen[0][1] == D("100.10")
    assert filled.fill.quantity == D("9")  # 9.99 rounded down to the lot
    assert filled.order.quantity == D("9")
    assert filled.order.status is OrderStatus.FILLED


def test_resolve_quantity_of_zero_cancels_the_order() -> None:
    manager = make_manager()
    manager.submit(make_intent(quantity="5", size_fraction="1"), before(0))
    events = manager.on_bar(make_bar(0, "100", "105", "95", "102"), lambda order, price: D(0))
    [canceled] = events
    assert isinstance(canceled, OrderCanceled)
    assert canceled.reason == "nothing fits at fill"
    assert manager.get("O1").status is OrderStatus.CANCELED
