"""``paperdesk data import`` keeps the memory it frees (``paperdesk.cli.allocator``): glibc's
thresholds are fixed for the import's process, so the megabyte arrays a large import frees and
allocates again for every block are not faulted in anew each time."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from paperdesk.cli import allocator, app
from paperdesk.collector import collector_paused

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Blocks of 2 MiB allocated, touched and freed together, as a scan of a file's blocks does:
# glibc's adaptive thresholds give the freed top of the heap back each round (every page
# faulted in again next round), fixed ones keep it. Prints the minor faults of the rounds.
CHURN = """
import resource, sys
sys.path[:0] = sys.argv[2:]
if sys.argv[1] == "kept":
    from paperdesk.cli.allocator import keep_freed_memory
    assert keep_freed_memory()
import numpy as np
def rounds():
    for _ in range(40):
        blocks = [np.ones(1 << 18) for _ in range(4)]  # 4 x 2 MiB, every page touched
        del blocks
rounds()  # the first round faults in whatever is kept
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
rounds()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def churn_faults(mode: str) -> int:
    source = str(Path(allocator.__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-c", CHURN, mode, source],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


@pytest.mark.skipif(not GLIBC, reason="mallopt's thresholds are glibc's")
def test_kept_memory_is_not_faulted_in_again() -> None:
    adaptive, kept = churn_faults("adaptive"), churn_faults("kept")
    # 40 rounds of 8 MiB: about 80,000 faults when given back each round, a few hundred kept
    assert adaptive > 20_000
    assert kept < adaptive / 20


def test_without_mallopt_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoMallopt:
        def __init__(self, name: object) -> None:
            pass

    monkeypatch.setattr(allocator.ctypes, "CDLL", NoMallopt)
    assert allocator.keep_freed_memory() is False


@pytest.fixture
def bars_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-bar file in a home of its own (the ledger there, no providers)."""
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "PAPERDESK_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "bars.csv"
    path.write_text("timestamp,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n")
    return path


def import_bars(path: Path) -> Any:
    arguments = ["data", "import", str(path), "--symbol", "XYZ", "--asset-class", "equity"]
    return CliRunner().invoke(app, arguments)


def test_the_import_command_keeps_freed_memory(
    bars_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(allocator, "keep_freed_memory", lambda: calls.append("kept") or True)
    result = import_bars(bars_file)
    assert result.exit_code == 0, result.stderr
    assert calls == ["kept"]


def test_the_import_runs_with_the_cycle_collector_paused_then_running_again(
    bars_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperdesk.service.market_data import MarketDataService

    collecting: list[bool] = []
    import_file = MarketDataService.import_file

    def recorded(service: MarketDataService, *args: Any, **options: Any) -> Any:
        collecting.append(gc.isenabled())
        return import_file(service, *args, **options)

    monkeypatch.setattr(MarketDataService, "import_file", recorded)
    assert import_bars(bars_file).exit_code == 0
    assert gc.isenabled()
    bars_file.write_text(bars_file.read_text() + "2024-01-03,10,9,11,10.5,100\n")  # high < low
    assert import_bars(bars_file).exit_code == 1
    assert gc.isenabled()
    assert collecting == [False, False]


def test_a_paused_collector_stays_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
