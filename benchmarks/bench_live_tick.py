"""Live tick time against the length of a symbol's history, on SQLite and PostgreSQL.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_live_tick.py [--ticks 200] [--histories 500,40000]
        [--databases sqlite,postgresql] [--repeat 1] [--warm-up 0] [--statements]
        [--profile FILE.prof]

A replay portfolio runs three strategies (macd-cross, tsi-momentum, rsi-divergence) on SPY
hourly bars (the bundled ``lean_SPY_1h.csv``: its last N candles, N from ``--histories``; the
last ``--ticks`` of them are replayed). Each tick goes through the service container as the CLI,
the API and the worker call it (``services.portfolios.tick``), one bar per tick, in one
process with its pooled connection; the first tick (which loads the candles and fills the
caches) is not timed. The benchmark prints the median and 99th percentile per tick (wall time),
the median and 99th percentile of this process's CPU time per tick (which a loaded machine
inflates less: flat means the long history costs what the short one does), and the same two
wall figures and the median CPU of the ticks that wrote events (an order, a fill or a signal:
about 40 of 200 here, the ticks the p99 comes from). The p99 of 198 ticks is their third
slowest, a figure one scheduling delay moves: ``--repeat N`` runs each case N times
(interleaved rounds, each in a fresh ledger) and prints the median of the runs' figures too,
which is what ``bench_peers.py``'s live-tick rows report (the median of their ``--repeat``
rounds). ``--warm-up N`` first ticks N bars of another portfolio with the same settings in the
same process, untimed: the first tick with an order, a fill or a closed position compiles those
statements (SQLAlchemy's compiled cache, once per process), 15-25 ms of CPU that a process
running for days pays once, and that a run of 198 ticks otherwise counts among its slowest
three. PostgreSQL is the server at ``DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), in a fresh schema dropped afterwards.

``--statements`` also prints the SQL statements one tick sends (the median count, and the
statements of the last timed tick with ``--show-statements``): every cursor execution of the
ledger's engine, reads before the tick's transaction included, a ``BEGIN`` included, a commit
not (a DB-API call, not a statement).

``--histories 2900,40000,288000`` compares a short, the bundled and a long history (beyond the
bundled 40,832 candles the file is preceded by copies of its prices on earlier hours). ``--profile
FILE.prof`` also writes a cProfile of the timed ticks of the last run (read it with
``python -m pstats FILE.prof``).
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import event

from bench_streams import database_url
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.data import find_bundled
from paperdesk.domain.ticks import TickStatus
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database

STRATEGIES = ("macd-cross", "tsi-momentum", "rsi-divergence")


def candles(directory: Path, rows: int, ticks: int) -> tuple[Path, date]:
    """A CSV of the last ``rows`` bundled SPY hourly candles and the replay's first day (the
    first day holding the last ``ticks`` candles). Beyond the 40,832 bundled candles, earlier
    copies of them are put before (``extended``)."""
    lines = find_bundled("SPY", "1h").read_text().splitlines()
    header, body = lines[0], extended(lines[1:], rows)[-rows:]
    path = directory / f"spy_{rows}.csv"
    path.write_text("\n".join([header, *body]) + "\n")
    return path, date.fromisoformat(body[-ticks][:10])


def extended(body: list[str], rows: int) -> list[str]:
    """At least ``rows`` candles: ``body`` preceded by as many more as needed, copies of its
    prices on consecutive earlier hours (made-up times, every hour of every day; the loader
    takes times from 1900 on, so real session hours would not fit 288,000 candles)."""
    missing = rows - len(body)
    if missing <= 0:
        return body
    first = datetime.fromisoformat(body[0].split(",", 1)[0])
    earlier = []
    for number in range(missing, 0, -1):
        rest = body[(missing - number) % len(body)].split(",", 1)[1]
        earlier.append(f"{first - timedelta(hours=number):%Y-%m-%dT%H:%M:%SZ},{rest}")
    return earlier + body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Measured(NamedTuple):
    """The timed ticks: wall and CPU milliseconds each, and whether it wrote events."""

    times: list[float]
    cpu: list[float]
    busy: list[bool]  # an order, a fill or a signal


def measure(
    url: str,
    rows: int,
    ticks: int,
    work: Path,
    profile: cProfile.Profile | None,
    statements: list[list[str]] | None = None,
    warm_up: int = 0,
) -> Measured:
    path, start = candles(work, rows, ticks)
    settings = RunConfig(
        strategies=tuple(StrategySpec(name) for name in STRATEGIES),
        symbols=("SPY",),
        timeframe="1h",
        source=SourceConfig(kind="replay", files={"SPY": str(path)}, replay_from=start),
    )
    database = Database(url)
    services = Services(Settings(), database=database)
    portfolios = services.portfolios
    if warm_up:  # another portfolio's ticks, untimed: the process's one-time costs
        other = portfolios.create_portfolio("warm-up", Decimal(100_000), settings=settings)
        for _ in range(warm_up):
            portfolios.tick(other, "SPY")
    portfolio = portfolios.create_portfolio("bench", Decimal(100_000), settings=settings)
    portfolios.tick(portfolio, "SPY")  # loads the candles: not timed
    sent: list[str] = []
    if statements is not None:
        event.listen(database.engine, "before_cursor_execute", _counter(sent))
    measured = Measured([], [], [])
    for _ in range(ticks - 2):
        sent.clear()
        with profile or nullcontext():
            began, began_cpu = time.perf_counter(), time.process_time()
            report = portfolios.tick(portfolio, "SPY")
            measured.times.append((time.perf_counter() - began) * 1000)
            measured.cpu.append((time.process_time() - began_cpu) * 1000)
        last = report[-1]
        if last.status is not TickStatus.PROCESSED:
            raise SystemExit(f"tick not processed: {last.message}")
        measured.busy.append(bool(last.orders or last.fills or last.signals))
        if statements is not None:
            statements.append(list(sent))
    services.close()
    database.close()
    return measured


def _counter(sent: list[str]) -> Callable[..., None]:
    def count(
        _connection: object,
        _cursor: object,
        statement: str,
        _parameters: object,
        _context: object,
        executemany: bool,
    ) -> None:
        sent.append(("executemany: " if executemany else "") + " ".join(statement.split()))

    return count


def figures(measured: Measured, sent: Sequence[Sequence[str]]) -> dict[str, float]:
    """One run's figures: wall p50 and p99, CPU p50 and p99, the busy ticks' count, wall p50
    and p99 and CPU p50, and the median statement counts (when counted)."""
    busy = [time for time, wrote in zip(measured.times, measured.busy, strict=True) if wrote]
    busy_cpu = [cpu for cpu, wrote in zip(measured.cpu, measured.busy, strict=True) if wrote]
    result = {
        "p50": statistics.median(measured.times),
        "p99": percentile(measured.times, 0.99),
        "cpu_p50": statistics.median(measured.cpu),
        "cpu_p99": percentile(measured.cpu, 0.99),
        "busy": len(busy),
        "busy_p50": statistics.median(busy) if busy else 0.0,
        "busy_p99": percentile(busy, 0.99) if busy else 0.0,
        "busy_cpu_p50": statistics.median(busy_cpu) if busy else 0.0,
    }
    if sent:
        result["statements"] = statistics.median(len(each) for each in sent)
        result["busy_statements"] = statistics.median(
            len(each) for each, wrote in zip(sent, measured.busy, strict=True) if wrote
        ) if busy else 0.0  # fmt: skip
    return result


def line(name: str, rows: int, ticks: int, found: dict[str, float], counting: bool) -> str:
    text = (
        f"{name:<11} {rows:>8} {ticks:>6} {found['p50']:>8.1f} {found['p99']:>8.1f} "
        f"{found['cpu_p50']:>8.1f} {found['cpu_p99']:>8.1f} {found['busy']:>5.0f} "
        f"{found['busy_p50']:>8.1f} {found['busy_p99']:>8.1f} {found['busy_cpu_p50']:>8.1f}"
    )
    if counting:
        text += f" {found['statements']:>6.0f} {found['busy_statements']:>6.0f}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--histories", default="500,40000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--warm-up", type=int, default=0)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--show-statements", action="store_true")
    args = parser.parse_args()
    counting = args.statements or args.show_statements
    print(
        f"{'database':<11} {'history':>8} {'ticks':>6} {'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8}"
        f" {'cpu p99':>8} {'busy':>5} {'busy p50':>8} {'busy p99':>8} {'busy cpu':>8}"
        + (f" {'stmts':>6} {'busy':>6}" if counting else "")
    )
    profile = cProfile.Profile() if args.profile else None
    cases = [
        (name, int(rows))
        for name in args.databases.split(",")
        for rows in args.histories.split(",")
    ]
    runs: dict[tuple[str, int], list[dict[str, float]]] = {case: [] for case in cases}
    for _ in range(args.repeat):
        for name, rows in cases:
            with tempfile.TemporaryDirectory() as folder, database_url(name, Path(folder)) as url:
                sent: list[list[str]] = []
                measured = measure(
                    url, rows, args.ticks, Path(folder), profile, sent if counting else None,
                    args.warm_up,
                )  # fmt: skip
            found = figures(measured, sent)
            runs[name, rows].append(found)
            print(line(name, rows, len(measured.times), found, counting), flush=True)
            if sent and args.show_statements:
                print("\n".join(f"    {text[:160]}" for text in sent[-1]), flush=True)
    if args.repeat > 1:
        print(f"median of {args.repeat} runs:")
        for (name, rows), found in runs.items():
            middle = {key: statistics.median(run[key] for run in found) for key in found[0]}
            print(line(name, rows, args.ticks - 2, middle, counting), flush=True)
    if profile is not None and args.profile is not None:
        profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
