"""GET /api/v1/me: a key learns its own scope and portfolios (what the dashboard hides
trading controls by), never its token, and a bad key learns nothing."""

from __future__ import annotations

from api_fixtures import Harness, api, assert_refused

__all__ = ["api"]


def test_each_key_sees_its_own_scope_and_what_it_allows(api: Harness) -> None:
    expected = {
        api.reader: ("reader", "read", False, False),
        api.trader: ("trader", "trade", True, False),
        api.admin: ("admin", "admin", True, True),
    }
    for token, (name, scope, can_trade, can_admin) in expected.items():
        response = api.get("/me", token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["name"], body["scope"], body["can_trade"], body["can_admin"]) == (
            name,
            scope,
            can_trade,
            can_admin,
        )
        assert body["portfolio_ids"] is None
        assert token.startswith(body["prefix"])
        assert token not in response.text  # the token itself is never echoed


def test_a_limited_key_sees_its_portfolios_and_a_limited_admin_cannot_administer(
    api: Harness,
) -> None:
    portfolio = api.create_portfolio()
    limited = api.services.api_keys.create("desk", "admin", [portfolio]).token
    body = api.get("/me", limited).json()
    assert body["portfolio_ids"] == [portfolio]
    assert (body["can_trade"], body["can_admin"]) == (True, False)
    # the same answer the keys API gives for that key (one description of a key)
    [listed] = [k for k in api.get("/api-keys", api.admin).json() if k["name"] == "desk"]
    assert {k: body[k] for k in listed} == listed


def test_a_bad_or_missing_key_is_refused_and_nothing_changes(api: Harness) -> None:
    before = api.dump()
    assert_refused(api, api.get("/me", "pd_not_a_key"), 401, "invalid_api_key", before=before)
    missing = api.client.get("/api/v1/me")
    assert_refused(api, missing, 401, "missing_api_key", before=before)
