"""Helpers for the paper-trading CLI tests: invoke on a SQLite ledger in a temp home."""

from __future__ import annotations

import json
from typing import Any

from click.testing import Result
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.service.portfolios import PortfolioService

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(*args: str) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def json_of(*args: str) -> Any:
    result = ok(*args, "--json")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


def fails(*args: str, code: int | None = None) -> str:
    """Run a command that must fail: one ``error:`` line on stderr, no traceback."""
    result = invoke(*args)
    assert result.exit_code != 0, result.stdout
    if code is not None:
        assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def ledger_state() -> dict[str, object]:
    """Everything a command could change, over every portfolio."""
    service = PortfolioService()
    state: dict[str, object] = {}
    for summary in service.list_portfolios(include_archived=True):
        pid = summary.id
        state[f"{pid}.summary"] = summary
        state[f"{pid}.orders"] = service.orders(pid)
        state[f"{pid}.fills"] = len(service.fills(pid))
        state[f"{pid}.signals"] = len(service.signals(pid))
        state[f"{pid}.audit"] = len(service.audit(pid))
        state[f"{pid}.ticks"] = len(service.tick_runs(pid))
        state[f"{pid}.equity"] = len(service.equity_curve(pid))
    service.database.close()
    return state


def create_replay(name: str = "bot", *extra: str) -> int:
    """A portfolio replaying bundled SPY from 2020-01-02 (one new bar per LIVE trade)."""
    document = json_of(
        "create-portfolio",
        name,
        "10000",
        "--symbol",
        "SPY",
        "--source",
        "replay",
        "--replay-from",
        "2020-01-02",
        *extra,
    )
    return int(document["id"])


def run_ticks(portfolio_id: int, ticks: int) -> None:
    """``ticks`` live ticks in one ``paperdesk run`` (the same bars and fills as that many
    ``trade ID SPY LIVE`` commands, at an eighth of their CPU: one start instead of one a tick)."""
    ok("run", "--portfolio", str(portfolio_id), "--every", "0.01s", "--max-ticks", str(ticks))
