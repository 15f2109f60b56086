"""``--session`` and ``--sizer target-percent`` at the command line: bad values are one clear
line, and a backtest on the bundled SPY minute bars says how many signals fell outside the
regular session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()
MINUTE_RUN = (
    "backtest", "--strategy", "sma-cross", "--param", "fast=5", "--param", "slow=20",
    "--symbol", "SPY", "--timeframe", "1m", "--from", "2013-10-07", "--to", "2013-10-07",
)  # fmt: skip


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "PAPERDESK_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ("--session", "overnight"),
            "error: invalid value for --session: 'overnight' (expected regular or extended)",
        ),
        (
            ("--sizer", "target-percent", "--free-buffer-pct", "100"),
            "error: invalid value for --free-buffer-pct: '100' "
            "(expected a number at least 0 and below 100)",
        ),
        (
            ("--sizer", "target-percent", "--size-pct", "0"),
            "error: invalid value for --size-pct: '0'",
        ),
    ],
)
def test_a_bad_value_is_one_line_and_exit_2(extra: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(*MINUTE_RUN, *extra)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_the_report_counts_the_signals_outside_the_session() -> None:
    code, out, _ = invoke(*MINUTE_RUN, "--json")
    assert code == 0
    regular = json.loads(out)
    code, out, _ = invoke(*MINUTE_RUN, "--session", "extended", "--json")
    assert code == 0
    extended = json.loads(out)
    # the same crosses: in the regular session the pre- and post-market ones are rejected
    assert regular["rejected_signals"] > extended["rejected_signals"]
    assert len(regular["trades"]) < len(extended["trades"])
    code, out, _ = invoke(*MINUTE_RUN)
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith("Signals outside the session"))
    count = int(line.split()[-3])
    assert count > 0
    assert count <= regular["rejected_signals"]
    code, out, _ = invoke(*MINUTE_RUN, "--session", "extended")
    assert "Signals outside the session" not in out
