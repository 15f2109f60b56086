"""Per-bar strategies and plug-ins end to end: the installed example package's two strategies
(the same stateful rule written as a vectorised Strategy plus the router's max-holding option,
and as a BarStrategy) give identical fills; a BarStrategy's backtest equals its paper replay fill
for fill; its state survives restarts; plug-ins load by entry point and by path, in backtests,
from the CLI and in paper portfolios."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger_support import check_ledger, spy_slice
from paperdesk.cli import app
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import Fill
from paperdesk.live import TickStatus
from paperdesk.service.backtests import run_backtest
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

HOLD = 5
FIRST, ROWS = date(2018, 1, 2), 160
USER_FILE = Path(__file__).resolve().parent / "user_strategies" / "my_hold.py"

# strategies loaded by path stay registered for the process: each test leaves the registry as found
pytestmark = pytest.mark.usefixtures("registry_as_it_was")


def _fills(fills: tuple[Fill, ...] | list[Fill]) -> list[tuple[object, ...]]:
    return [(f.ts, f.side, f.quantity, f.price, f.fee, f.slippage) for f in fills]


def _config(path: Path, strategy: str, params: dict[str, object], **risk: object) -> RunConfig:
    return RunConfig(
        strategy=strategy,
        params=params,
        data=path,
        symbol="SPY",
        timeframe="1d",
        cash=Decimal(10000),
        risk=RiskConfig(**risk),
        execution=ExecutionConfig(commission="per-share:0.005:min=1"),
        source=SourceConfig(adjust="raw"),  # as the paper replay trades (its default)
    )


def test_the_example_package_is_installed_as_an_entry_point() -> None:
    names = {e.name for e in entry_points(group="paperdesk.strategies")}
    assert {"example-sma-entries", "example-sma-hold"} <= names


def test_the_rule_written_both_ways_gives_identical_fills(tmp_path: Path) -> None:
    path = spy_slice(tmp_path, FIRST.isoformat(), ROWS)
    vectorised = run_backtest(
        _config(path, "example-sma-entries", {"period": 10}, max_holding_bars=HOLD)
    )
    per_bar = run_backtest(_config(path, "example-sma-hold", {"period": 10, "hold_bars": HOLD}))
    assert len(vectorised.fills) >= 6, "the rule must trade for the comparison to mean something"
    assert _fills(per_bar.fills) == _fills(vectorised.fills)
    assert per_bar.final_equity == vectorised.final_equity


def test_a_per_bar_backtest_equals_its_paper_replay_and_its_state_survives(
    database: Database, tmp_path: Path
) -> None:
    path = spy_slice(tmp_path, FIRST.isoformat(), ROWS)
    params = {"period": 10, "hold_bars": HOLD}
    backtest = run_backtest(_config(path, "example-sma-hold", params))

    settings = RunConfig(
        strategies=(StrategySpec("example-sma-hold", params),),
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=FIRST),
        execution=ExecutionConfig(commission="per-share:0.005:min=1"),
    )
    served = 0
    pid = PortfolioService(database).create_portfolio("bars", Decimal(10000), settings=settings)
    while True:
        service = PortfolioService(database)  # a new process every tick: state must persist
        if service.tick(pid, "SPY")[-1].status is not TickStatus.PROCESSED:
            break
        served += 1

    assert served == ROWS
    assert len(backtest.fills) >= 6
    assert _fills(service.fills(pid)) == _fills(backtest.fills)
    assert service.show(pid).summary.equity == backtest.final_equity
    entries = [s for s in service.signals(pid) if s.direction == 1 and s.status == "accepted"]
    with database.reading() as repository:
        state = repository.strategy_state(pid, "example-sma-hold", "SPY")
    assert entries
    assert state == {"entry_signals": len(entries)}
    check_ledger(database, pid)


@pytest.mark.parametrize("spec", [str(USER_FILE), f"{USER_FILE}:MyHold"])
def test_a_strategy_loaded_by_path_backtests(tmp_path: Path, spec: str) -> None:
    path = spy_slice(tmp_path, FIRST.isoformat(), ROWS)
    installed = run_backtest(_config(path, "example-sma-hold", {"period": 10}))
    config = _config(path, "my-hold", {"period": 10}).with_changes(strategy_paths=(spec,))
    assert _fills(run_backtest(config).fills) == _fills(installed.fills)
    assert installed.fills


def test_the_cli_backtests_a_plugin_and_lists_it(tmp_path: Path) -> None:
    runner = CliRunner()
    path = spy_slice(tmp_path, FIRST.isoformat(), ROWS)
    listed = runner.invoke(app, ["strategies", "--json"])
    assert listed.exit_code == 0, listed.output
    names = {s["name"] for s in json.loads(listed.stdout)["strategies"]}
    assert {"example-sma-entries", "example-sma-hold"} <= names
    for name, extra in (
        ("example-sma-hold", []),
        ("my-hold", ["--strategy-path", str(USER_FILE)]),
    ):
        outcome = runner.invoke(
            app,
            ["backtest", "--strategy", name, "--data", str(path), "--symbol", "SPY", "--json",
             *extra],
        )  # fmt: skip
        assert outcome.exit_code == 0, outcome.output
        assert json.loads(outcome.stdout)["stats"]["trades"] > 0


def test_an_unknown_strategy_lists_what_is_available(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["backtest", "--strategy", "my-strategy", "--symbol", "SPY"])
    assert outcome.exit_code != 0
    assert "unknown strategy 'my-strategy'" in outcome.output
    assert "example-sma-hold" in outcome.output
    assert "macd-cross" in outcome.output


def test_a_paper_portfolio_runs_a_plugin_by_path_from_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        "PAPERDESK_HOME": str(home),
        "PAPERDESK_ENV_FILE": "none",
        "PATH": str(Path(sys.executable).parent),
    }
    command = [str(Path(sys.executable).parent / "paperdesk")]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    created = json.loads(
        run(
            "create-portfolio", "plug", "10000", "--symbol", "SPY", "--source", "replay",
            "--replay-from", "2018-01-02", "--strategy", "my-hold",
            "--strategy-path", f"{USER_FILE}:MyHold", "--json",
        )
    )  # fmt: skip
    pid = str(created["id"])
    assert created["settings"]["strategy_paths"] == [f"{USER_FILE}:MyHold"]
    run("run", pid, "--every", "0.01s", "--max-ticks", "60")
    trades = json.loads(run("signals", pid, "--json"))["signals"]
    assert any(s["strategy"] == "my-hold" for s in trades)


@pytest.mark.parametrize("name", ["example-sma-entries", "example-sma-hold"])
def test_plugins_import_no_database_or_http_library(name: str) -> None:
    code = (
        "import sys; from paperdesk.analysis.strategies.registry import create_strategy; "
        f"create_strategy({name!r}); "
        "bad = [m for m in ('sqlalchemy', 'httpx', 'redis', 'psycopg') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
