"""A query parameter an endpoint under ``/api/v1`` does not take is refused: 422
``unknown_query_parameter`` naming each unknown one and the ones the endpoint takes (its
declared parameters, as its OpenAPI document lists them), before anything but the key's
authentication (without a valid key: 401, ``test_api_query_needs_key.py``), and nothing
changes. It was ignored: ``GET .../fills?symbol=AAPL`` answered every symbol's fills. The
Alpaca surface keeps taking what alpaca-py sends. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from api_fixtures import API, Harness, api, assert_refused

__all__ = ["api"]

UNKNOWN = "zz_unknown"


def _operations(api: Harness) -> list[tuple[str, str, list[str]]]:
    """(method, path template, documented query parameters) of every ``/api/v1`` operation."""
    document = api.get("/openapi.json").json()
    return [
        (
            method.upper(),
            path,
            sorted(p["name"] for p in op.get("parameters", []) if p["in"] == "query"),
        )
        for path, operations in document["paths"].items()
        for method, op in operations.items()
        if path.startswith(API)
    ]


def test_every_endpoint_refuses_an_unknown_parameter_naming_the_ones_it_takes(
    api: Harness,
) -> None:
    portfolio = api.create_portfolio()
    operations = _operations(api)
    assert len(operations) > 50  # the whole API, not a handful
    before = api.dump()
    for method, template, documented in operations:
        path = re.sub(r"\{[^}]+\}", str(portfolio), template)
        # a documented parameter beside the unknown one is not named (the check is first, after
        # the key's authentication: the body and the scope are not read)
        sent: dict[str, Any] = {UNKNOWN: "1", **dict.fromkeys(documented[:1], "1")}
        response = api.client.request(
            method, path, params=sent, json={"a": 1}, headers=api.headers(api.reader)
        )
        where = f"{method} {template}"
        assert response.status_code == 422, (where, response.text)
        body = response.json()
        assert body["code"] == "unknown_query_parameter", (where, body)
        takes = ", ".join(documented) if documented else "no query parameter"
        assert body["message"] == f"unknown query parameter '{UNKNOWN}': {where} takes {takes}"
        assert body["allowed"] == documented
        assert body["errors"] == [
            {"field": f"query.{UNKNOWN}", "message": f"not a parameter of {where}"}
        ]
    assert api.dump() == before


def test_a_filter_the_list_does_not_have_or_a_typo_is_refused(api: Harness) -> None:
    portfolio = api.create_portfolio()
    assert api.post(f"/portfolios/{portfolio}/orders", _order("SPY")).status_code == 201
    before = api.dump()
    fills = api.get(f"/portfolios/{portfolio}/fills", api.reader, params={"symbol": "AAPL"})
    named = (
        "unknown query parameter 'symbol': GET /api/v1/portfolios/{portfolio_id}/fills takes "
        "cursor, limit"
    )
    assert_refused(api, fills, 422, "unknown_query_parameter", named, before=before)
    orders = api.get(f"/portfolios/{portfolio}/orders?statuss=open&limit=5&x=1&x=2", api.reader)
    named = (
        "unknown query parameters 'statuss', 'x': GET /api/v1/portfolios/{portfolio_id}/orders "
        "takes cursor, limit, status, symbol"
    )
    assert_refused(api, orders, 422, "unknown_query_parameter", named, before=before)
    # a name that is no plain name (a leading dash, a control character) is counted, not echoed
    odd = api.get(f"/portfolios/{portfolio}/fills?--since=1&%01x=2&limit=5&page=3", api.reader)
    named = (
        "unknown query parameters 'page', 2 names of other characters: "
        "GET /api/v1/portfolios/{portfolio_id}/fills takes cursor, limit"
    )
    assert_refused(api, odd, 422, "unknown_query_parameter", named, before=before)
    assert [p["field"] for p in odd.json()["errors"]] == ["query.page", "query"]
    assert "since" not in odd.text
    # the ones it takes filter as before; an empty value of a known one is still known
    known = api.get(f"/portfolios/{portfolio}/orders?status=open&limit=5&cursor=", api.reader)
    assert known.status_code == 200, known.text
    assert [o["order_id"] for o in known.json()["items"]] == ["O1"]
    # placing an order (the bare path) takes no query parameter either
    placed = api.client.post(
        f"{API}/portfolios/{portfolio}/orders?dry_run=1",
        json=_order("SPY"),
        headers=api.headers(api.trader),
    )
    named = "unknown query parameter 'dry_run': POST /api/v1/portfolios/{portfolio_id}/orders"
    assert_refused(api, placed, 422, "unknown_query_parameter", named, before=before)
    # outside /api/v1, untouched: Alpaca's surface reads its key first, as before
    alpaca = api.client.get(f"/alpaca/v2/orders?{UNKNOWN}=1")
    assert alpaca.status_code == 401, alpaca.text
    assert api.client.get(f"/healthz?{UNKNOWN}=1").status_code == 200


def _order(symbol: str) -> dict[str, str]:
    return {"symbol": symbol, "side": "buy", "quantity": "1", "type": "limit", "limit_price": "300"}
