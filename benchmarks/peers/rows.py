"""The comparisons of issue 14's table: what each row measures, its sides and its target."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peers.figures import Fact, Sample, Unit

Facts = dict[str, Fact]
Worker = Callable[[int, Path, argparse.Namespace], tuple[float, Facts]]
"""A side measured inside its own process: (size, work folder, options) -> (seconds, facts)."""


@dataclass(frozen=True)
class Side:
    label: str
    worker: str  # a key of WORKERS, or IMPORT_COMMAND / READ_CSV_COMMAND: a whole process


@dataclass(frozen=True)
class Verdict:
    """A row's target in the issue's words and whether a measured line meets it:
    check(paperdesk's figure, the peer's figure, paperdesk's sample)."""

    words: str
    check: Callable[[float, float, Sample], bool]


@dataclass(frozen=True)
class Row:
    key: str  # what ``--only`` names
    work: str  # the issue table's "work" column
    unit: Unit
    full_size: int
    quick_size: int
    ours: Side
    peers: tuple[Side, ...]
    target: Verdict
    prepared: str = ""  # what the parent writes first: "", "csv", "database"
    same_trades: bool = False  # compare the sides' trade counts and final equity
    fact: str = "p50_ms"  # the latency a milliseconds row reads
    postgres_only: bool = False  # runs only when DATABASE_URL names a PostgreSQL server


IMPORT_COMMAND = "command:paperdesk-data-import"
READ_CSV_COMMAND = "command:python-read-csv"  # python -c "import pandas; pandas.read_csv(...)"


def at_least_peer(_ours: float, _theirs: float, _sample: Sample) -> bool:
    return _ours >= _theirs


def times_peer(factor: float) -> Callable[[float, float, Sample], bool]:
    return lambda ours, theirs, _sample: ours >= factor * theirs


def within(factor: float) -> Callable[[float, float, Sample], bool]:
    return lambda ours, theirs, _sample: ours <= factor * theirs


def import_target(ours: float, theirs: float, sample: Sample) -> bool:
    return ours <= 3 * theirs and sample.peak_megabytes < 300


def tick_target(_ours: float, _theirs: float, sample: Sample) -> bool:
    return float(sample.facts["p50_ms"]) < 10 and float(sample.facts["p99_ms"]) < 20


VECTORBT = (Side("vectorbt (numba)", "vectorbt-numba"), Side("vectorbt (rust)", "vectorbt-rust"))
BACKTESTING = (Side("backtesting.py 0.6.6", "backtesting-sma"),)
BRACKET_PEER = (Side("backtesting.py 0.6.6", "backtesting-bracket"),)

ROWS: tuple[Row, ...] = (
    Row(
        "sma-fast",
        "SMA 10/20 cross, fast path",
        Unit.BARS_PER_SECOND,
        1_000_000,
        100_000,
        Side("paperdesk fast path", "paperdesk-fastpath"),
        VECTORBT,
        Verdict("at least vectorbt's speed", at_least_peer),
        same_trades=True,
    ),
    Row(
        "sma-event",
        "SMA 10/20 cross, event kernel",
        Unit.BARS_PER_SECOND,
        1_000_000,
        50_000,
        Side("paperdesk event kernel", "paperdesk-event"),
        BACKTESTING,
        Verdict("at least 1M bars/s", lambda ours, _theirs, _sample: ours >= 1_000_000),
        same_trades=True,
    ),
    Row(
        "bracket",
        "macd-cross, ATR stop and target, event kernel",
        Unit.BARS_PER_SECOND,
        200_000,
        20_000,
        Side("paperdesk event kernel", "paperdesk-bracket"),
        BRACKET_PEER,
        Verdict("at least 5x backtesting.py", times_peer(5)),
        same_trades=True,
    ),
    Row(
        "bracket-auto",
        "macd-cross, ATR stop and target, all-in at the fill, no cap, engine auto (the fast path)",
        Unit.BARS_PER_SECOND,
        200_000,
        20_000,
        Side("paperdesk simulate(), engine auto", "paperdesk-bracket-auto"),
        BRACKET_PEER,
        Verdict("at least 5x backtesting.py", times_peer(5)),
        same_trades=True,
    ),
    Row(
        "sma-default",
        "SMA 10/20 cross, DEFAULT RunConfig, simulate() engine auto (speed only: trades differ)",
        Unit.BARS_PER_SECOND,
        1_000_000,
        50_000,
        Side("paperdesk simulate(), defaults, engine auto", "paperdesk-sma-default"),
        (Side("backtesting.py 0.6.6, size=0.8, spread 5 bp", "backtesting-sma-default"),),
        Verdict("at least 5x backtesting.py", times_peer(5)),
    ),
    Row(
        "bracket-default",
        "macd-cross, ATR stop and target, DEFAULT RunConfig, simulate() engine auto (speed "
        "only: trades differ)",
        Unit.BARS_PER_SECOND,
        200_000,
        20_000,
        Side("paperdesk simulate(), defaults, engine auto", "paperdesk-bracket-default"),
        (Side("backtesting.py 0.6.6, size=0.8, spread 5 bp", "backtesting-bracket-default"),),
        Verdict("at least 5x backtesting.py", times_peer(5)),
    ),
    Row(
        "memory",
        "peak memory, macd-cross bracket backtest",
        Unit.MEGABYTES,
        1_000_000,
        50_000,
        Side("paperdesk event kernel", "paperdesk-bracket"),
        BRACKET_PEER,
        Verdict("under backtesting.py's peak", lambda ours, theirs, _sample: ours < theirs),
        same_trades=True,
    ),
    Row(
        "memory-auto",
        "peak memory, macd-cross bracket backtest, all-in at the fill, engine auto",
        Unit.MEGABYTES,
        1_000_000,
        50_000,
        Side("paperdesk simulate(), engine auto", "paperdesk-bracket-auto"),
        BRACKET_PEER,
        Verdict("under backtesting.py's peak", lambda ours, theirs, _sample: ours < theirs),
        same_trades=True,
    ),
    Row(
        "csv-import",
        "CSV import (SQLite ledger)",
        Unit.SECONDS,
        1_000_000,
        50_000,
        Side("paperdesk data import (process)", IMPORT_COMMAND),
        (
            Side("pandas.read_csv, pandas loaded (as first measured)", "read-csv"),
            Side(
                "python -c 'import pandas; pandas.read_csv' (process vs process)", READ_CSV_COMMAND
            ),
        ),
        Verdict("within 3x, peak under 300 MB", import_target),
        prepared="csv",
    ),
    Row(
        "csv-import-in-process",
        "CSV import in process (SQLite ledger)",
        Unit.SECONDS,
        1_000_000,
        50_000,
        Side("MarketDataService.import_file, modules loaded, ledger open", "import-in-process"),
        (
            Side(
                "pandas.read_csv in the same kind of process (in process vs in process)", "read-csv"
            ),
        ),
        Verdict("within 3x", within(3)),
        prepared="csv",
    ),
    Row(
        "load-sqlite",
        "bars from the database, SQLite",
        Unit.SECONDS,
        1_000_000,
        50_000,
        Side("paperdesk SqlBarStore.read_bars", "load-bars"),
        (Side("raw fetch of the same rows", "raw-fetch"),),
        Verdict("within 1.5x", within(1.5)),
        prepared="database",
    ),
    Row(
        "load-postgresql",
        "bars from the database, PostgreSQL",
        Unit.SECONDS,
        1_000_000,
        50_000,
        Side("paperdesk SqlBarStore.read_bars", "load-bars"),
        (Side("raw fetch of the same rows", "raw-fetch"),),
        Verdict("within 1.5x", within(1.5)),
        prepared="database",
        postgres_only=True,
    ),
    Row(
        "live-tick",
        "live tick, SQLite, 3 strategies, 1 symbol",
        Unit.MILLISECONDS,
        40_000,
        2_000,
        Side("paperdesk tick (p50)", "tick-sqlite"),
        (Side("one durable WAL commit (p50)", "commit-sqlite"),),
        Verdict("p50 under 10 ms, p99 under 20 ms", tick_target),
    ),
    Row(
        "live-tick-postgresql",
        "live tick, PostgreSQL, 3 strategies, 1 symbol",
        Unit.MILLISECONDS,
        40_000,
        2_000,
        Side("paperdesk tick (p50)", "tick-postgresql"),
        (Side("one durable commit (p50)", "commit-postgresql"),),
        Verdict("p50 under 10 ms, p99 under 20 ms", tick_target),
        postgres_only=True,
    ),
    Row(
        "tick-history",
        "live tick CPU, 40,000 vs 500 bars of history",
        Unit.MILLISECONDS,
        40_000,
        2_000,
        Side("paperdesk tick CPU (p50), long history", "tick-sqlite"),
        (Side("the same tick, 500 bars of history", "tick-sqlite-short"),),
        Verdict("flat (within 1.25x)", within(1.25)),
        fact="cpu_p50_ms",
    ),
)


def chosen(only: str, postgres: bool) -> tuple[Row, ...]:
    """The rows ``--only`` names (comma-separated keys; all when empty), less the PostgreSQL
    row when no server is given."""
    keys = {key.strip() for key in only.split(",") if key.strip()}
    unknown = keys - {row.key for row in ROWS}
    if unknown:
        names = ", ".join(row.key for row in ROWS)
        raise SystemExit(f"--only: unknown row {', '.join(sorted(unknown))} (rows: {names})")
    return tuple(
        row for row in ROWS if (not keys or row.key in keys) and (postgres or not row.postgres_only)
    )
