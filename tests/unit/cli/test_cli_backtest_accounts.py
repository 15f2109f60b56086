"""``paperdesk backtest`` with a futures account on the bundled 2006 index series (the real
engine): the margin call is a line of the report and an entry of the JSON document."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.data import find_bundled

runner = CliRunner()
FUTURES = [
    "backtest", "--strategy", "sma-cross", "--param", "fast=1", "--param", "slow=15",
    "--data", str(find_bundled("2006-DAY-001", "1d")), "--account", "futures",
    "--multiplier", "50", "--initial-margin", "3000", "--maintenance-margin", "2500",
    "--commission", "per-contract:2", "--slippage-bps", "0", "--sizer", "fixed",
    "--quantity", "1", "--cash", "4000", "--exposure-cap", "none", "--allow-short",
]  # fmt: skip


# Four round trips net 6026.00 - 1858.00 - 3030.00 - 2065.00 = -927.00, leaving 3073.00; the
# short opened at the 2006-05-04 open 3822.57 (fee 2) closes that day at 3843.08:
# equity 3073.00 - 2 - 20.51 x 50 = 2045.50 < 2500 = 1 contract's maintenance margin.


def test_the_report_prints_the_margin_call_with_its_reason() -> None:
    result = runner.invoke(app, FUTURES, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    (line,) = [row for row in result.stdout.splitlines() if row.startswith("Margin call")]
    assert line.startswith("Margin call 2006-05-04 20:00: margin call: equity 2,045.50 below")
    assert "the maintenance requirement 2,500.00" in line  # money as the report prints it


def test_the_json_document_lists_the_margin_call() -> None:
    result = runner.invoke(app, [*FUTURES, "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    (called,) = document["account_events"]
    assert called["kind"] == "MarginCalled"
    assert called["reason"].startswith("margin call: equity 2045.50")
    assert called["at"].startswith("2006-05-04")
    assert document["open_positions"] == []  # the short was closed at the next open


ADJUSTED_OVERDRAFT = [
    "backtest", "--strategy", "sma-cross", "--param", "fast=5", "--param", "slow=20",
    "--symbol", "SPY", "--timeframe", "1d", "--from", "2020-06-01", "--to", "2021-03-01",
    "--sizer", "percent-equity", "--size-pct", "100", "--exposure-cap", "none",
    "--cash-check", "off", "--commission", "per-share:0.005",
]  # fmt: skip


def test_an_overdraft_line_prints_the_price_to_the_tick_and_money_to_the_cent() -> None:
    """SPY's split-dividend-adjusted prices are long decimals (333.6584517059265): the report
    rounds them as it rounds every price; the JSON keeps every digit."""
    result = runner.invoke(app, ADJUSTED_OVERDRAFT, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [row for row in result.stdout.splitlines() if row.startswith("Cash overdrawn")]
    assert lines == [
        "Cash overdrawn 2020-10-05 00:00: cash_check=off: buy 32 SPY at 333.66 fee 0.16 "
        "left cash at -62.05",
        "Cash overdrawn 2020-11-09 00:00: cash_check=off: buy 30 SPY at 361.81 fee 0.15 "
        "left cash at -374.07",
    ]
    document = json.loads(runner.invoke(app, [*ADJUSTED_OVERDRAFT, "--json"]).stdout)
    first = document["account_events"][0]
    assert first["cash"] == "-62.0541092360605"
    assert first["reason"] == (
        "cash_check=off: buy 32 SPY at 333.6584517059265 fee 0.160 left cash at -62.0541092360605"
    )
