"""The bad-input corpus (tests/fixtures/bad_inputs) drives the REST API: every ``order place``
case, sent as a request body, is refused with a 4xx error (never a 5xx) and changes nothing.

Every case proves it changed no table, so the cases of one database share one ledger, its
application and its portfolio (``SharedLedger``): a fresh ledger, application, portfolio and
"before" dump per case cost most of this file's time. A case that changed a table fails, and
the next case gets a fresh ledger, so the change cannot decide its verdict."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Harness, assert_refused, open_harness
from ledger_urls import FreshLedgers

from bad_input_corpus import BadInput, load_corpus
from paperdesk.store import Database
from table_dump import TableDump

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


@dataclass
class Ledger:
    """A running application on its own ledger, holding one portfolio and nothing else the
    cases may change; ``before`` is every table as it was when the portfolio was made;
    ``proven_unchanged``: the last case ended by proving every table still is."""

    harness: Harness
    portfolio: int
    before: TableDump
    closing: ExitStack
    proven_unchanged: bool = False


class SharedLedger:
    """One ``Ledger`` for the cases of one database, replaced after a case that changed it."""

    def __init__(self, ledgers: FreshLedgers) -> None:
        self.ledgers = ledgers
        self.ledger: Ledger | None = None

    def current(self) -> Ledger:
        if self.ledger is None:
            closing = ExitStack()
            database = Database(self.ledgers.make())
            closing.callback(database.close)
            harness = closing.enter_context(open_harness(database))
            portfolio = harness.create_portfolio()
            self.ledger = Ledger(harness, portfolio, harness.dump(), closing)
        return self.ledger

    def release(self, ledger: Ledger) -> None:
        """After a case: a ledger the case did not prove unchanged is discarded."""
        if not ledger.proven_unchanged:
            self.discard()

    def discard(self) -> None:
        """The current ledger is not the one the cases expect: the next case gets a new one."""
        if self.ledger is not None:
            self.ledger.closing.close()
            self.ledger = None


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedLedger]:
    ledgers = FreshLedgers(request, request.param, tmp_path_factory.mktemp("corpus"))
    shared = SharedLedger(ledgers)
    yield shared
    shared.discard()
    ledgers.close()


@pytest.fixture
def ledger(shared_ledger: SharedLedger) -> Iterator[Ledger]:
    """The shared ledger, replaced afterwards unless the test ended by proving every table
    unchanged (a failed case, whatever failed, leaves the next case a new ledger)."""
    current = shared_ledger.current()
    current.proven_unchanged = False
    yield current
    shared_ledger.release(current)


def test_the_corpus_has_the_order_cases() -> None:
    assert len(ORDER_CASES) == 42  # 39, and number_spellings.toml: 1_0, １０, ٣٠٠


@pytest.mark.parametrize("case", ORDER_CASES, ids=[case.name for case in ORDER_CASES])
def test_a_corpus_order_is_refused_and_changes_nothing(ledger: Ledger, case: BadInput) -> None:
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


def test_a_case_that_changed_a_table_is_caught_and_leaves_the_next_a_new_ledger(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ledgers = FreshLedgers(request, "sqlite", tmp_path)
    shared = SharedLedger(ledgers)
    try:
        changed = shared.current()
        order = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit"}
        response = changed.harness.post(
            f"/portfolios/{changed.portfolio}/orders", {**order, "limit_price": "300"}
        )
        assert response.status_code == 201, response.text
        assert changed.harness.dump() != changed.before  # the cases' check sees the change
        shared.release(changed)
        after = shared.current()
        assert after is not changed
        assert after.harness.dump() == after.before
    finally:
        shared.discard()
        ledgers.close()
