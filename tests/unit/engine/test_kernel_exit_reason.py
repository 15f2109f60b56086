"""The exit reason a fill of an order closes a position with (``exit_reason``, one function for
the kernel and the store): a bracket leg's role in words, else the order's reason or its role,
for every role, with and without a reason of the order's."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperdesk.domain import Order, OrderRole, OrderType, Side
from paperdesk.domain.orders import exit_reason

TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
LEG_WORDS = {OrderRole.STOP_LOSS: "stop-loss", OrderRole.TAKE_PROFIT: "take-profit"}


@pytest.mark.parametrize("role", list(OrderRole))
@pytest.mark.parametrize("reason", ["", "MACD 0.1 crossed below signal 0.2", "stop loss"])
def test_an_exit_is_named_by_its_leg_else_its_reason_else_its_role(
    role: OrderRole, reason: str
) -> None:
    order = Order(
        "O1", "O1", "SPY", Side.SELL, OrderType.MARKET, Decimal(3), TS, role=role, reason=reason
    )
    expected = LEG_WORDS.get(role) or reason or role.value
    assert exit_reason(order) == expected
