"""Start-up time of the command line (run on demand, not part of the test suite).

Times, over N runs each, the wall time of ``paperdesk --help``, ``paperdesk backtest --help``
and ``paperdesk portfolio list`` (on a temporary, already migrated PAPERDESK_HOME), each a fresh
process, and prints the median and the fastest wall time and the median CPU time (user + system,
which a busy machine disturbs less). Targets on an idle machine: ``--help`` under
0.3 s, ``portfolio list`` under 1 s.

    .venv/bin/python benchmarks/bench_startup.py [--runs 15] [--paperdesk PATH]

``--paperdesk`` times another install (e.g. a checkout of an older commit's ``.venv``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 0.3, "backtest --help": 0.3, "portfolio list": 1.0}


def default_program() -> str:
    return str(Path(sys.executable).with_name("paperdesk"))


def time_once(program: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([program, *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--paperdesk", default=default_program(), help="the program to time")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        env = {**os.environ, "PAPERDESK_HOME": home, "COLUMNS": "100"}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        time_once(options.paperdesk, ["portfolio", "list"], env)  # creates and migrates the ledger
        print(f"{options.paperdesk}, {options.runs} runs each")
        print(f"{'command':<18} {'median':>8} {'fastest':>8} {'cpu':>8} {'target':>8}")
        for command, target in TARGETS.items():
            args = command.split()
            time_once(options.paperdesk, args, env)  # warm the file cache
            runs = [time_once(options.paperdesk, args, env) for _ in range(options.runs)]
            walls = [wall for wall, _ in runs]
            median = statistics.median(walls)
            cpu = statistics.median(cpu for _, cpu in runs)
            verdict = "met" if median < target else "missed"
            print(
                f"{command:<18} {median:>7.3f}s {min(walls):>7.3f}s {cpu:>7.3f}s "
                f"{target:>7.1f}s  {verdict}"
            )


if __name__ == "__main__":
    main()
