"""An order's placement and cancel read nothing before their write transaction; a refused one
answers as if the portfolio's and the order's checks had run first (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from api_fixtures import Harness, api, assert_refused

from paperdesk.api.routers import orders

__all__ = ["api"]

LIMIT = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}


def test_an_accepted_placement_and_cancel_read_nothing_before_their_write(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    reads: list[str] = []
    service = api.services.portfolios
    status, order = service.status, service.order
    monkeypatch.setattr(service, "status", lambda *a: reads.append("status") or status(*a))
    monkeypatch.setattr(service, "order", lambda *a: reads.append("order") or order(*a))
    placed = api.post(path, LIMIT)
    assert placed.status_code == 201, placed.text
    canceled = api.delete(f"{path}/O1")
    assert (canceled.status_code, canceled.json()["status"]) == (200, "canceled")
    assert reads == []
    before = api.dump()
    again = api.delete(f"{path}/O1")  # refused: now the checks run, and name the state
    assert_refused(api, again, 409, "order_not_changeable", "O1", before=before)
    assert reads == ["status", "order"]


def test_a_placement_and_cancel_without_an_idempotency_key_hash_no_request(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request's hash is what a replay is compared by: without the header nothing is
    kept, so nothing is hashed (the request's URL and a SHA-256 of its document per order)."""
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    hashed: list[str] = []
    real = orders.request_hash
    monkeypatch.setattr(orders, "request_hash", lambda *a: hashed.append(a[0]) or real(*a))
    assert api.post(path, LIMIT).status_code == 201
    assert api.delete(f"{path}/O1").status_code == 200
    assert hashed == []
    assert api.post(path, LIMIT, **{"Idempotency-Key": "k-1"}).status_code == 201
    assert api.delete(f"{path}/O2", **{"Idempotency-Key": "k-2"}).status_code == 200
    assert hashed == ["POST", "DELETE"]


def test_a_refused_order_answers_with_the_portfolio_check_first(api: Harness) -> None:
    """A body the service refuses (a symbol the portfolio does not trade) on an archived or
    unknown portfolio is answered 409 or 404, as when the checks ran before the write."""
    portfolio = api.create_portfolio()
    api.post(f"/portfolios/{portfolio}/orders", LIMIT)
    archived = api.create_portfolio(name="old")
    assert api.post(f"/portfolios/{archived}/archive").status_code == 200
    before = api.dump()
    foreign = {**LIMIT, "symbol": "QQQ"}
    refused = api.post(f"/portfolios/{portfolio}/orders", foreign)
    assert_refused(api, refused, 422, "invalid_input", "QQQ", before=before)
    refused = api.post(f"/portfolios/{archived}/orders", foreign)
    assert_refused(api, refused, 409, "portfolio_archived", before=before)
    refused = api.post("/portfolios/77/orders", foreign)
    assert_refused(api, refused, 404, "not_found", "77", before=before)
    refused = api.delete(f"/portfolios/{archived}/orders/O1")
    assert_refused(api, refused, 409, "portfolio_archived", before=before)
    refused = api.delete(f"/portfolios/{archived}/orders/O9")
    assert_refused(api, refused, 409, "portfolio_archived", before=before)
    refused = api.delete(f"/portfolios/{portfolio}/orders/O9")
    assert_refused(api, refused, 404, "not_found", "O9", before=before)
    refused = api.delete("/portfolios/77/orders/O1")
    assert_refused(api, refused, 404, "not_found", "77", before=before)


def test_a_key_limited_to_other_portfolios_is_told_not_found_before_any_write(
    api: Harness,
) -> None:
    portfolio = api.create_portfolio()
    other = api.create_portfolio(name="other")
    limited = api.services.api_keys.create("limited", "trade", portfolio_ids=[other]).token
    before = api.dump()
    refused = api.post(f"/portfolios/{portfolio}/orders", LIMIT, limited)
    assert_refused(api, refused, 404, "not_found", before=before)
    refused = api.delete(f"/portfolios/{portfolio}/orders/O1", limited)
    assert_refused(api, refused, 404, "not_found", before=before)
