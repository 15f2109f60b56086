"""A request without a valid key is refused 401 whatever its query parameters: an unknown one
was answered 422 ``unknown_query_parameter`` before the key was read, telling a caller
without a key what each endpoint takes. With a valid key the unknown parameter is still 422.
The order lane (placements and cancels) sends a request with a query string to the stack,
which answers alike. Nothing changes in any case. SQLite and PostgreSQL."""

from __future__ import annotations

import re

from api_fixtures import API, Harness, api, assert_refused

__all__ = ["api"]

UNKNOWN = {"zz_unknown": "1"}
ORDER = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "300"}


def test_every_versioned_endpoint_asks_for_a_key_before_naming_an_unknown_parameter(
    api: Harness,
) -> None:
    portfolio = api.create_portfolio()
    documented = api.client.get(f"{API}/openapi.json").json()["paths"]
    calls = [
        (method.upper(), re.sub(r"\{[^}]+\}", str(portfolio), path))
        for path, operations in documented.items()
        if path.startswith(API)
        for method in operations
    ]
    assert len(calls) > 50
    before = api.dump()
    for method, path in calls:
        body = ORDER if method in ("POST", "PATCH") else None
        response = api.client.request(method, path, params=UNKNOWN, json=body)
        assert_refused(api, response, 401, "missing_api_key", before=before)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_bad_or_revoked_key_is_refused_before_the_parameters_are_read(api: Harness) -> None:
    portfolio = api.create_portfolio()
    assert api.post(f"/portfolios/{portfolio}/orders", ORDER).status_code == 201
    revoked = api.services.api_keys.create("temporary", "trade")
    api.services.api_keys.revoke(revoked.record.id)
    orders = f"{API}/portfolios/{portfolio}/orders"
    requests = [
        ("GET", orders, None),
        ("POST", orders, ORDER),  # the order lane's placement
        ("DELETE", f"{orders}/O1", None),  # and its cancel
        ("GET", f"{API}/portfolios", None),
    ]
    keys = [
        ({"Authorization": "Bearer pd_nope"}, "invalid_api_key"),
        ({"X-API-Key": "pd_nope"}, "invalid_api_key"),
        ({"Authorization": f"Bearer {revoked.token}"}, "revoked_api_key"),
        ({"Authorization": f"Basic {api.trader}"}, "missing_api_key"),
    ]
    before = api.dump()
    for method, url, body in requests:
        for headers, code in keys:
            response = api.client.request(method, url, params=UNKNOWN, json=body, headers=headers)
            assert_refused(api, response, 401, code, before=before)
        # the trader's own key: the unknown parameter is named, and nothing changes either
        known = api.client.request(
            method, url, params=UNKNOWN, json=body, headers=api.headers(api.trader)
        )
        assert_refused(api, known, 422, "unknown_query_parameter", "'zz_unknown'", before=before)
    order = api.get(f"/portfolios/{portfolio}/orders/O1").json()
    assert order["status"] == "accepted"
