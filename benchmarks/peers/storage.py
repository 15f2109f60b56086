"""The data sides: ``paperdesk data import`` against ``pandas.read_csv``, and loading bars from
the database against a raw fetch of the same rows. The files and tables are written once by
the parent (``prepare_*``); each side then runs in its own process on them. The functions are
``bench_data.py``'s own."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from bench_data import (
    SYMBOL,
    TIMEFRAME,
    import_command,
    postgres_schema,
    raw_fetch,
    synthetic_bars,
    write_csv,
)
from paperdesk.store import Database, SqlBarStore
from peers.figures import Fact

Facts = dict[str, Fact]


def prepare_csv(size: int, work: Path) -> Path:
    """``size`` one-minute bars written as the CSV file both sides read."""
    folder = work / f"csv-{size}"
    folder.mkdir(exist_ok=True)
    return write_csv(synthetic_bars(size), folder)


def import_side(path: Path, work: Path, run: int) -> tuple[list[str], dict[str, str]]:
    """The ``paperdesk data import`` command of run ``run`` and its environment: a fresh home
    and a fresh SQLite ledger each run (the issue's 34 s were measured on SQLite)."""
    home = work / f"import-home-{run}"
    environment = {
        **os.environ,
        "PAPERDESK_HOME": str(home),
        "DATABASE_URL": f"sqlite:///{work / f'import-{run}.db'}",
    }
    return import_command(path), environment


def import_in_process_side(path: Path, work: Path) -> tuple[float, Facts]:
    """The import's own work: ``MarketDataService.import_file`` in a process that has loaded
    its modules and opened a fresh ledger (a 10-row import of another series first)."""
    run = time.monotonic_ns()
    os.environ["PAPERDESK_HOME"] = str(work / f"in-process-home-{run}")
    os.environ["DATABASE_URL"] = f"sqlite:///{work / f'in-process-{run}.db'}"
    from paperdesk.cli.services import services

    service = services().market_data
    small = work / f"WARMUP-{run}_1m.csv"
    with path.open() as source:
        small.write_text("".join(source.readline() for _ in range(11)))
    service.import_file(small, "ETHUSD", "1m", asset_class="crypto")
    started, cpu = time.perf_counter(), time.process_time()
    report = service.import_file(path, "BTCUSD", "1m", asset_class="crypto")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    service.close()
    return seconds, {"rows": report.rows_written, "cpu_seconds": cpu}


def read_csv_side(path: Path) -> tuple[float, Facts]:
    started = time.perf_counter()
    frame = pd.read_csv(path)
    return time.perf_counter() - started, {"rows": len(frame)}


def prepare_database(size: int, work: Path, server: str) -> tuple[str, Callable[[], None]]:
    """``size`` bars written by ``SqlBarStore`` into a SQLite file in ``work`` (``server``
    empty) or a fresh PostgreSQL schema of ``server``; (its URL, what drops it)."""
    if server.startswith("postgres"):
        url, drop = postgres_schema(server)
    else:
        url, drop = f"sqlite:///{work / f'bars-{size}.db'}", lambda: None
    database = Database(url)
    try:
        SqlBarStore(database).write_bars(
            synthetic_bars(size),
            symbol=SYMBOL,
            timeframe=TIMEFRAME,
            source="bench",
            fetched_at=datetime.now(UTC),
        )
    finally:
        database.close()
    return url, drop


def load_side(url: str) -> tuple[float, Facts]:
    """``SqlBarStore.read_bars``: every bar of the series into the loader's frame (its wall
    time, and its CPU time as a fact: steadier on a shared machine)."""
    database = Database(url)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        frame = SqlBarStore(database).read_bars(SYMBOL, TIMEFRAME)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        return seconds, {"rows": len(frame), "cpu_seconds": cpu}
    finally:
        database.close()


def raw_fetch_side(url: str) -> tuple[float, Facts]:
    """The same rows as DB-API tuples (``bench_data.raw_fetch``): the floor for loading."""
    database = Database(url)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        rows = raw_fetch(database)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        return seconds, {"rows": rows, "cpu_seconds": cpu}
    finally:
        database.close()
