"""``paperdesk up`` as a person runs it: a real process on a free port with its own home. It
prints a URL and a key that work, the demo portfolio's replay advances, Ctrl-C (or SIGTERM)
ends it with exit 130 and one line, the ledger consistent; a second start reuses the portfolio
and the key; a busy port is named. Waits are bounded polls, never timing assertions."""

from __future__ import annotations

import csv
import json
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import httpx
import pandas as pd
import pytest
from paper_cli_helpers import fails
from websockets.sync.client import connect

from paperdesk.data import find_bundled, load_bars
from paperdesk.service.platform import KEY_FILE, PLATFORM_PORTFOLIO_NAME
from paperdesk.service.portfolios import PortfolioService
from paperdesk.settings import Settings
from paperdesk.store import Database

CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]
WAIT = 90.0  # seconds: the most any poll waits (a loaded 2-core machine starts slowly)
DASHBOARD = re.compile(r"^dashboard: (http://127\.0\.0\.1:\d+)/#key=(pd_\S+)$")
INTERRUPTED = re.compile(
    r"^interrupted: (\d+) worker ticks committed, each in its own transaction; "
    r"the ledger is consistent$"
)


def _pump(stream: IO[str], into: list[str], lines: queue.Queue[str] | None) -> None:
    for line in stream:
        into.append(line.rstrip("\n"))
        if lines is not None:
            lines.put(line.rstrip("\n"))


@dataclass
class Up:
    """A running ``paperdesk up`` and what it printed."""

    process: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    readers: list[threading.Thread] = field(default_factory=list)
    base: str = ""
    key: str = ""

    def read_until(self, prefix: str) -> str:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, self.output()
                assert time.monotonic() < deadline, f"no {prefix!r} line: {self.output()}"
                continue
            if line.startswith(prefix):
                return line

    def stop(self, number: signal.Signals) -> int:
        self.process.send_signal(number)
        code = self.process.wait(timeout=WAIT)
        for reader in self.readers:
            reader.join(timeout=WAIT)
        return code

    def output(self) -> str:
        return "\n".join(["stdout:", *self.stdout, "stderr:", *self.stderr])

    def get(self, path: str, *, key: str | None = None) -> httpx.Response:
        token = self.key if key is None else key
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(f"{self.base}{path}", headers=headers, timeout=30)


def environment(home: Path, database_url: str | None = None) -> dict[str, str]:
    """This process's environment without any paperdesk setting, then the home (and ledger)."""
    ours = set(Settings.environment_variables().values())
    env = {name: value for name, value in os.environ.items() if name not in ours}
    env["PAPERDESK_HOME"] = str(home)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def start(home: Path, *args: str, database_url: str | None = None) -> Up:
    process = subprocess.Popen(
        [*CLI, "up", "--port", "0", *args],
        env=environment(home, database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    up = Up(process)
    assert process.stdout is not None
    assert process.stderr is not None
    up.readers = [
        threading.Thread(target=_pump, args=(process.stdout, up.stdout, up.lines), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, up.stderr, None), daemon=True),
    ]
    for reader in up.readers:
        reader.start()
    match = DASHBOARD.match(up.read_until("dashboard: "))
    assert match is not None, up.output()
    up.base = match.group(1)
    up.key = match.group(2)
    assert up.read_until("demo key: ") == f"demo key: {up.key}"
    return up


@pytest.fixture
def running() -> Iterator[list[Up]]:
    """Every ``up`` a test starts, killed at the end if the test left it running."""
    started: list[Up] = []
    yield started
    for up in started:
        if up.process.poll() is None:
            up.process.kill()
            up.process.wait()


def poll(condition: Callable[[], Any], what: str, up: Up) -> Any:
    """``condition()``'s first truthy value, checked every 0.2 s for at most ``WAIT``."""
    deadline = time.monotonic() + WAIT
    while True:
        value = condition()
        if value:
            return value
        assert up.process.poll() is None, up.output()
        assert time.monotonic() < deadline, f"{what} within {WAIT} s: {up.output()}"
        time.sleep(0.2)


def equity_points(up: Up, portfolio_id: int) -> int:
    answer = up.get(f"/api/v1/portfolios/{portfolio_id}/performance")
    assert answer.status_code == 200, answer.text
    return len(answer.json()["equity_curve"])


def advanced(up: Up, portfolio_id: int, at_least: int) -> int:
    """The equity points (one per tick) once there are ``at_least``, else 0."""
    points = equity_points(up, portfolio_id)
    return points if points >= at_least else 0


def demo_portfolio(up: Up) -> int:
    """The one demo portfolio the key sees (there is no other)."""
    answer = up.get("/api/v1/portfolios")
    assert answer.status_code == 200, answer.text
    portfolios = answer.json()
    assert [p["name"] for p in portfolios] == [PLATFORM_PORTFOLIO_NAME]
    return int(portfolios[0]["id"])


def committed_ticks(up: Up) -> int:
    """The number in the one ``interrupted:`` line; nothing else looks like a failure."""
    ends = [line for line in up.stderr if line.startswith("interrupted:")]
    assert len(ends) == 1, up.output()
    match = INTERRUPTED.match(ends[0])
    assert match is not None, ends[0]
    assert "Traceback" not in up.output()
    return int(match.group(1))


def streamed_bar(up: Up, portfolio_id: int) -> dict[str, Any]:
    """The first bar the worker's ticks send on /ws/trading (same process, no Redis)."""
    address = up.base.replace("http://", "ws://") + f"/ws/trading?token={up.key}"
    deadline = time.monotonic() + WAIT
    with connect(address, open_timeout=WAIT) as stream:
        while True:
            message = json.loads(stream.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message["type"] == "price_update" and message["portfolio_id"] == portfolio_id:
                return dict(message["data"])


def csv_close(symbol: str, bar_open: str) -> Decimal:
    """The close of the bundled CSV's row for the bar opened at ``bar_open``, read as text."""
    day = pd.Timestamp(bar_open).strftime("%Y-%m-%d")
    with find_bundled(symbol, "1d").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            if row["timestamp"].startswith(day):
                return Decimal(row["close"])
    raise AssertionError(f"no {symbol} row for {bar_open}")


def bundled_from_2019(symbol: str, count: int) -> list[pd.Timestamp]:
    """The first ``count`` bundled daily bars from the demo's first day, read from the CSV."""
    bars = load_bars(find_bundled(symbol, "1d"), symbol=symbol, timeframe="1d")
    return list(bars.index[bars.index >= pd.Timestamp("2019-01-02", tz="UTC")][:count])


def check_ledger(database_url: str, portfolio_id: int, ticks: int) -> int:
    """The ledger after a stop: each committed tick recorded, consecutive bundled bars from
    2019-01-02 for each symbol (none skipped, none twice), books that restore and add up.
    Returns the bars served (the fewest of the two symbols)."""
    database = Database(database_url)
    try:
        service = PortfolioService(database)
        runs = service.tick_runs(portfolio_id)
        served = {
            symbol: sorted({pd.Timestamp(r.ts_bar) for r in runs if r.symbol == symbol})
            for symbol in ("SPY", "AAPL")
        }
        assert sum(len(bars) for bars in served.values()) == ticks
        assert len(service.equity_curve(portfolio_id)) == ticks  # each tick records equity
        for symbol, bars in served.items():
            assert bars == bundled_from_2019(symbol, len(bars)), symbol
        summary = service.show(portfolio_id).summary  # restores the books from the ledger
        assert summary.equity == summary.cash + summary.positions_value
        service.tick(portfolio_id, "SPY", dry_run=True)  # refuses books that disagree
        return min(len(bars) for bars in served.values())
    finally:
        database.close()


def test_up_serves_the_demo_and_a_second_start_reuses_portfolio_and_key(
    tmp_path: Path, running: list[Up]
) -> None:
    first = start(tmp_path, "--replay-interval", "0.5s")
    running.append(first)
    assert httpx.get(f"{first.base}/healthz", timeout=30).json() == {"status": "ok"}
    assert first.get("/api/v1/portfolios", key="").status_code == 401  # the key is needed
    portfolio_id = demo_portfolio(first)
    bar = streamed_bar(first, portfolio_id)
    assert Decimal(bar["close"]) == csv_close(bar["symbol"], bar["bar_open"])
    seen = equity_points(first, portfolio_id)
    shown = poll(lambda: advanced(first, portfolio_id, seen + 2), "the replay advances", first)
    key_file = tmp_path / KEY_FILE
    assert key_file.read_text(encoding="utf-8").strip() == first.key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    assert first.stop(signal.SIGINT) == 130
    ticks = committed_ticks(first)
    assert ticks >= shown  # one equity point per tick: at least those the API showed
    ledger = f"sqlite:///{tmp_path / 'paperdesk.db'}"
    served = check_ledger(ledger, portfolio_id, ticks)

    second = start(tmp_path, "--replay-interval", "0.5s")
    running.append(second)
    assert second.key == first.key  # the same key, read back from the owner-only file
    assert f"portfolio {portfolio_id} (resumed after {served} bar(s))" in second.stdout[1]
    assert demo_portfolio(second) == portfolio_id  # no duplicate
    keys = second.get("/api/v1/api-keys")
    assert keys.status_code == 403  # a trade key does not manage keys...
    seen = equity_points(second, portfolio_id)
    poll(lambda: equity_points(second, portfolio_id) > seen, "the replay goes on", second)
    assert second.stop(signal.SIGTERM) == 130
    more = committed_ticks(second)
    check_ledger(ledger, portfolio_id, ticks + more)
    listing = subprocess.run(
        [*CLI, "apikey", "list", "--json"],
        env=environment(tmp_path), capture_output=True, text=True, timeout=WAIT, check=True,
    )  # fmt: skip
    assert listing.stdout.count('"name": "demo (paperdesk up)"') == 1  # ...and one was made


def test_a_busy_port_is_named_and_nothing_is_touched(
    tmp_path: Path, busy_port: int, clean_environment: pytest.MonkeyPatch
) -> None:
    """A refusal before anything starts: run in this process (``fails``: exit 1, one
    ``error:`` line, no traceback), as the bad options below are."""
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    refused = fails("up", "--port", str(busy_port), code=1)
    assert refused.startswith(f"error: port {busy_port} on 127.0.0.1 is already in use")
    assert "--port 0" in refused
    assert list(tmp_path.iterdir()) == []  # no ledger, no key: a busy port changes nothing


def test_a_second_stop_ends_quietly_too(tmp_path: Path, running: list[Up]) -> None:
    """A second SIGTERM (or Ctrl-C pressed twice, or a supervisor repeating its signal) stops
    without waiting for requests in flight, and still without a traceback."""
    up = start(tmp_path)
    running.append(up)
    demo_portfolio(up)
    up.process.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    assert up.stop(signal.SIGTERM) == 130
    assert not any("Traceback" in line for line in up.stderr), up.output()
    assert not any(line.startswith("ERROR") for line in up.stderr), up.output()
    assert any("the ledger is consistent" in line for line in up.stdout + up.stderr), up.output()


def test_no_worker_serves_the_portfolio_without_ticking_it(
    tmp_path: Path, running: list[Up]
) -> None:
    up = start(tmp_path, "--no-worker")
    running.append(up)
    assert any("the worker is off (--no-worker)" in line for line in up.stdout), up.output()
    portfolio_id = demo_portfolio(up)
    assert equity_points(up, portfolio_id) == 0  # its first bar was due at once, yet unserved
    assert up.stop(signal.SIGINT) == 130
    assert committed_ticks(up) == 0
    check_ledger(f"sqlite:///{tmp_path / 'paperdesk.db'}", portfolio_id, 0)


def test_up_runs_the_same_on_postgresql(
    tmp_path: Path, running: list[Up], postgres_schema_url: str
) -> None:
    up = start(tmp_path, "--replay-interval", "0.5s", database_url=postgres_schema_url)
    running.append(up)
    portfolio_id = demo_portfolio(up)
    seen = equity_points(up, portfolio_id)
    poll(lambda: equity_points(up, portfolio_id) >= seen + 2, "the replay advances", up)
    assert up.stop(signal.SIGTERM) == 130
    check_ledger(postgres_schema_url, portfolio_id, committed_ticks(up))
    key_files = list(tmp_path.glob(f"{KEY_FILE}-*"))  # this database's own key file
    assert [path.read_text(encoding="utf-8").strip() for path in key_files] == [up.key]
    assert stat.S_IMODE(key_files[0].stat().st_mode) == 0o600
    assert not (tmp_path / "paperdesk.db").exists()  # the home's SQLite ledger was not used


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--replay-interval", "manual"], "--replay-interval"),
        (["--replay-interval", "0s"], "--replay-interval"),
        (["--replay-interval", "soon"], "--replay-interval"),
        (["--port", "70000"], "--port"),
    ],
)
def test_bad_options_are_named_and_change_nothing(
    args: list[str], named: str, tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    assert named in fails("up", *args, code=2)
    assert list(tmp_path.iterdir()) == []
