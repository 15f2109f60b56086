"""Request and response models of the trading resources: modify an order, close a position
(whole or part), execute a signal in one click and its preview. Money and quantities are
decimal strings, as everywhere in the API."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from paperdesk.api.schemas import Amount, Money, OptionalMoney, OrderOut, Strict
from paperdesk.domain import Direction, OrderIntent, OrderRole, OrderType, Side
from paperdesk.service.signal_execution import ExecutionPlan


class OrderChange(Strict):
    """The fields of a working order to change (at least one); the others stay."""

    quantity: Amount | None = None
    limit_price: Amount | None = None
    stop_price: Amount | None = None

    @model_validator(mode="after")
    def _something(self) -> OrderChange:
        if self.quantity is None and self.limit_price is None and self.stop_price is None:
            raise ValueError("name at least one of quantity, limit_price, stop_price")
        return self


class PositionClose(Strict):
    quantity: Amount | None = Field(
        None, description="how much to close (whole lots, at most the position); none: all"
    )


class ExecuteDirection(StrEnum):
    """long or buy, short or sell; flat closes the position."""

    LONG = "long"
    BUY = "buy"
    SHORT = "short"
    SELL = "sell"
    FLAT = "flat"

    @property
    def direction(self) -> Direction:
        if self in (ExecuteDirection.LONG, ExecuteDirection.BUY):
            return Direction.LONG
        if self in (ExecuteDirection.SHORT, ExecuteDirection.SELL):
            return Direction.SHORT
        return Direction.FLAT


class SignalExecute(Strict):
    """Execute a stored signal; ``quantity`` replaces the sizer's."""

    quantity: Amount | None = None


class TradeExecute(Strict):
    """Execute a symbol and a direction; a stop and a target make the entry a bracket."""

    symbol: str = Field(min_length=1, max_length=32)
    direction: ExecuteDirection
    quantity: Amount | None = Field(None, description="replaces the sizer's quantity")
    stop: Amount | None = Field(None, description="stop-loss price of the bracket")
    target: Amount | None = Field(None, description="take-profit price of the bracket")


class PlannedOrderOut(BaseModel):
    symbol: str
    side: Side
    type: OrderType
    quantity: Money
    limit_price: OptionalMoney
    role: OrderRole
    stop_loss: OptionalMoney
    take_profit: OptionalMoney

    @classmethod
    def of(cls, intent: OrderIntent) -> PlannedOrderOut:
        return cls(
            symbol=intent.symbol,
            side=intent.side,
            type=intent.order_type,
            quantity=intent.quantity,
            limit_price=intent.limit_price,
            role=intent.role,
            stop_loss=intent.stop_loss,
            take_profit=intent.take_profit,
        )


class ExecutionPlanOut(BaseModel):
    """What a click sends, sized at the reference ``price`` (the symbol's last close)."""

    symbol: str
    asset_class: str
    direction: str = Field(description="long, short or flat")
    price: Money
    quantity: Money = Field(description="the entry's quantity in units (the exit's when flat)")
    sized_by: str = Field(description="sizer (the portfolio's rules) or request")
    lots: OptionalMoney = Field(description="forex: the quantity in lots of contract size")
    pip_size: OptionalMoney
    stop_pips: OptionalMoney = Field(description="forex: the stop's distance from the price")
    target_pips: OptionalMoney = Field(description="forex: the target's distance")
    notes: list[str] = Field(description="what the risk rules changed")
    planned: list[PlannedOrderOut]

    @classmethod
    def of(cls, plan: ExecutionPlan) -> ExecutionPlanOut:
        return cls(
            symbol=plan.symbol,
            asset_class=str(plan.asset_class),
            direction=plan.direction.name.lower(),
            price=plan.price,
            quantity=plan.quantity,
            sized_by=plan.sized_by,
            lots=_plain(plan.lots),
            pip_size=plan.pip_size,
            stop_pips=_plain(plan.stop_pips),
            target_pips=_plain(plan.target_pips),
            notes=list(plan.notes),
            planned=[PlannedOrderOut.of(intent) for intent in plan.intents],
        )


class ExecutedOut(ExecutionPlanOut):
    orders: list[OrderOut] = Field(description="the orders placed (entries, then bracket legs)")


def _plain(value: Decimal | None) -> Decimal | None:
    """Without an exponent: 7.339E-2 lots reads 0.07339."""
    if value is None:
        return None
    return Decimal(format(value.normalize(), "f"))
