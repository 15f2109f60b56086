"""The shared ledger of the refusal tables (``shared_ledger``): a case that changed a table is
seen by the cases' check, and the next case gets a new ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledger_urls import FreshLedgers
from shared_ledger import SharedLedger


def test_a_case_that_changed_a_table_is_caught_and_leaves_the_next_a_new_ledger(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ledgers = FreshLedgers(request, "sqlite", tmp_path)
    shared = SharedLedger(ledgers)
    try:
        changed = shared.current()
        order = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit"}
        assert changed.portfolio is not None
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
