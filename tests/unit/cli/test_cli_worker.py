"""``paperdesk worker``: one round, the portfolios it may work, a stop on SIGTERM, bad options."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, fails, invoke, json_of, ok

from paperdesk.cli import worker as worker_module
from paperdesk.data.clock import WallClock
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.worker import Worker


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def _ticks(portfolio_id: int) -> int:
    kinds = [entry["kind"] for entry in json_of("audit", str(portfolio_id))["audit"]]
    return kinds.count("tick")


def test_once_runs_one_round_and_a_second_worker_within_the_interval_finds_nothing_due() -> None:
    first, second = create_replay("a"), create_replay("b")
    result = ok("worker", "--once")
    assert f"[1] portfolio {first}: 1 bar(s), 0 fill(s)" in result.stdout
    assert f"[1] portfolio {second}: 1 bar(s), 0 fill(s)" in result.stdout
    assert "done after 1 round(s)" in result.stderr
    again = ok("worker", "--once", "--interval", "1h")
    assert f"portfolio {first}:" not in again.stdout  # each was served this interval already
    assert f"portfolio {second}:" not in again.stdout
    # and --once says so, with when a portfolio can next be claimed (the first worker's
    # interval, 60 s, after its round)
    found = re.search(
        r"\[1\] nothing due: the next portfolio can be claimed at .+ UTC, in (\d+) s", again.stdout
    )
    assert found is not None, again.stdout
    assert 0 <= int(found.group(1)) <= 60
    assert (_ticks(first), _ticks(second)) == (1, 1)


def test_once_with_no_active_portfolio_says_so() -> None:
    result = ok("worker", "--once")
    assert "[1] nothing due: no active portfolio to work" in result.stdout


def test_portfolio_limits_the_worker_to_the_ids_given_and_an_unknown_id_is_named() -> None:
    first, second = create_replay("a"), create_replay("b")
    result = ok("worker", "--once", "--portfolio", str(second))
    assert f"portfolio {second}:" in result.stdout
    assert f"portfolio {first}:" not in result.stdout
    assert (_ticks(first), _ticks(second)) == (0, 1)
    assert "no portfolio with id 9" in fails("worker", "--once", "--portfolio", "9")


def test_sigterm_stops_the_worker_after_the_round_in_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portfolio_id = create_replay()
    real_round = Worker.run_round

    def round_then_signal(self: Worker) -> object:
        report = real_round(self)
        signal.raise_signal(signal.SIGTERM)  # delivered between rounds, handled by paperdesk
        return report

    monkeypatch.setattr(Worker, "run_round", round_then_signal)
    previous = signal.getsignal(signal.SIGTERM)
    result = ok("worker", "--interval", "1h")
    assert "SIGTERM: stopping" in result.stderr
    assert "stopped after 1 round(s)" in result.stderr
    assert signal.getsignal(signal.SIGTERM) is previous  # the handler is put back
    assert _ticks(portfolio_id) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interval", "soon"], "invalid interval"),
        (["--lease", "0s"], "invalid interval"),
        (["--portfolio", "0"], "--portfolio"),
    ],
)
def test_bad_options_are_named(args: list[str], message: str) -> None:
    assert message in fails("worker", "--once", *args, code=2)


def test_the_signal_handler_is_restored() -> None:
    worker = Worker(PortfolioService(), clock=WallClock())
    before = signal.getsignal(signal.SIGINT)
    with worker_module.stop_on_signals(worker):
        signal.raise_signal(signal.SIGINT)
    assert worker.stopped
    assert signal.getsignal(signal.SIGINT) is before
    assert invoke("worker", "--help").exit_code == 0
