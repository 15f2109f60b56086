"""``paperdesk sweep`` over bundled series: every run of a sweep trades the same bars, so the
sweep warns of their long gaps as ``paperdesk backtest`` does (the same words), says nothing for
a clean series, and ``--json`` carries them as ``data_gaps``.

The first test sweeps with the default workers (one a core: the only CLI sweep through the
process pool); the others pass ``--workers 1``: the gaps are the calling process's reading of
the bars, the same for any number of workers (``test_service_sweeps`` holds the pool's results
to the serial ones), and a pool's start costs more than the two small runs it would serve."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()
BTCUSD = ["sweep", "sma-cross", "--symbol", "BTCUSD", "--timeframe", "1m", "--param", "fast=5,10"]
SERIAL = ["--workers", "1"]
WIDE = {"COLUMNS": "200"}


def _out(arguments: list[str]) -> str:
    result = runner.invoke(app, arguments, env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_sweep_warns_of_the_long_gaps_as_a_backtest_does(paper_home: Path) -> None:
    out = _out([*BTCUSD, "--wide"])
    [warning] = [line for line in out.splitlines() if line.startswith("Warning:")]
    backtest = _out(["backtest", "-s", "sma-cross", "--symbol", "BTCUSD", "--timeframe", "1m"])
    assert warning in backtest.replace("\n  ", " ")  # the backtest's words, unwrapped
    assert "(24/7 calendar) in 3 places" in warning
    assert "2016-10-10 00:00 to 2017-09-03 00:00 (328 d, 472,320 bars)" in warning


def test_a_sweeps_json_carries_the_gaps_and_a_clean_series_warns_of_none(
    paper_home: Path,
) -> None:
    gaps = json.loads(_out([*BTCUSD, *SERIAL, "--json"]))["data_gaps"]
    assert (gaps["calendar"], gaps["gaps"], gaps["long_gaps_count"]) == ("24/7", 99, 3)
    spy = ["sweep", "sma-cross", "--symbol", "SPY", "--param", "fast=5,10", *SERIAL]
    assert "Warning" not in _out(spy)
    assert json.loads(_out([*spy, "--json"]))["data_gaps"]["long_gaps"] == []
