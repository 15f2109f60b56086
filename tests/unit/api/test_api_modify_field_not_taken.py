"""A modify naming a price the order's type does not take (a stop price for a limit order, a
limit price for a stop order) is a fault of the request: 422 with a code naming the field, and
nothing changes; a state conflict (a canceled order) stays 409 ``order_not_changeable``.
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from api_fixtures import API, Harness, api, assert_refused

__all__ = ["api"]

LIMIT = {"symbol": "SPY", "side": "buy", "quantity": "2", "type": "limit", "limit_price": "300"}
STOP = {"symbol": "SPY", "side": "buy", "quantity": "2", "type": "stop", "stop_price": "450"}


def _patch(api: Harness, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(API + path, json=body, headers=api.headers(api.trader))


def test_a_price_the_orders_type_does_not_take_is_a_422_naming_the_field(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    assert api.post(path, LIMIT).status_code == 201  # O1
    assert api.post(path, STOP).status_code == 201  # O2
    cases = [
        ("O1", {"stop_price": "280"}, "stop_price", "a limit order: no stop price", "stop"),
        ("O2", {"quantity": "3", "limit_price": "451"}, "limit_price", "a stop order", "limit"),
    ]
    before = api.dump()
    for order, change, field, what, takes in cases:
        refused = _patch(api, f"{path}/{order}", change)
        named = f"order {order} is {what}"
        also = f"({field} is for {takes} and stop-limit orders)"
        assert_refused(api, refused, 422, f"{field}_not_allowed", named, also, before=before)
    # the state conflict keeps its 409
    assert api.delete(f"{path}/O1").status_code == 200
    before = api.dump()
    refused = _patch(api, f"{path}/O1", {"stop_price": "280"})
    assert_refused(api, refused, 409, "order_not_changeable", "O1", before=before)
