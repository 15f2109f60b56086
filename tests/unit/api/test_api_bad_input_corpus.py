"""The bad-input corpus (tests/fixtures/bad_inputs) drives the REST API: every ``order place``
case, sent as a request body, is refused with a 4xx error (never a 5xx) and changes nothing.
The cases of one database share one ledger and portfolio (``shared_ledger``)."""

from __future__ import annotations

from typing import Any

import pytest
from api_fixtures import assert_refused
from shared_ledger import Ledger, ledger, shared_ledger_fixture, with_portfolio

from bad_input_corpus import BadInput, load_corpus

__all__ = ["ledger"]

ORDER_CASES = [case for case in load_corpus() if case.args[:2] == ("order", "place")]
OPTION_FIELDS = {
    "--type": "type",
    "--limit-price": "limit_price",
    "--stop-price": "stop_price",
    "--stop-loss": "stop_loss",
    "--take-profit": "take_profit",
    "--tif": "time_in_force",
    "--client-id": "client_order_id",
}


def request_of(case: BadInput, portfolio_id: int) -> tuple[str, dict[str, Any]]:
    """The case's command line as an API path and body (portfolio 1 is the test's portfolio)."""
    _, _, portfolio, symbol, side, quantity, *options = case.args
    body: dict[str, Any] = {"symbol": symbol, "side": side, "quantity": quantity}
    for flag, value in zip(options[::2], options[1::2], strict=True):
        body[OPTION_FIELDS[flag]] = value
    target = str(portfolio_id) if portfolio == "1" else portfolio
    return f"/portfolios/{target}/orders", body


shared_ledger = shared_ledger_fixture(with_portfolio)


def test_the_corpus_has_the_order_cases() -> None:
    assert len(ORDER_CASES) == 42  # 39, and number_spellings.toml: 1_0, １０, ٣٠٠


@pytest.mark.parametrize("case", ORDER_CASES, ids=[case.name for case in ORDER_CASES])
def test_a_corpus_order_is_refused_and_changes_nothing(ledger: Ledger, case: BadInput) -> None:
    assert ledger.portfolio is not None
    path, body = request_of(case, ledger.portfolio)
    response = ledger.harness.post(path, body)
    assert response.status_code in (404, 409, 422), (case.name, response.text)
    assert_refused(
        ledger.harness,
        response,
        response.status_code,
        response.json()["code"],
        before=ledger.before,
    )
    ledger.proven_unchanged = True
    ledger.proven_unchanged = True
