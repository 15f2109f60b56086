"""``paperdesk sweep STRATEGY``: the ranked table with the diagnostics beside the best, the JSON,
the CSV, and one clear error line for each bad spec (the figures themselves are checked in
tests/unit/service/test_service_sweeps.py and tests/unit/analytics/test_overfitting.py)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ok

pytestmark = pytest.mark.usefixtures("paper_home")

PERIOD = ("--symbol", "SPY", "--timeframe", "1d", "--from", "2018-01-01", "--to", "2019-12-31")
GRID = ("--param", "fast=5,10", "--param", "slow=30:50:20")


def test_the_table_ranks_the_runs_and_shows_the_diagnostics(tmp_path: Path) -> None:
    out = tmp_path / "runs.csv"
    result = ok(
        "sweep", "sma-cross", *PERIOD, *GRID, "--workers", "1", "--slices", "8",
        "--out", str(out), "--wide",
    )  # fmt: skip
    text = result.stdout
    assert "sma-cross on SPY (1d), 2018-01-02 to 2019-12-31: 4 runs by sharpe" in text
    assert "Deflated Sharpe ratio" in text
    assert "the expected best of 4 trials" in text
    assert "Probability of backtest overfitting" in text
    assert "70 combinations of 8 slices" in text  # C(8, 4)
    assert f"every run written to {out}" in result.stderr  # a note, not a result (README "Logs")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    sharpes = [float(row["sharpe"]) for row in rows]
    assert sharpes == sorted(sharpes, reverse=True)
    best = f"fast={rows[0]['fast']}, slow={rows[0]['slow']}"
    assert best in text


def test_json_lists_every_run_with_exact_money() -> None:
    document = json_of("sweep", "sma-cross", *PERIOD, *GRID, "--workers", "1", "--slices", "8")
    assert document["parameters"] == {"fast": ["5", "10"], "slow": ["30", "50"]}
    assert len(document["runs"]) == 4
    for run in document["runs"]:
        assert Decimal(run["final_equity"]) - Decimal("10000") == Decimal(run["net_pnl"])
    assert document["best"] == document["runs"][0]
    assert document["deflated_sharpe"]["trials"] == 4
    assert document["overfitting"]["combinations"] == 70


def test_skipped_combinations_are_listed() -> None:
    result = ok(
        "sweep", "sma-cross", *PERIOD, "--param", "fast=10,40", "--param", "slow=30,50",
        "--workers", "1", "--slices", "4",
    )  # fmt: skip
    assert "1 combinations left out" in result.stdout
    assert "fast=40, slow=30: parameter 'fast' (40) must be smaller than 'slow' (30)" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--param", "fst=5,10"], "strategy 'sma-cross' has no parameter 'fst'"),
        (["--param", "fast=-1,5", "--param", "slow=30"], "parameter 'fast': value '-1'"),
        (["--param", "slow=60:20"], "the range of parameter 'slow' ends (20) before it starts"),
        (["--param", "fast=5", "--metric", "luck"], "unknown metric 'luck'"),
        (["--param", "fast=5", "--workers", "0"], "--workers: 0 (expected 1 or more)"),
        (["--param", "fast=5,10", "--slices", "3"], "must be even"),
    ],
)
def test_bad_input_is_one_error_line(arguments: list[str], message: str) -> None:
    assert message in fails("sweep", "sma-cross", *PERIOD, "--workers", "1", *arguments)


def test_an_unknown_strategy_is_named() -> None:
    assert "unknown strategy 'sma-crosss'" in fails("sweep", "sma-crosss", *PERIOD, *GRID)


def test_an_undefined_deflated_sharpe_ratio_says_why_in_the_table() -> None:
    one = ok("sweep", "sma-cross", *PERIOD, "--param", "fast=5", "--workers", "1", "--wide")
    assert "n/a: the deflated Sharpe ratio needs two trials or more, got 1" in one.stdout
    assert "P(true Sharpe > n/a" not in one.stdout
