"""Time in force (DAY, GTC, IOC, FOK) and volume-capped partial fills."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.domain import (
    Bar,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)

from ._support import bar_open_time, before, make_bar, make_intent, make_manager

D = Decimal


def test_day_order_expires_at_the_injected_session_close_and_not_before() -> None:
    manager = make_manager()
    submitted = bar_open_time(0) + timedelta(hours=1)  # 15:30 UTC, session closes 21:00
    [accepted] = manager.submit(
        make_intent(order_type=OrderType.LIMIT, limit="50", tif=TimeInForce.DAY), submitted
    )
    close = submitted.replace(hour=21, minute=0)
    assert accepted.order.ts_expire == close  # type: ignore[attr-defined]
    assert manager.on_bar(make_bar(0, "100", "105", "95", "102")) == []  # opened before: skipped
    [expired] = manager.on_bar(make_bar(1, "100", "105", "95", "102"))
    assert isinstance(expired, OrderExpired)
    assert expired.ts_event == close
    assert manager.get("O1").status is OrderStatus.EXPIRED


def test_day_order_fills_on_the_session_it_was_submitted_for() -> None:
    manager = make_manager()
    manager.submit(
        make_intent(order_type=OrderType.LIMIT, limit="96", tif=TimeInForce.DAY), bar_open_time(0)
    )
    [filled] = manager.on_bar(make_bar(0, "100", "105", "95", "102"))
    assert isinstance(filled, OrderFilled)


def test_day_order_submitted_at_session_close_expires_at_the_next_close() -> None:
    manager = make_manager()
    at_close = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)
    [accepted] = manager.submit(make_intent(tif=TimeInForce.DAY), at_close)
    assert accepted.order.ts_expire == at_close + timedelta(days=1)  # type: ignore[attr-defined]
    [filled] = manager.on_bar(make_bar(1, "100", "105", "95", "102"))
    assert isinstance(filled, OrderFilled)


def test_day_order_without_a_calendar_expires_at_the_next_utc_midnight() -> None:
    manager = make_manager(with_calendar=False)
    [accepted] = manager.submit(
        make_intent(tif=TimeInForce.DAY), datetime(2024, 1, 2, 0, 0, tzinfo=UTC)
    )
    assert accepted.order.ts_expire == datetime(2024, 1, 3, tzinfo=UTC)  # type: ignore[attr-defined]


def test_gtc_limit_rests_across_bars_until_touched() -> None:
    manager = make_manager()
    manager.submit(make_intent(order_type=OrderType.LIMIT, limit="90"), before(0))
    assert manager.on_bar(make_bar(0, "100", "105", "95", "102")) == []
    assert manager.on_bar(make_bar(1, "100", "105", "91", "102")) == []
    [filled] = manager.on_bar(make_bar(2, "100", "105", "89", "102"))
    assert isinstance(filled, OrderFilled)
    assert filled.fill.price == D("90")


def test_ioc_fills_what_the_volume_cap_allows_then_cancels_the_rest() -> None:
    manager = make_manager(volume_cap=D("0.1"))
    manager.submit(make_intent(quantity="100", tif=TimeInForce.IOC), before(0))
    filled, canceled = manager.on_bar(make_bar(0, "100", "105", "95", "102", volume="300"))
    assert isinstance(filled, OrderFilled)
    assert filled.fill.quantity == D("30")
    assert isinstance(canceled, OrderCanceled)
    assert canceled.order.status is OrderStatus.CANCELED
    assert canceled.order.filled_quantity == D("30")


def test_ioc_limit_is_canceled_when_not_reached_on_its_first_bar() -> None:
    manager = make_manager()
    manager.submit(
        make_intent(order_type=OrderType.LIMIT, limit="90", tif=TimeInForce.IOC), before(0)
    )
    [canceled] = manager.on_bar(make_bar(0, "100", "105", "95", "102"))
    assert isinstance(canceled, OrderCanceled)


def test_fok_is_canceled_entirely_when_the_volume_cap_prevents_a_full_fill() -> None:
    manager = make_manager(volume_cap=D("0.1"))
    manager.submit(make_intent(quantity="100", tif=TimeInForce.FOK), before(0))
    [canceled] = manager.on_bar(make_bar(0, "100", "105", "95", "102", volume="300"))
    assert isinstance(canceled, OrderCanceled)
    assert canceled.order.filled_quantity == 0


def test_fok_fills_entirely_when_the_volume_allows() -> None:
    manager = make_manager(volume_cap=D("0.1"))
    manager.submit(make_intent(quantity="100", tif=TimeInForce.FOK), before(0))
    [filled] = manager.on_bar(make_bar(0, "100", "105", "95", "102", volume="1000"))
    assert isinstance(filled, OrderFilled)
    assert filled.fill.quantity == D("100")


def test_partial_fills_carry_across_bars_under_a_volume_cap() -> None:
    manager = make_manager(volume_cap=D("0.1"))
    manager.submit(make_intent(side=Side.SELL, quantity="50"), before(0))
    [first] = manager.on_bar(make_bar(0, "100", "105", "95", "102", volume="209"))
    assert isinstance(first, OrderFilled)
    assert first.fill.quantity == D("20")  # floor(20.9) to the lot
    assert first.order.status is OrderStatus.PARTIALLY_FILLED
    assert manager.on_bar(make_bar(1, "101", "105", "95", "102", volume="0")) == []
    [second] = manager.on_bar(make_bar(2, "102", "105", "95", "102", volume="1000"))
    assert isinstance(second, OrderFilled)
    assert second.fill.quantity == D("30")
    assert second.order.status is OrderStatus.FILLED
    assert second.order.average_price == D("101.2")  # (20 * 100 + 30 * 102) / 50


def test_volume_cap_is_shared_by_the_orders_of_one_bar() -> None:
    manager = make_manager(volume_cap=D("0.1"))
    manager.submit(make_intent(quantity="30"), before(0))
    manager.submit(make_intent(quantity="30"), before(0))
    events = manager.on_bar(make_bar(0, "100", "105", "95", "102", volume="400"))
    assert [event.fill.quantity for event in events if isinstance(event, OrderFilled)] == [
        D("30"),
        D("10"),
    ]


def intraday_bar(hour: int, minute: int = 0) -> Bar:
    ts_open = datetime(2024, 1, 2, hour, minute, tzinfo=UTC)
    return Bar(
        "AAA",
        "30m",
        ts_open,
        ts_open + timedelta(minutes=30),
        D("100"),
        D("101"),
        D("99"),
        D("100"),
        D("1000"),
    )


def test_day_order_survives_bars_before_the_close_and_expires_on_the_first_bar_at_it() -> None:
    manager = make_manager()
    manager.submit(
        make_intent(order_type=OrderType.LIMIT, limit="90", tif=TimeInForce.DAY),
        datetime(2024, 1, 2, 15, 0, tzinfo=UTC),
    )
    assert manager.on_bar(intraday_bar(15)) == []
    assert manager.on_bar(intraday_bar(20, 30)) == []
    [expired] = manager.on_bar(intraday_bar(21))
    assert isinstance(expired, OrderExpired)
    assert expired.ts_event == datetime(2024, 1, 2, 21, 0, tzinfo=UTC)
