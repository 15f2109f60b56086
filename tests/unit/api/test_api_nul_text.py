"""Text no PostgreSQL column can hold (a NUL character) in an order's id or client order id is
refused as any unknown or invalid value is (404, 422), never a 500, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from api_fixtures import API, Harness, api

__all__ = ["api"]

LIMIT = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}


@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH"])
def test_an_order_id_with_a_nul_is_an_unknown_order(api: Harness, method: str) -> None:
    portfolio = api.create_portfolio()
    assert api.post(f"/portfolios/{portfolio}/orders", LIMIT).status_code == 201
    before = api.dump()
    answer = api.client.request(
        method,
        f"{API}/portfolios/{portfolio}/orders/O1%00",
        headers=api.headers(api.trader if method != "GET" else api.reader),
        json={"quantity": "2"} if method == "PATCH" else None,
    )
    assert answer.status_code == 404, answer.text
    assert answer.json()["code"] == "not_found"
    assert api.dump() == before


def test_a_client_order_id_with_a_nul_is_refused_naming_the_field(api: Harness) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    answer = api.post(f"/portfolios/{portfolio}/orders", {**LIMIT, "client_order_id": "a\x00b"})
    assert answer.status_code == 422, answer.text
    assert "client_order_id" in answer.json()["message"]
    assert api.dump() == before


@pytest.mark.parametrize(
    "url", ["/market-data/S%00PY/quality", "/market-data/SPY/quality?timeframe=1%00d"]
)
def test_a_series_named_with_a_nul_is_unknown(api: Harness, url: str) -> None:
    answer = api.get(url, api.reader)
    assert answer.status_code == 404, answer.text
    assert answer.json()["code"] == "not_found"
