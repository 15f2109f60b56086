"""Start-up time of the command line (run on demand, not part of the test suite).

Times, over N runs each, the small commands a user types most, each a fresh process on a
temporary, already migrated PAPERDESK_HOME holding one portfolio (id 1, the bundled SPY
bars): ``paperdesk --help``, ``paperdesk backtest --help``, ``portfolio list``, ``portfolio
show 1``, ``orders 1`` and ``trade 1 SPY DRY``; prints the median and the fastest wall time and
the median CPU time (user + system, which a busy machine disturbs less). Targets on an idle
machine: ``--help`` under 0.3 s, ``portfolio list`` under 1 s.

    .venv/bin/python benchmarks/bench_startup.py [--runs 15] [--paperdesk PATH]
        [--compare SRC] [--only COMMAND]...

``--paperdesk`` times another install (e.g. a checkout of an older commit's ``.venv``);
``--compare SRC`` times this install's program a second way, with ``PYTHONPATH=SRC`` (another
checkout's ``src``, e.g. a detached worktree of ``main``; this checkout's own ``src`` is then put
on ``PYTHONPATH`` too, as the extra path costs every import a lookup), alternating the two run
by run (each first every other time), and prints both medians side by side. Compile both
checkouts first (``python -m compileall -q src``) when ``PYTHONDONTWRITEBYTECODE`` is set, or the
side without bytecode pays for compiling every module it imports, every run.
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

TARGETS: dict[str, float | None] = {
    "--help": 0.3,
    "backtest --help": 0.3,
    "portfolio list": 1.0,
    "portfolio show 1": None,
    "orders 1": None,
    "trade 1 SPY DRY": None,
}


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


def prepare(program: str, env: dict[str, str]) -> None:
    """Create and migrate the ledger, with portfolio 1 on the bundled SPY bars."""
    time_once(program, ["portfolio", "list"], env)
    time_once(program, ["create-portfolio", "bench", "10000", "--symbol", "SPY"], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--paperdesk", default=default_program(), help="the program to time")
    parser.add_argument("--compare", metavar="SRC", help="also time with PYTHONPATH=SRC")
    parser.add_argument("--only", action="append", help="time only this command (repeatable)")
    options = parser.parse_args()
    commands = options.only or list(TARGETS)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        env = {**os.environ, "PAPERDESK_HOME": home, "PAPERDESK_ENV_FILE": "none", "COLUMNS": "100"}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        prepare(options.paperdesk, env)
        ways = {"this": env}
        if options.compare:  # both on PYTHONPATH: an entry ahead of site-packages costs a lookup
            ways = {  # for every import, so "this" gets its own checkout's, not none
                "compare": {**env, "PYTHONPATH": options.compare},
                "this": {**env, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
            }
        print(f"{options.paperdesk}, {options.runs} runs each; load {os.getloadavg()[0]:.1f}")
        if options.compare:
            print(f"compare: PYTHONPATH={options.compare}, alternated run by run")
        heading = "".join(f" {way + ' wall':>13} {way + ' cpu':>12}" for way in ways)
        print(f"{'command':<18}{heading} {'target':>7}")
        for command in commands:
            args = command.split()
            for way_env in ways.values():
                time_once(options.paperdesk, args, way_env)  # warm the file cache
            runs: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
            for run in range(options.runs):
                order = list(ways) if run % 2 == 0 else list(reversed(ways))  # neither always first
                for way in order:
                    runs[way].append(time_once(options.paperdesk, args, ways[way]))
            cells = ""
            for measured in runs.values():
                wall = statistics.median(wall for wall, _ in measured)
                cpu = statistics.median(cpu for _, cpu in measured)
                cells += f" {wall:>12.3f}s {cpu:>11.3f}s"
            target = TARGETS.get(command)
            print(f"{command:<18}{cells} {'' if target is None else f'{target:.1f}s':>7}")
        print(f"load afterwards {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
