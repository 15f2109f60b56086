"""The admin API for keys (/api/v1/api-keys): create shown once, list never the secret, revoke;
only an unlimited admin key may; every refusal changes nothing."""

from __future__ import annotations

from api_fixtures import API, Harness, api, assert_refused

__all__ = ["api"]


def test_an_admin_creates_a_key_that_works_once_shown(api: Harness) -> None:
    portfolio = api.create_portfolio()
    response = api.post(
        "/api-keys", {"name": "bot", "scope": "trade", "portfolio_ids": [portfolio]}, api.admin
    )
    assert response.status_code == 201, response.text
    created = response.json()
    token = created["key"]
    assert token.startswith(created["prefix"])
    assert (created["name"], created["scope"], created["portfolio_ids"]) == (
        "bot",
        "trade",
        [portfolio],
    )
    assert created["revoked_at"] is None
    order = {"symbol": "SPY", "side": "buy", "quantity": "1"}
    assert api.post(f"/portfolios/{portfolio}/orders", order, token).status_code == 201
    listed = api.get("/api-keys", api.admin)
    assert listed.status_code == 200
    assert token not in listed.text  # the token is shown once, at creation
    [row] = [k for k in listed.json() if k["id"] == created["id"]]
    assert row == {key: value for key, value in created.items() if key != "key"}
    assert {"admin", "trader", "reader", "bot"} == {k["name"] for k in listed.json()}


def test_a_revoked_key_is_refused_from_its_next_request(api: Harness) -> None:
    created = api.post("/api-keys", {"name": "temp", "scope": "read"}, api.admin).json()
    assert api.get("/portfolios", created["key"]).status_code == 200
    revoked = api.delete(f"/api-keys/{created['id']}", api.admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    before = api.dump()
    refused = api.get("/portfolios", created["key"])
    assert_refused(api, refused, 401, "revoked_api_key", created["prefix"], before=before)
    again = api.delete(f"/api-keys/{created['id']}", api.admin)
    assert_refused(api, again, 409, "already_revoked", str(created["id"]), before=before)
    [row] = [k for k in api.get("/api-keys", api.admin).json() if k["id"] == created["id"]]
    assert row["revoked_at"] == revoked.json()["revoked_at"]


def test_only_an_unlimited_admin_key_manages_keys(api: Harness) -> None:
    portfolio = api.create_portfolio()
    limited_admin = api.services.api_keys.create("local admin", "admin", [portfolio]).token
    victim = api.services.api_keys.create("victim", "read").record.id
    before = api.dump()
    body = {"name": "escalate", "scope": "admin"}
    for token, status in ((api.reader, 403), (api.trader, 403), (limited_admin, 403)):
        attempts = [
            api.post("/api-keys", body, token),
            api.get("/api-keys", token),
            api.delete(f"/api-keys/{victim}", token),
        ]
        for response in attempts:
            assert_refused(api, response, status, "insufficient_scope", before=before)
    for response in (
        api.client.get(f"{API}/api-keys"),
        api.client.post(f"{API}/api-keys", json=body),
        api.client.delete(f"{API}/api-keys/{victim}"),
    ):
        assert_refused(api, response, 401, "missing_api_key", before=before)


def test_bad_key_requests_name_what_is_wrong_and_change_nothing(api: Harness) -> None:
    before = api.dump()
    cases = [
        ({"name": "x", "scope": "owner"}, 422, "validation_error", "scope"),
        ({"scope": "read"}, 422, "validation_error", "name"),
        ({"name": "", "scope": "read"}, 422, "validation_error", "name"),
        ({"name": "x", "scope": "read", "extra": 1}, 422, "validation_error", "extra"),
        ({"name": "x", "scope": "read", "portfolio_ids": [0]}, 422, "validation_error", "0"),
        ({"name": "x", "scope": "read", "portfolio_ids": [42]}, 422, "unknown_name", "42"),
        ({"name": "\x07bell", "scope": "read"}, 422, "invalid_input", "name"),
    ]
    for body, status, code, named in cases:
        response = api.post("/api-keys", body, api.admin)
        assert_refused(api, response, status, code, named, before=before)
    for path, status, code in (
        ("/api-keys/999", 404, "not_found"),
        ("/api-keys/0", 422, "validation_error"),
        ("/api-keys/abc", 422, "validation_error"),
        (f"/api-keys/{2**63}", 422, "validation_error"),
    ):
        assert_refused(api, api.delete(path, api.admin), status, code, before=before)


def test_a_retried_creation_makes_one_key_and_never_stores_its_token(api: Harness) -> None:
    body = {"name": "retried", "scope": "read"}
    first = api.post("/api-keys", body, api.admin, **{"Idempotency-Key": "mint-1"})
    assert first.status_code == 201, first.text
    token = first.json()["key"]
    assert token.startswith("pd_")
    before = api.dump()
    again = api.post("/api-keys", body, api.admin, **{"Idempotency-Key": "mint-1"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "key": None}  # the same key, without its token
    assert api.dump() == before  # nothing created
    assert token not in repr(before)  # neither the key's row nor the stored answer holds it
    other = api.post(
        "/api-keys", {**body, "scope": "trade"}, api.admin, **{"Idempotency-Key": "mint-1"}
    )
    assert_refused(api, other, 422, "idempotency_key_reused", "mint-1", before=before)
    assert [k["name"] for k in api.get("/api-keys", api.admin).json()].count("retried") == 1
