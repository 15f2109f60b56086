"""Fills: one execution of (part of) an order."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from paperdesk.domain.enums import Side


class Fill(NamedTuple):
    order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    fee: Decimal
    ts: datetime
    slippage: Decimal = Decimal(0)  # price moved against us by the slippage model, per unit

    @property
    def signed_quantity(self) -> Decimal:
        return self.quantity if self.side is Side.BUY else -self.quantity

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price
