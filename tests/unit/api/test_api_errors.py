"""The error format: one JSON object with a stable code and a message; a genuine bug (never
input) reaches the catch-all, which logs it and answers a generic 500."""

from __future__ import annotations

import logging

import pytest
from api_fixtures import API, Harness, api
from fastapi.testclient import TestClient

from paperdesk.api import create_app
from paperdesk.api.errors import domain_status
from paperdesk.domain import InvalidInputError, OrderError, UnknownNameError
from paperdesk.domain.errors import DataError, OptionError, PaperdeskError, StrategyLoadError

__all__ = ["api"]


def test_a_bug_is_logged_and_answered_with_a_generic_500(
    api: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.services.portfolios, "list_portfolios", broken)
    client = TestClient(create_app(api.services), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="paperdesk.api.errors"):
        response = client.get(f"{API}/portfolios", headers=api.headers(api.reader))
    assert response.status_code == 500
    identifier = response.headers["X-Request-ID"]
    assert response.json() == {
        "code": "internal_error",
        "message": "internal error (logged)",
        "request_id": identifier,
    }
    assert "secret internals" not in response.text
    assert "unexpected error on GET /api/v1/portfolios" in caplog.text


def test_unknown_routes_and_methods_use_the_same_format(api: Harness) -> None:
    missing = api.client.get(f"{API}/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = api.client.put(f"{API}/portfolios")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")


def test_malformed_json_is_a_validation_error(api: Harness) -> None:
    response = api.client.post(
        f"{API}/portfolios",
        content=b"{not json",
        headers={**api.headers(api.trader), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (StrategyLoadError("x"), 422, "invalid_strategy"),
        (OptionError("x"), 422, "invalid_option"),
        (UnknownNameError("x"), 422, "unknown_name"),
        (InvalidInputError("x"), 422, "invalid_input"),
        (OrderError("x"), 409, "order_not_changeable"),
        (DataError("x"), 422, "data_error"),
        (PaperdeskError("x"), 422, "refused"),
    ],
)
def test_each_domain_error_has_one_status_and_code(
    error: PaperdeskError, status: int, code: str
) -> None:
    assert domain_status(error) == (status, code)


def test_a_rule_names_its_own_code() -> None:
    error = InvalidInputError("no cash")
    error.code = "insufficient_cash"  # type: ignore[attr-defined]
    assert domain_status(error) == (422, "insufficient_cash")
    duplicate = InvalidInputError("used")
    duplicate.code = "duplicate_client_order_id"  # type: ignore[attr-defined]
    assert domain_status(duplicate) == (409, "duplicate_client_order_id")
