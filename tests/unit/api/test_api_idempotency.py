"""Idempotent writes: an Idempotency-Key makes a retry return the first response."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from api_fixtures import Harness, api, assert_refused
from fastapi.testclient import TestClient

from paperdesk.api import create_app
from paperdesk.api.schemas import OrderOut
from paperdesk.domain import InvalidInputError
from paperdesk.service import Services
from paperdesk.store import Database

__all__ = ["api"]

ORDER = {"symbol": "SPY", "side": "buy", "quantity": "1"}


def test_a_retried_order_returns_the_first_response_and_places_one_order(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    first = api.post(path, ORDER, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == 201
    again = api.post(path, ORDER, **{"Idempotency-Key": "retry-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get(path).json()["items"]) == 1
    other = api.post(path, ORDER, **{"Idempotency-Key": "retry-2"})
    assert other.json()["orders"][0]["order_id"] == "O2"


def test_the_first_response_survives_a_restart(api: Harness, database: Database) -> None:
    portfolio = api.create_portfolio()
    path = f"/api/v1/portfolios/{portfolio}/orders"
    headers = api.headers(api.trader, **{"Idempotency-Key": "restart"})
    first = api.client.post(path, json=ORDER, headers=headers)
    restarted = Services(database=Database(database.url))  # a new process's container
    with TestClient(create_app(restarted)) as client:
        again = client.post(path, json=ORDER, headers=headers)
    restarted.database.close()
    assert (again.status_code, again.json()) == (201, first.json())
    assert len(api.get(path[len("/api/v1") :]).json()["items"]) == 1


def test_a_reused_key_with_another_body_is_refused(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    api.post(path, ORDER, **{"Idempotency-Key": "k"})
    before = api.dump()
    changed = api.post(path, {**ORDER, "quantity": "2"}, **{"Idempotency-Key": "k"})
    assert_refused(api, changed, 422, "idempotency_key_reused", "'k'", before=before)
    elsewhere = api.post(f"/portfolios/{portfolio}/archive", None, **{"Idempotency-Key": "k"})
    assert_refused(api, elsewhere, 422, "idempotency_key_reused", before=before)


def test_keys_are_per_api_key(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    mine = api.post(path, ORDER, **{"Idempotency-Key": "same"})
    theirs = api.post(path, ORDER, api.admin, **{"Idempotency-Key": "same"})
    assert mine.json()["orders"][0]["order_id"] == "O1"
    assert theirs.json()["orders"][0]["order_id"] == "O2"


def test_a_refused_request_is_not_remembered(api: Harness) -> None:
    """Nothing changes on a refusal, the idempotency table included: a corrected retry with the
    same key runs."""
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    before = api.dump()
    refused = api.post(path, {**ORDER, "quantity": "26"}, **{"Idempotency-Key": "fix"})
    assert_refused(api, refused, 422, "insufficient_cash", before=before)
    retried = api.post(path, {**ORDER, "quantity": "26"}, **{"Idempotency-Key": "fix"})
    assert_refused(api, retried, 422, "insufficient_cash", before=before)


def test_cancel_and_create_are_idempotent_too(api: Harness) -> None:
    body = {"name": "once", "cash": "1000", "symbols": ["SPY"]}
    first = api.post("/portfolios", body, **{"Idempotency-Key": "create"})
    again = api.post("/portfolios", body, **{"Idempotency-Key": "create"})
    assert (first.status_code, again.json()) == (201, first.json())
    assert len(api.get("/portfolios").json()) == 1
    portfolio = first.json()["summary"]["id"]
    api.post(f"/portfolios/{portfolio}/orders", ORDER)
    cancel = api.delete(f"/portfolios/{portfolio}/orders/O1", **{"Idempotency-Key": "c"})
    repeat = api.delete(f"/portfolios/{portfolio}/orders/O1", **{"Idempotency-Key": "c"})
    assert cancel.status_code == 200
    assert (repeat.status_code, repeat.json()) == (200, cancel.json())


def test_a_malformed_idempotency_key_is_refused(api: Harness) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    response = api.post(f"/portfolios/{portfolio}/orders", ORDER, **{"Idempotency-Key": "x" * 201})
    assert_refused(api, response, 422, "invalid_input", "Idempotency-Key", before=before)


def test_a_claim_left_without_its_answer_by_an_older_paperdesk_is_told_so(api: Harness) -> None:
    """A paperdesk before the one-transaction claim committed the claim first: a server that
    stopped before storing the answer left the row without one. Its outcome is unknown, so a
    retry is told so (409) rather than run again."""
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    trader = api.services.api_keys.authenticate(api.trader)
    assert trader is not None
    from paperdesk.api.idempotency import request_hash
    from paperdesk.api.schemas import OrderCreate

    fingerprint = request_hash("POST", f"/api/v1{path}", OrderCreate.model_validate(ORDER))
    with api.services.database.transaction() as repository:  # what the older claim left
        assert (
            repository.api_keys.reserve(trader.id, "busy", fingerprint, datetime.now(UTC)) is None
        )
    before = api.dump()
    response = api.post(path, ORDER, **{"Idempotency-Key": "busy"})
    assert_refused(api, response, 409, "idempotency_key_in_progress", "'busy'", before=before)


def test_concurrent_requests_with_one_key_place_one_order(api: Harness) -> None:
    """Two clients send the same request with the same key at once (threads, each its own
    connection): one order is placed, and every client gets its response (the later claims
    wait for the first one's transaction, then answer what it stored)."""
    portfolio = api.create_portfolio()
    path = f"/api/v1/portfolios/{portfolio}/orders"
    headers = api.headers(api.trader, **{"Idempotency-Key": "race"})
    app = create_app(api.services)
    barrier = threading.Barrier(4)
    results: list[tuple[int, object]] = []

    def send() -> None:
        with TestClient(app) as client:
            barrier.wait(timeout=10)
            response = client.post(path, json=ORDER, headers=headers)
            results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 4
    assert {status for status, _ in results} == {201}, results
    assert all(body == results[0][1] for _, body in results), results
    assert len(api.get(path[len("/api/v1") :]).json()["items"]) == 1


def test_an_action_failing_after_its_write_leaves_nothing(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order was written, then the answer's making failed: the claim, the order and its
    events roll back together (no claim kept, no order), and a retry with the key runs afresh."""
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    before = api.dump()

    def failing(order: object) -> OrderOut:
        raise InvalidInputError("the answer could not be made")

    with monkeypatch.context() as patched:
        patched.setattr(OrderOut, "of", failing)
        failed = api.post(path, ORDER, **{"Idempotency-Key": "after-write"})
    assert_refused(api, failed, 422, "invalid_input", "the answer", before=before)
    retried = api.post(path, ORDER, **{"Idempotency-Key": "after-write"})
    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert [o["order_id"] for o in retried.json()["orders"]] == ["O1"]
    assert [o["order_id"] for o in api.get(path).json()["items"]] == ["O1"]
