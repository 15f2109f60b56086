"""Builds round-trip trades from fills: opened from flat, closed back to flat or reversed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from paperdesk.domain import ZERO, Side, Trade


@dataclass(slots=True)
class OpenTrade:
    """The running totals of a round trip that has not closed yet."""

    symbol: str
    side: Side
    ts_entry: datetime
    strategy: str
    entry_quantity: Decimal = ZERO
    entry_notional: Decimal = ZERO
    exit_quantity: Decimal = ZERO
    exit_notional: Decimal = ZERO
    fees: Decimal = ZERO
    realized: Decimal = ZERO

    def add_entry(self, quantity: Decimal, price: Decimal, fee: Decimal) -> None:
        self.entry_quantity += quantity
        self.entry_notional += quantity * price
        self.fees += fee

    def add_exit(self, quantity: Decimal, price: Decimal, fee: Decimal, realized: Decimal) -> None:
        self.exit_quantity += quantity
        self.exit_notional += quantity * price
        self.fees += fee
        self.realized += realized

    def close(self, ts_exit: datetime, exit_reason: str) -> Trade:
        return Trade(
            symbol=self.symbol,
            side=self.side,
            quantity=self.entry_quantity,
            entry_price=self.entry_notional / self.entry_quantity,
            exit_price=self.exit_notional / self.exit_quantity,
            ts_entry=self.ts_entry,
            ts_exit=ts_exit,
            fees=self.fees,
            pnl=self.realized - self.fees,
            strategy=self.strategy,
            exit_reason=exit_reason,
        )
