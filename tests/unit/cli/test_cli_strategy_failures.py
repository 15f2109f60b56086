"""A user strategy that raises is one ``error:`` line naming it and the line that raised, in a
backtest and in a paper portfolio's tick, which changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_cli_helpers import fails, ledger_state, ok

from raising_strategy import raised_message, write_raising_strategy

pytestmark = pytest.mark.usefixtures("registry_as_it_was")


@pytest.fixture
def raising_file(tmp_path: Path) -> Path:
    return write_raising_strategy(tmp_path, "cli-raises")


def _expected(path: Path) -> str:
    return f"error: {raised_message('cli-raises', path)}"


def test_a_backtest_of_a_raising_strategy_is_one_error_line(raising_file: Path) -> None:
    line = fails(
        "backtest", "--strategy", "cli-raises", "--strategy-path", str(raising_file),
        "--symbol", "SPY",
        code=1,
    )  # fmt: skip
    assert line == _expected(raising_file)


def test_a_paper_tick_of_a_raising_strategy_changes_nothing(
    paper_home: Path, raising_file: Path
) -> None:
    ok(
        "create-portfolio", "raises", "10000", "--symbol", "SPY", "--source", "replay",
        "--replay-from", "2018-01-02", "--strategy", "cli-raises",
        "--strategy-path", str(raising_file),
    )  # fmt: skip
    before = ledger_state()
    assert fails("trade", "1", "SPY", "LIVE", code=1) == _expected(raising_file)
    assert ledger_state() == before
