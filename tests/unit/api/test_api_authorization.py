"""API keys: every endpoint but /healthz needs one; scopes, portfolio limits and revocation."""

from __future__ import annotations

import hashlib
import re

import pytest
from api_fixtures import API, Harness, api, assert_refused
from sqlalchemy import create_engine, text

__all__ = ["api"]

ORDER = {"symbol": "SPY", "side": "buy", "quantity": "1"}


def test_every_versioned_endpoint_needs_a_key(api: Harness) -> None:
    """Every operation the OpenAPI document lists under /api/v1 (read from the document, so an
    endpoint added later is tried too) refuses a request without a key and changes nothing."""
    portfolio = api.create_portfolio()
    before = api.dump()
    documented = api.client.get(f"{API}/openapi.json").json()["paths"]
    calls = [
        (method.upper(), path.replace("{portfolio_id}", str(portfolio)))
        for path, operations in documented.items()
        if path.startswith(API)
        for method in operations
    ]
    assert len(calls) >= 38  # every resource of issue 11, the webhooks and the keys
    for method, template in calls:
        path = re.sub(r"\{[^}]+\}", "1", template)
        body = ORDER if method in ("POST", "PATCH") else None
        response = api.client.request(method, path, json=body)
        assert_refused(api, response, 401, "missing_api_key", before=before)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_bad_key_is_refused_in_either_header(api: Harness) -> None:
    before = api.dump()
    for headers in ({"Authorization": "Bearer pd_nope"}, {"X-API-Key": "pd_nope"}):
        response = api.client.get(f"{API}/portfolios", headers=headers)
        assert_refused(api, response, 401, "invalid_api_key", before=before)
    good = api.client.get(f"{API}/portfolios", headers={"X-API-Key": api.reader})
    assert good.status_code == 200


def test_a_revoked_key_is_refused(api: Harness) -> None:
    created = api.services.api_keys.create("temporary", "trade")
    assert api.get("/portfolios", created.token).status_code == 200
    api.services.api_keys.revoke(created.record.id)
    before = api.dump()
    response = api.get("/portfolios", created.token)
    assert_refused(api, response, 401, "revoked_api_key", created.record.prefix, before=before)


def test_a_read_key_cannot_trade(api: Harness) -> None:
    portfolio = api.create_portfolio()
    api.post(f"/portfolios/{portfolio}/orders", ORDER)
    before = api.dump()
    attempts = [
        api.post(f"/portfolios/{portfolio}/orders", ORDER, api.reader),
        api.delete(f"/portfolios/{portfolio}/orders/O1", api.reader),
        api.post(f"/portfolios/{portfolio}/archive", None, api.reader),
        api.post("/portfolios", {"name": "x", "cash": "1"}, api.reader),
    ]
    for response in attempts:
        assert_refused(api, response, 403, "insufficient_scope", "trade", before=before)
    assert api.get(f"/portfolios/{portfolio}/orders", api.reader).status_code == 200


def test_a_key_limited_to_a_portfolio_never_sees_another(api: Harness) -> None:
    mine = api.create_portfolio(name="mine")
    theirs = api.create_portfolio(name="theirs")
    api.post(f"/portfolios/{theirs}/orders", ORDER)
    limited = api.services.api_keys.create("limited", "trade", [mine]).token
    listed = api.get("/portfolios", limited).json()
    assert [p["id"] for p in listed] == [mine]
    before = api.dump()
    base = f"/portfolios/{theirs}"
    attempts = [
        api.get(base, limited),
        api.get(f"{base}/orders", limited),
        api.get(f"{base}/orders/O1", limited),
        api.get(f"{base}/positions", limited),
        api.get(f"{base}/fills", limited),
        api.post(f"{base}/orders", ORDER, limited),
        api.delete(f"{base}/orders/O1", limited),
        api.post(f"{base}/archive", None, limited),
    ]
    unknown = api.get("/portfolios/999", limited).json()
    for response in attempts:
        assert_refused(api, response, 404, "not_found", before=before)
        # the same answer as for a portfolio that does not exist: the id does not leak
        assert response.json()["message"] == unknown["message"].replace("999", str(theirs))
    refused = api.post("/portfolios", {"name": "x", "cash": "1"}, limited)
    assert_refused(api, refused, 403, "insufficient_scope", before=before)
    assert api.post(f"/portfolios/{mine}/orders", ORDER, limited).status_code == 201


def test_keys_are_stored_hashed(api: Harness) -> None:
    created = api.services.api_keys.create("hashed", "read")
    engine = create_engine(api.url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT token_hash, prefix FROM api_keys WHERE id = :id"),
            {"id": created.record.id},
        ).all()
    engine.dispose()
    [(stored, prefix)] = rows
    assert stored == hashlib.sha256(created.token.encode()).hexdigest()
    assert created.token not in repr(api.dump())
    assert created.token.startswith(prefix)


def test_key_creation_refuses_bad_input(api: Harness) -> None:
    from paperdesk.domain import InvalidInputError, UnknownNameError

    before = api.dump()
    with pytest.raises(InvalidInputError, match="owner"):
        api.services.api_keys.create("x", "owner")
    with pytest.raises(UnknownNameError, match="42"):
        api.services.api_keys.create("x", "read", [42])
    with pytest.raises(InvalidInputError, match="name"):
        api.services.api_keys.create(" ", "read")
    assert api.dump() == before
