"""paperdesk against its peers, every comparison of issue 14's table in one run.

Run on demand (not part of the test suite); the peers are an optional extra:

    .venv/bin/uv pip install --python .venv/bin/python -e '.[peers]'
    .venv/bin/python -W ignore benchmarks/bench_peers.py [--quick] [--only ROW[,ROW]]
        [--repeat 3] [--ticks 200] [--database-url postgresql://...] [--markdown]
        [--save SAMPLES.jsonl] [--from-saved SAMPLES.jsonl]

Rows (``--only`` keys): ``sma-fast`` (SMA 10/20 cross on 1M one-minute bars, the fast path
against vectorbt's ``Portfolio.from_signals`` on its numba and its rust engine), ``sma-event``
(the same on the event kernel against backtesting.py), ``bracket`` (macd-cross with an ATR
stop and target on 200k bars, event kernel against backtesting.py), ``bracket-auto`` (the
same run as a user calls ``simulate``, engine auto: the fast path, which takes brackets),
``sma-default`` and ``bracket-default`` (the SMA cross on 1M bars and the bracket run on 200k
with the DEFAULT ``RunConfig``, as a user's run has it: 80% of the equity sized at the signal,
the 80% exposure cap, 5 bp slippage, long only; against backtesting.py with ``size=0.8`` and a
5 bp spread: speed only, the trades differ, see ``peers.backtests.backtesting_default``),
``memory`` (the peak resident memory of that bracket backtest on 1M bars, each in its own
process), ``memory-auto`` (the same as a user calls ``simulate``, engine auto), ``csv-import``
(``paperdesk data import`` of a 1M-row CSV file into a SQLite ledger, the whole process,
against ``pandas.read_csv`` of the same file timed in a process that has imported pandas, as
first measured, and against ``python -c "import pandas; pandas.read_csv(...)"`` as a whole
process too), ``csv-import-in-process`` (the import's own work, ``MarketDataService.
import_file`` with the modules loaded and the ledger open, against ``read_csv``),
``load-sqlite`` and ``load-postgresql`` (1M bars from the database against a raw fetch of the
same bars: rows as tuples, column blocks as bytes; PostgreSQL when
``--database-url`` or ``DATABASE_URL`` names a server) and ``live-tick`` / ``tick-history``
(``bench_live_tick.py``'s tick on SQLite: p50 and p99 against one durable WAL commit, and its
CPU time with 40,000 bars of history against 500), ``live-tick-postgresql`` (the same tick on
the PostgreSQL server of ``DATABASE_URL``, against one durable commit there; only when a
server is named).

Every side of every row runs in a fresh process (``os.wait4`` gives that process's peak
resident memory, C allocations included), on seeded generated bars (the live tick on the
bundled SPY hourly bars). The runs are interleaved: ``--repeat`` rounds, each running every
side of every row once; the table shows the medians, the ratio paperdesk / peer in the row's
unit, the issue's target and whether it is met, and whether the backtests' trades agree.
``--quick`` runs small sizes (a smoke run of a few minutes; its figures mean little).
``--save FILE`` appends every sample to a JSON-lines file as it is measured, and
``--from-saved FILE`` prints the table from such a file (the rounds that finished, when a long
run was stopped).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from rich.console import Console
from rich.table import Table

from peers.figures import Sample, describe, median_sample, ratio, value
from peers.process import SideFailedError, run_command, run_worker, write_sample
from peers.rows import IMPORT_COMMAND, READ_CSV_COMMAND, ROWS, Row, Side, chosen

PEER_MODULES = {"vectorbt-numba": "vectorbt", "vectorbt-rust": "vectorbt_rust"}
PEER_MODULES.update(dict.fromkeys(("backtesting-sma", "backtesting-bracket"), "backtesting"))
INSTALL_HINT = (
    "install the peers with: .venv/bin/uv pip install --python .venv/bin/python -e '.[peers]'"
    "  (or pip install -e '.[peers]')"
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", default="", help="rows, comma-separated: " + row_keys())
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--ticks", type=int, default=0, help="live ticks (200; quick: 40)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument(
        "--save", type=Path, help="append each sample to this JSON-lines file as it is measured"
    )
    parser.add_argument(
        "--from-saved",
        type=Path,
        help="print the table of the samples a --save run wrote (with its --quick, --only)",
    )
    # one measured side in this process (what the parent runs)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--input", default="", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not options.ticks:
        options.ticks = 40 if options.quick else 200
    return options


def row_keys() -> str:
    return ", ".join(row.key for row in ROWS)


def work_as_worker(options: argparse.Namespace) -> int:
    from peers.workers import WORKERS

    seconds, facts = WORKERS[options.worker](options.size, options.work, options)
    write_sample(options.output, seconds, facts)
    return 0


def missing_peers(rows: tuple[Row, ...]) -> set[str]:
    needed = {PEER_MODULES.get(side.worker, "") for row in rows for side in row.peers}
    needed.discard("")
    return {name for name in needed if importlib.util.find_spec(name) is None}


def usable(row: Row, missing: set[str]) -> Row | None:
    """``row`` with the peers that are installed (None when none is)."""
    peers = tuple(side for side in row.peers if PEER_MODULES.get(side.worker, "") not in missing)
    if not peers:
        return None
    return Row(**{**row.__dict__, "peers": peers})


def prepare(
    rows: tuple[Row, ...], sizes: dict[str, int], work: Path, server: str, console: Console
) -> tuple[dict[str, str], list[Callable[[], None]]]:
    """Write what the data rows read (once): a row key -> its input, and what to drop after."""
    from peers.storage import prepare_csv, prepare_database

    inputs: dict[str, str] = {}
    cleanups: list[Callable[[], None]] = []
    for row in rows:
        size = sizes[row.key]
        started = time.perf_counter()
        if row.prepared == "csv":
            inputs[row.key] = str(prepare_csv(size, work))
        elif row.prepared == "database":
            url, drop = prepare_database(size, work, server if row.postgres_only else "")
            inputs[row.key] = url
            cleanups.append(drop)
        else:
            continue
        console.log(f"prepared {row.key}: {size:,} bars in {time.perf_counter() - started:.1f} s")
    return inputs, cleanups


def measure(
    row: Row, side: Side, size: int, work: Path, inputs: dict[str, str], run: int, ticks: int
) -> Sample:
    if side.worker == IMPORT_COMMAND:
        from peers.storage import import_side

        command, environment = import_side(Path(inputs[row.key]), work, run)
        return run_command(command, environment)
    if side.worker == READ_CSV_COMMAND:
        reading = f"import pandas; pandas.read_csv({inputs[row.key]!r})"
        return run_command([sys.executable, "-c", reading], dict(os.environ))
    arguments = ["--ticks", str(ticks)]
    if row.key in inputs:
        arguments += ["--input", inputs[row.key]]
    return run_worker(side.worker, size, work, arguments)


def agreement(row: Row, ours: Sample, theirs: Sample) -> str:
    if not row.same_trades:
        return ""
    our_trades, their_trades = ours.facts.get("trades"), theirs.facts.get("trades")
    our_equity = float(ours.facts.get("final_equity", 0.0))
    their_equity = float(theirs.facts.get("final_equity", 0.0))
    trades = (
        f"{float(our_trades or 0):,.0f} trades both"
        if our_trades == their_trades
        else f"trades {float(our_trades or 0):,.0f} vs {float(their_trades or 0):,.0f}"
    )
    if abs(our_equity - their_equity) < 0.005:
        return f"{trades}, final equity equal to the cent ({our_equity:,.2f})"
    return f"{trades}, final equity {our_equity:,.2f} vs {their_equity:,.2f}"


def details(row: Row, ours: Sample, theirs: Sample) -> str:
    """What the ratio does not say: the other latency, the other peak, deferred costs."""
    notes = [agreement(row, ours, theirs)]
    if row.key in ("sma-fast", "bracket-auto"):
        built = "objects and their reason strings" if row.key == "sma-fast" else "objects"
        notes.append(f"+{float(ours.facts['objects_seconds']):.2f} s {built} on first read")
        if "stats_cpu_seconds" in ours.facts:
            notes.append(
                f"+{float(ours.facts['stats_cpu_seconds']) * 1e3:.0f} ms CPU statistics on "
                "first read"
            )
        if "cpu_seconds" in ours.facts and "cpu_seconds" in theirs.facts:
            notes.append(
                f"CPU {float(ours.facts['cpu_seconds']) * 1e3:.0f} ms vs "
                f"{float(theirs.facts['cpu_seconds']) * 1e3:.0f} ms"
            )
    if row.key in ("load-sqlite", "load-postgresql"):
        ours_cpu, theirs_cpu = (float(side.facts["cpu_seconds"]) for side in (ours, theirs))
        notes.append(
            f"CPU {ours_cpu * 1e3:.0f} ms vs {theirs_cpu * 1e3:.0f} ms "
            f"({ours_cpu / theirs_cpu:.2f}x)"
        )
    if row.key in ("live-tick", "live-tick-postgresql", "tick-history"):
        notes.append(
            f"p99 {float(ours.facts['p99_ms']):.1f} ms vs {float(theirs.facts['p99_ms']):.1f} ms"
        )
    if row.key == "csv-import":
        notes.append(
            f"peak {ours.peak_megabytes:.0f} MB vs {theirs.peak_megabytes:.0f} MB (process)"
        )
    if row.key in ("memory", "memory-auto"):
        notes.append(f"{ours.seconds:.1f} s vs {theirs.seconds:.1f} s")
    return "; ".join(note for note in notes if note)


def report(
    rows: tuple[Row, ...],
    sizes: dict[str, int],
    samples: dict[tuple[str, str], list[Sample]],
    console: Console,
    markdown: bool,
) -> None:
    rounds = max((len(measured) for measured in samples.values()), default=0)
    table = Table(
        title=f"paperdesk against its peers (medians of {rounds} rounds; ratio = paperdesk / peer)"
    )
    for header in ("work", "size", "paperdesk", "peer", "peer figure", "ratio", "target", "met"):
        table.add_column(header, justify="right" if header in ("size", "ratio") else "left")
    table.add_column("notes")
    lines = [
        "| work | size | paperdesk | peer | ratio | target | met | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        size = sizes[row.key]
        our_samples = samples.get((row.key, row.ours.label), [])
        for peer in row.peers:
            measured = samples.get((row.key, peer.label), [])
            if not measured or not our_samples:
                table.add_row(row.work, f"{size:,}", "", peer.label, "", "", "", "not measured")
                continue
            ours, theirs = median_sample(our_samples), median_sample(measured)
            mine = value(ours, row.unit, size, row.fact)
            figure = value(theirs, row.unit, size, row.fact)
            times = ratio(mine, figure)
            met = row.target.check(mine, figure, ours)
            cells = (
                row.work,
                f"{size:,}",
                describe(mine, row.unit),
                peer.label,
                describe(figure, row.unit),
                f"{times:.2f}x",
                row.target.words,
                "met" if met else "MISSED",
                details(row, ours, theirs),
            )
            table.add_row(*cells[:-1], cells[-1], style=None if met else "yellow")
            lines.append(
                f"| {row.work} | {size:,} | {cells[2]} | {peer.label} {cells[4]} | {cells[5]} "
                f"| {cells[6]} | {cells[7]} | {cells[8]} |"
            )
    console.print(table)
    if markdown:
        console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def save(path: Path, row: Row, side: Side, run: int, sample: Sample) -> None:
    record = {"row": row.key, "side": side.label, "round": run + 1, **asdict(sample)}
    with path.open("a") as saved:
        saved.write(json.dumps(record) + "\n")


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.worker:
        return work_as_worker(options)
    console = Console(width=None if sys.stdout.isatty() else 220)
    rows = chosen(options.only, options.database_url.startswith("postgres"))
    missing = missing_peers(rows)
    if missing:
        console.print(f"[yellow]not installed: {', '.join(sorted(missing))}; {INSTALL_HINT}")
        rows = tuple(kept for row in rows if (kept := usable(row, missing)) is not None)
    sizes = {row.key: row.quick_size if options.quick else row.full_size for row in rows}
    load = os.getloadavg()
    console.log(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {options.repeat} interleaved rounds; "
        f"rows: {', '.join(row.key for row in rows)}"
    )
    samples: dict[tuple[str, str], list[Sample]] = {}
    if options.from_saved:
        for line in options.from_saved.read_text().splitlines():
            saved = json.loads(line)
            sample = Sample(saved["seconds"], saved["peak_megabytes"], saved["facts"])
            samples.setdefault((saved["row"], saved["side"]), []).append(sample)
        report(rows, sizes, samples, console, options.markdown)
        return 0
    failures = 0
    with tempfile.TemporaryDirectory(prefix="paperdesk-peers-") as folder:
        work = Path(folder)
        inputs, cleanups = prepare(rows, sizes, work, options.database_url, console)
        try:
            for run in range(options.repeat):
                for row in rows:
                    for side in (row.ours, *row.peers):
                        try:
                            sample = measure(
                                row, side, sizes[row.key], work, inputs, run, options.ticks
                            )
                        except SideFailedError as error:
                            failures += 1
                            console.print(f"[red]{row.key} / {side.label} failed: {error}")
                            continue
                        samples.setdefault((row.key, side.label), []).append(sample)
                        if options.save:
                            save(options.save, row, side, run, sample)
                        figure = value(sample, row.unit, sizes[row.key], row.fact)
                        console.log(
                            f"round {run + 1} {row.key:<15} {side.label:<38} "
                            f"{describe(figure, row.unit):>16}  {sample.seconds:8.3f} s  "
                            f"peak {sample.peak_megabytes:6.0f} MB"
                        )
        finally:
            for cleanup in cleanups:
                cleanup()
    report(rows, sizes, samples, console, options.markdown)
    load = os.getloadavg()
    console.log(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
