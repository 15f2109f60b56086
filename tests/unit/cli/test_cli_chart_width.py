"""The terminal equity chart fits a narrow terminal: its 60 columns wrapped at ``COLUMNS=60``
(the label, " │" and 60 blocks are 71 characters), scattering the last rows and the drawdown."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli.charts import WIDTH, chart_text


def test_the_chart_is_as_wide_as_the_terminal_allows() -> None:
    values = [9000.0 + (step % 37) * 31.5 for step in range(500)]
    for columns in (40, 60, 71):
        lines = chart_text(values, "Equity curve", columns).splitlines()
        assert max(len(line) for line in lines) <= columns
        assert len(lines) == 11  # the title, 8 rows, the drawdown line, the maximum drawdown
    wide = chart_text(values, "Equity curve").splitlines()
    assert {len(line.split("│", 1)[1]) for line in wide[1:10]} == {WIDTH}
    assert chart_text(values, "Equity curve", 200) == chart_text(values, "Equity curve")


def test_a_backtest_in_60_columns_wraps_no_chart_row(paper_home: Path) -> None:
    outcome = CliRunner().invoke(
        app, ["backtest", "--strategy", "sma-cross", "--symbol", "SPY"], env={"COLUMNS": "60"}
    )
    assert outcome.exit_code == 0, outcome.output
    chart = outcome.stdout.split("Equity curve\n", 1)[1].splitlines()
    assert len(chart) == 10
    assert all("│" in line or "└" in line for line in chart)  # no wrapped remainder
    assert max(len(line) for line in chart) <= 60
