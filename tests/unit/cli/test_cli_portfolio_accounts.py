"""``create-portfolio`` with a futures account refuses an initial margin above one contract's
notional, as ``backtest`` does, and stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ledger_state

INDEX = "2006-DAY-001"  # the bundled 2006 index series: first close 3604.33 (2006-01-02)
FUTURES = ["--symbol", INDEX, "--account", "futures", "--multiplier", "2"]
REPLAY = ["--source", "replay", "--replay-from", "2006-01-02"]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_an_initial_margin_above_a_contracts_notional_creates_no_portfolio() -> None:
    json_of("create-portfolio", "first", "10000", "--symbol", "SPY")
    before = ledger_state()
    # 3604.33 x 2 = 7208.66 per contract at the replay's first close
    error = fails(
        "create-portfolio", "X", "10000", *FUTURES, *REPLAY, "--initial-margin", "7208.67"
    )
    assert error == (
        "error: invalid value for --initial-margin: 7208.67 (expected at most one "
        f"{INDEX} contract's notional, 3604.33 x multiplier 2 = 7208.66)"
    )
    assert ledger_state() == before


def test_an_initial_margin_within_the_notional_is_stored() -> None:
    created = json_of(
        "create-portfolio", "X", "10000", *FUTURES, *REPLAY, "--initial-margin", "7208.66"
    )
    assert created
