"""Alpaca's order requests, read exactly: the JSON body is parsed with every number kept as
a Decimal (alpaca-py sends prices and quantities as JSON numbers: ``"qty": 3.0``), so
``300.1`` arrives as ``Decimal("300.1")``, never through a binary float.

What paperdesk does not do is refused by name (422 ``40010001``): notional orders, trailing
stops, ``opg``/``cls`` time in force, extended hours, ``oco``/``oto``/``mleg`` classes, a
stop-limit stop loss.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core.core_schema import ValidationInfo

from paperdesk.api.alpaca.errors import bad_request
from paperdesk.domain import OrderType, Side, TimeInForce, limits
from paperdesk.domain import parsing as values

MAX_BODY = 64 * 1024


def exact(value: object, info: ValidationInfo) -> Decimal:
    """A positive exact amount: a JSON number (read as Decimal), a decimal string or an int.

    Trailing zeros are dropped (alpaca-py types quantities as floats, so ``qty=3`` arrives as
    ``3.0``); the value stays exactly what was sent."""
    number = values.decimal_value(value, info.field_name or "value")
    return plain(number)


def plain(number: Decimal) -> Decimal:
    """``number`` without trailing zeros and never in exponent form (3.0 -> 3, 10.0 -> 10)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return Decimal(format(number.normalize(), "f"))


Amount = Annotated[Decimal, BeforeValidator(exact)]


def client_order_id(value: object) -> str:
    """The domain's rule (1 to 64 printable characters without spaces), checked with the
    request's other fields: a malformed one is 422 ``40010001`` naming it, as alpaca.md says."""
    return limits.client_order_id_value(value, "client_order_id")


ClientOrderId = Annotated[str, BeforeValidator(client_order_id)]


class OrderClass(StrEnum):
    SIMPLE = "simple"
    BRACKET = "bracket"
    OCO = "oco"
    OTO = "oto"
    MLEG = "mleg"


class Relaxed(BaseModel):
    """Alpaca's clients send fields paperdesk has no use for; unknown ones are ignored as
    Alpaca ignores them, and the ones that change an order's meaning are refused by name."""

    model_config = ConfigDict(extra="ignore")


class TakeProfit(Relaxed):
    limit_price: Amount


class StopLoss(Relaxed):
    stop_price: Amount
    limit_price: Amount | None = None


class OrderIn(Relaxed):
    symbol: str = Field(min_length=1, max_length=32)
    qty: Amount | None = None
    notional: Amount | None = None
    side: Side
    type: str = Field(min_length=1, max_length=32)
    time_in_force: str = Field(min_length=1, max_length=8)
    limit_price: Amount | None = None
    stop_price: Amount | None = None
    trail_price: Amount | None = None
    trail_percent: Amount | None = None
    extended_hours: bool | None = None
    client_order_id: ClientOrderId | None = None
    order_class: OrderClass | None = None
    take_profit: TakeProfit | None = None
    stop_loss: StopLoss | None = None


class ReplaceIn(Relaxed):
    qty: Amount | None = None
    time_in_force: str | None = None
    limit_price: Amount | None = None
    stop_price: Amount | None = None
    trail: Amount | None = None
    client_order_id: str | None = Field(None, min_length=1, max_length=128)


async def exact_json(request: Request) -> Any:
    """The request body as JSON with every number a Decimal (422 if it is not JSON)."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise bad_request(f"request body is larger than {MAX_BODY} bytes")
    if not raw.strip():
        return {}
    try:
        return json.loads(raw, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, RecursionError):
        raise bad_request("request body is not valid JSON") from None


def parsed(model: type[Relaxed], document: Any) -> Any:
    """``document`` as ``model``; 422 ``40010001`` naming each wrong field."""
    try:
        return model.model_validate(document)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()
        ]
        raise bad_request("; ".join(problems)) from None


def order_type(value: str) -> OrderType:
    try:
        return OrderType(value)
    except ValueError:
        raise bad_request(
            f"type: {value!r} is not supported (market, limit, stop, stop_limit)"
        ) from None


def time_in_force(value: str) -> TimeInForce:
    try:
        return TimeInForce(value)
    except ValueError:
        raise bad_request(
            f"time_in_force: {value!r} is not supported (day, gtc, ioc, fok)"
        ) from None


def refuse_unsupported(order: OrderIn) -> None:
    """Name what paperdesk cannot do instead of silently doing something else."""
    if order.notional is not None:
        raise bad_request("notional: notional orders are not supported; send qty")
    if order.qty is None:
        raise bad_request("qty: qty is required")
    if order.trail_price is not None or order.trail_percent is not None:
        raise bad_request("trail_price/trail_percent: trailing stops are not supported")
    if order.extended_hours:
        raise bad_request("extended_hours: extended hours are not supported")
    kind = order.order_class or OrderClass.SIMPLE
    if kind not in (OrderClass.SIMPLE, OrderClass.BRACKET):
        raise bad_request(f"order_class: {kind.value!r} is not supported (simple, bracket)")
    has_exits = order.take_profit is not None or order.stop_loss is not None
    if kind is OrderClass.BRACKET and (order.take_profit is None or order.stop_loss is None):
        raise bad_request("order_class: a bracket needs take_profit and stop_loss")
    if kind is OrderClass.SIMPLE and has_exits:
        raise bad_request("order_class: take_profit and stop_loss need order_class bracket")
    if order.stop_loss is not None and order.stop_loss.limit_price is not None:
        raise bad_request("stop_loss.limit_price: a stop-limit stop loss is not supported")
