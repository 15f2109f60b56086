"""The placement's and the cancel's answers written by pydantic's serializer
(``idempotency.ModelResponse``) are the bytes and headers ``JSONResponse`` writes of the same
model's ``model_dump(mode="json")``, for any order (any text, exact decimals, times in any
zone); a text neither can write (a lone surrogate) fails both ways."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi.responses import JSONResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.api.idempotency import WRITTEN_BY_PYDANTIC, ModelResponse, run_once
from paperdesk.api.schemas import OrderOut, PlacedOut
from paperdesk.domain import Order, OrderRole, OrderStatus, OrderType, Side, TimeInForce


@st.composite
def answers(draw: st.DrawFn) -> tuple[int, Any]:
    """A status and a placement's (one to three orders) or a cancel's answer."""
    text = st.text(st.characters(exclude_categories=()), max_size=12)
    decimals = st.decimals(allow_nan=False, allow_infinity=False)
    moments = st.datetimes(timezones=st.timezones())

    def order() -> Order:
        fields = {
            "order_id": draw(text),
            "client_order_id": draw(text),
            "symbol": draw(text),
            "side": draw(st.sampled_from(Side)),
            "order_type": draw(st.sampled_from(OrderType)),
            "quantity": draw(decimals),
            "ts_submitted": draw(moments),
            "limit_price": draw(st.none() | decimals),
            "stop_price": draw(st.none() | decimals),
            "time_in_force": draw(st.sampled_from(TimeInForce)),
            "role": draw(st.sampled_from(OrderRole)),
            "parent_id": draw(st.none() | text),
            "status": draw(st.sampled_from(OrderStatus)),
            "filled_quantity": draw(decimals),
            "average_price": draw(st.none() | decimals),
            "ts_expire": draw(st.none() | moments),
            "ts_updated": draw(st.none() | moments),
            "strategy": draw(text),
            "reason": draw(text),
            "children": tuple(draw(st.lists(text, max_size=2))),
        }
        return Order._make(fields.get(name, default) for name, default in _DEFAULTS.items())

    status = draw(st.sampled_from((200, 201)))
    if draw(st.booleans()):
        return status, OrderOut.of(order())
    return status, PlacedOut(orders=[OrderOut.of(order()) for _ in range(draw(st.integers(1, 3)))])


_DEFAULTS = dict(
    zip(
        Order._fields,
        Order("O1", "", "SPY", Side.BUY, OrderType.MARKET, Decimal(1), datetime(2026, 1, 1)),
        strict=True,
    )
)


def _written(make: Any) -> tuple[bytes, list[tuple[bytes, bytes]]] | type[ValueError]:
    try:
        response = make()
    except ValueError:  # a lone surrogate: neither writes it (UnicodeEncodeError from
        return ValueError  # json's text, PydanticSerializationError), both a 500 (logged)
    return response.body, response.raw_headers


@settings(max_examples=400, deadline=None)
@given(answers())
def test_pydantic_writes_the_bytes_jsonresponse_writes(answer: tuple[int, Any]) -> None:
    status, model = answer
    assert type(model) in WRITTEN_BY_PYDANTIC
    expected = _written(lambda: JSONResponse(model.model_dump(mode="json"), status))
    assert _written(lambda: ModelResponse(model, status)) == expected
    answered = _written(lambda: run_once(None, None, None, "", lambda: answer))  # type: ignore[arg-type]
    assert answered == expected
