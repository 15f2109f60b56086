"""Request and response models (pydantic v2): money and quantities as decimal strings, times
as ISO-8601 UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic_core.core_schema import ValidationInfo

from paperdesk.api.times import Document
from paperdesk.domain import Fill, Order, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.domain import parsing as values
from paperdesk.service.views import FeedHealth, PortfolioDetail, PortfolioSummary, PositionView

# Exact decimals go out as strings ("25000.00"), never as floats.
Money = Annotated[Decimal, PlainSerializer(str, return_type=str, when_used="json")]
OptionalMoney = Annotated[
    Decimal | None,
    PlainSerializer(lambda v: None if v is None else str(v), return_type=str | None),
]


def exact_decimal(value: object, info: ValidationInfo) -> Decimal:
    """A positive amount read as the CLI reads one (``parsing.decimal_value``: exact, finite,
    below 1e15, at most 12 decimals); a JSON float is refused, its text already lost."""
    return named_decimal(value, info.field_name or "the amount")


def named_decimal(value: object, label: str) -> Decimal:
    """``exact_decimal`` of the field named ``label``."""
    if isinstance(value, float):
        raise ValueError(f'send {label} as a decimal string such as "300.5" (exact), not a float')
    return values.decimal_value(value, label)


def query_amount(name: str) -> BeforeValidator:
    """A positive amount in the query parameter ``name``: FastAPI validates a query parameter
    without its name (``info.field_name`` is None), so its errors would say "the amount" where
    the same field in a body says its name."""
    return BeforeValidator(
        lambda value: named_decimal(value, name), json_schema_input_type=str | int
    )


# A positive exact amount in a request: a decimal string (or an integer).
Amount = Annotated[Decimal, BeforeValidator(exact_decimal, json_schema_input_type=str | int)]
# The same in the query parameters of the execute previews, named as their bodies name them.
QuantityQuery = Annotated[Decimal, query_amount("quantity")]
StopQuery = Annotated[Decimal, query_amount("stop")]
TargetQuery = Annotated[Decimal, query_amount("target")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    code: str = Field(description="stable machine-readable reason")
    message: str
    request_id: str | None = Field(
        None, description="the request's X-Request-ID (quote it when reporting a problem)"
    )


class HealthOut(BaseModel):
    status: str


class PortfolioCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    cash: Amount = Field(description="starting cash, a decimal string")
    currency: str = Field("USD", min_length=1, max_length=8)
    strategies: list[str] = Field(default_factory=list, description="default: macd-cross")
    params: list[str] = Field(
        default_factory=list, description="strategy parameters as key=value texts"
    )
    symbols: list[str] = Field(default_factory=list)
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="run-file keys (commission, size_pct, exposure_cap, ...), as in a run file",
    )


class OrderCreate(Strict):
    symbol: str = Field(min_length=1, max_length=32)
    side: Side
    quantity: Amount
    type: OrderType = OrderType.MARKET
    limit_price: Amount | None = None
    stop_price: Amount | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    stop_loss: Amount | None = None
    take_profit: Amount | None = None
    client_order_id: str | None = Field(None, min_length=1, max_length=64)


class SummaryOut(BaseModel):
    id: int
    name: str
    status: str
    base_currency: str
    starting_cash: Money
    cash: Money
    positions_value: Money
    equity: Money
    realized_pnl: Money = Field(description="realized P&L gross, before fees")
    unrealized_pnl: Money
    fees_paid: Money
    realized_pnl_net: Money = Field(description="realized P&L net: realized_pnl - fees_paid")
    ts_created: datetime

    @classmethod
    def of(cls, summary: PortfolioSummary) -> SummaryOut:
        return cls(**{name: getattr(summary, name) for name in cls.model_fields})


class PositionOut(BaseModel):
    symbol: str
    quantity: Money
    average_price: Money
    cost: Money
    last_price: Money
    market_value: Money
    unrealized_pnl: Money
    ts_opened: datetime | None

    @classmethod
    def of(cls, position: PositionView) -> PositionOut:
        return cls(**{name: getattr(position, name) for name in cls.model_fields})


class OrderOut(BaseModel):
    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    quantity: Money
    limit_price: OptionalMoney
    stop_price: OptionalMoney
    time_in_force: TimeInForce
    role: str
    parent_id: str | None
    children: list[str]
    status: OrderStatus
    filled_quantity: Money
    average_price: OptionalMoney
    ts_submitted: datetime
    ts_updated: datetime | None
    ts_expire: datetime | None
    strategy: str
    reason: str

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        fields = {name: getattr(order, name) for name in cls.model_fields if name != "type"}
        fields["role"] = str(order.role)
        fields["children"] = list(order.children)
        return cls(type=order.order_type, **fields)


class FillOut(BaseModel):
    order_id: str
    symbol: str
    side: Side
    quantity: Money
    price: Money
    fee: Money
    slippage: Money
    ts: datetime

    @classmethod
    def of(cls, fill: Fill) -> FillOut:
        return cls(**{name: getattr(fill, name) for name in cls.model_fields})


class FeedOut(BaseModel):
    """A ``source=live`` portfolio's feed of one symbol: its state as its last change left it,
    and its newest stored bar."""

    symbol: str
    state: str = Field(description="ok, stale (no bar the calendar expected) or failing")
    since: datetime | None = Field(description="when it became so; null: always ok")
    last_bar_close: datetime | None
    age_seconds: OptionalMoney = Field(
        description="the newest stored bar's age now, in whole seconds (null: no bar stored)"
    )
    reason: str

    @classmethod
    def of(cls, feed: FeedHealth) -> FeedOut:
        return cls(**{name: getattr(feed, name) for name in cls.model_fields})


class PortfolioOut(BaseModel):
    summary: SummaryOut
    positions: list[PositionOut]
    open_orders: list[OrderOut]
    settings: Document = Field(description="the stored run description")
    feeds: list[FeedOut] = Field(
        default_factory=list, description="live portfolios: each symbol's feed health"
    )

    @classmethod
    def of(cls, detail: PortfolioDetail) -> PortfolioOut:
        return cls(
            summary=SummaryOut.of(detail.summary),
            positions=[PositionOut.of(p) for p in detail.positions],
            open_orders=[OrderOut.of(o) for o in detail.open_orders],
            settings=detail.settings.to_json(),
            feeds=[FeedOut.of(f) for f in detail.feeds],
        )


class PlacedOut(BaseModel):
    orders: list[OrderOut] = Field(description="the order placed, then a bracket's children")


class OrderPage(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None


class FillPage(BaseModel):
    items: list[FillOut]
    next_cursor: str | None
