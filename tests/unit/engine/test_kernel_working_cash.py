"""Entries of two symbols routed on the same bar: the second one's cash check counts the
first, still working (its notional plus the estimated fee), so it is sized at the signal to the
cash left and fills untrimmed; a person's order beside a resting entry is refused saying so."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from test_kernel_working_entries import CASH, CLOSES, START, entries
from test_kernel_working_entries import two_symbol_kernel as two_kernel

from paperdesk.config import ExecutionConfig, RiskConfig
from paperdesk.domain import (
    Bar,
    Direction,
    Event,
    OrderAccepted,
    OrderFilled,
    OrderIntent,
    OrderRole,
    OrderType,
    Side,
    Signal,
)
from paperdesk.engine.kernel import TradingKernel
from paperdesk.routing import OrderRefusedError

D = Decimal
PERCENT = D(60)


def two_symbol_kernel() -> TradingKernel:
    """No exposure cap: only the cash check stands between the two entries."""
    costs = ExecutionConfig(commission="percent:0.1", slippage_bps=D(0))
    return two_kernel(RiskConfig(exposure_cap_percent=None), PERCENT, costs)


def bars(kernel: TradingKernel, index: int, *, signal: bool) -> list[Event]:
    """Each symbol's bar ``index``, flat at its close, AAA first (with a long signal each)."""
    events: list[Event] = []
    opened = START + timedelta(hours=index)
    for symbol, close in CLOSES.items():
        end = opened + timedelta(hours=1)
        bar = Bar(symbol, "1h", opened, end, close, close, close, close, D(1e6))
        signals = [Signal("scripted", symbol, Direction.LONG, end)] if signal else []
        events.extend(kernel.on_bar(bar, signals, index))
    return events


def test_the_second_entry_is_sized_to_the_cash_left_at_the_signal_and_fills_untrimmed() -> None:
    kernel = two_symbol_kernel()
    routed = entries(bars(kernel, 0, signal=True))
    filled = {
        event.fill.symbol: event.fill.quantity
        for event in bars(kernel, 1, signal=False)
        if isinstance(event, OrderFilled)
    }

    # AAA: 59 x 100 + 0.1% = 5,905.90 of 60% of 10,000; BBB: 4,094.10 left pays 102 x 40.04
    assert routed == filled == {"AAA": D(59), "BBB": D(102)}
    assert [note for _, note in kernel.adjustments] == [
        "cash 10,000.00 less working entries 5,905.90 cannot pay for the BBB entry and its "
        "fee; BBB quantity trimmed from 149 to 102"
    ]  # at the signal; nothing trimmed at the fill
    assert kernel.ledger.cash == CASH - D("5905.90") - D("4084.08")


def resting_limit(kernel: TradingKernel, quantity: str) -> str:
    intent = OrderIntent(
        "AAA", Side.BUY, D(quantity), OrderType.LIMIT, limit_price=D(100), role=OrderRole.ENTRY
    )
    [accepted] = kernel.submit_order(intent, START, price=CLOSES["AAA"])
    assert isinstance(accepted, OrderAccepted)
    return accepted.order.order_id


def test_a_persons_entry_beside_a_resting_limit_entry_is_refused_naming_it() -> None:
    kernel = two_symbol_kernel()
    resting_limit(kernel, "50")  # 5,000 at its limit plus 5.00 fee
    buy = OrderIntent("BBB", Side.BUY, D(130), role=OrderRole.ENTRY)

    with pytest.raises(OrderRefusedError) as refused:
        kernel.submit_order(buy, START, price=CLOSES["BBB"])

    assert refused.value.code == "insufficient_cash"
    assert str(refused.value) == (
        "insufficient cash: cash 10,000.00 less working entries 5,005.00 cannot pay for the "
        "BBB entry and its fee; at most 124 BBB would fit, not 130"
    )
    assert [order.symbol for order in kernel.open_orders()] == ["AAA"]  # nothing changed
    fits = buy.with_quantity(D(124))
    assert [type(event) for event in kernel.submit_order(fits, START, price=D(40))] == [
        OrderAccepted
    ]


def test_a_modified_entry_is_counted_once_by_the_cash_check() -> None:
    """Its new values replace the old ones (the order being modified is not a working entry
    beside itself): 99 at 100 plus the fee fits 10,000 alone, not beside the old 50."""
    kernel = two_symbol_kernel()
    order_id = resting_limit(kernel, "50")

    kernel.modify_order(order_id, START, price=CLOSES["AAA"], quantity=D(99))

    assert kernel.order(order_id).quantity == D(99)
