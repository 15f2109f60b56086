"""The kernel's own copy of ``exit_reason`` (read without its interpreted frame) gives its words
for every role, with and without a reason of the order's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperdesk.domain import Order, OrderRole, OrderType, Side
from paperdesk.domain.orders import exit_reason
from paperdesk.engine.kernel import _exit_reason

TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize("role", list(OrderRole))
@pytest.mark.parametrize("reason", ["", "MACD 0.1 crossed below signal 0.2", "stop loss"])
def test_the_kernel_gives_exit_reasons_words(role: OrderRole, reason: str) -> None:
    order = Order(
        "O1", "O1", "SPY", Side.SELL, OrderType.MARKET, Decimal(3), TS, role=role, reason=reason
    )
    assert _exit_reason(order) == exit_reason(order)
