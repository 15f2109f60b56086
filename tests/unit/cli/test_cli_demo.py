"""``paperdesk demo`` keeps results on stdout and notes on stderr (README "Logs")."""

from __future__ import annotations

import pytest
from paper_cli_helpers import ok

pytestmark = pytest.mark.usefixtures("paper_home")


def test_the_demo_prints_results_on_stdout_and_no_ledger_note() -> None:
    result = ok("demo", "--bars", "5", "--symbol", "SPY", "--strategy", "macd-cross")
    assert "ledger:" not in result.stdout  # a note: on a terminal's stderr, or with -v
    assert result.stdout.startswith("Portfolio 1 ")
