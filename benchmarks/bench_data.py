"""Market-data storage: load 1,000,000 one-minute bars from the Parquet cache and the database.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_data.py [--bars 1000000] [--database-url URL] [--repeat 3]

Generates synthetic one-minute bars (prices with two decimals, like real quotes), writes them to
a Parquet cache in a temporary directory (one file per month) and to a database: a temporary
SQLite file by default, PostgreSQL when ``DATABASE_URL`` or ``--database-url`` names one (in a
temporary schema, dropped afterwards). It then times loading every bar back into the loader's
frame from each, best of ``--repeat`` runs, and checks both give the bars written; and the same
rows fetched raw from the database. Targets: under 0.5 s from Parquet; loading from the database
within 1.5x of the raw fetch. Last, ``paperdesk data import`` of the bars written as a CSV file
(a fresh process and ledger) against ``pandas.read_csv`` of that file: within 3x, peak memory
under 300 MB (issue 14). ``--import-only`` runs that comparison alone; ``--noisy-prices`` leaves
float noise in the high and low columns (``19999.879999999997``: 17-digit cells, each looked
at by the import's digit check) to measure that case.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.store import Database, SqlBarStore, normalise_url

SYMBOL, TIMEFRAME = "BTCUSD", "1m"
PRICES = ["open", "high", "low", "close", "volume"]


def synthetic_bars(rows: int, seed: int = 7, *, noisy: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2023-01-01", periods=rows, freq="1min", tz="UTC", name="ts")
    close = np.round(20_000 + np.cumsum(rng.normal(0, 5, rows)), 2)
    open_ = np.round(np.concatenate([[close[0]], close[:-1]]), 2)
    spread = np.round(np.abs(rng.normal(0, 3, rows)), 2)
    digits = None if noisy else 2  # the sums below carry float noise unless rounded
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": _rounded(np.maximum(open_, close) + spread, digits),
            "low": _rounded(np.minimum(open_, close) - spread, digits),
            "close": close,
            "volume": np.round(rng.uniform(0, 50, rows), 4),
        },
        index=index.as_unit("ns"),
    )
    frame["ts_close"] = pd.DatetimeIndex(frame.index) + pd.Timedelta(minutes=1)
    return frame


def _rounded(values: np.ndarray, digits: int | None) -> np.ndarray:
    return values if digits is None else np.round(values, digits)


def timed(
    action: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, Any]:
    """The best of ``repeat`` runs of ``action`` by ``clock`` (wall time; CPU time with
    ``time.process_time``) and its result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = clock()
        result = action()
        best = min(best, clock() - started)
    return best, result


def line(label: str, seconds: float, rows: int) -> None:
    print(f"  {label:<34} {seconds:8.3f} s   {rows / seconds:>12,.0f} rows/s")


def postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    scoped = make_url(normalise_url(url)).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), drop


def raw_fetch(database: Database) -> int:
    """The series as the database hands it over, the floor for loading: its rows of ``bars``
    as plain DB-API tuples and its blocks' payloads (``bar_blocks``) as bytes, not decoded."""
    with database.engine.connect() as connection:
        where = "WHERE symbol = 'BTCUSD' AND timeframe = '1m'"
        cursor = connection.exec_driver_sql(f"SELECT * FROM bars {where} ORDER BY ts").cursor
        found = len(cursor.fetchall())
        if database.engine.dialect.has_table(connection, "bar_blocks"):
            query = f"SELECT rows, payload FROM bar_blocks {where} ORDER BY month"
            found += sum(row[0] for row in connection.exec_driver_sql(query).cursor.fetchall())
        return found


def run_measured(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Run ``command``; its peak resident memory in MB and its CPU seconds (user and system,
    from ``os.wait4``). The peak is read from ``/proc/PID/status`` (``VmHWM``, the peak of the
    program after ``exec``) while it runs: the child's ``ru_maxrss`` also counts this
    benchmark's own memory, which the child shares until it execs the command (measured
    600 MB for any import). Elsewhere, ``ru_maxrss`` it is."""
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    status_file, peak = Path(f"/proc/{process.pid}/status"), 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        try:
            found = [row for row in status_file.read_text().splitlines() if row.startswith("VmHWM")]
        except OSError:
            found = []
        if found:
            peak = max(peak, int(found[0].split()[1]) / 1024)
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return peak or usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def write_csv(frame: pd.DataFrame, directory: Path) -> Path:
    """The bars as the CSV file ``paperdesk data import`` reads (``BTCUSD_1m.csv``)."""
    path = directory / "BTCUSD_1m.csv"
    written = frame[PRICES].copy()
    written.index = written.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    written.to_csv(path, index_label="timestamp")
    return path


def import_command(path: Path) -> list[str]:
    """``paperdesk data import`` of the file ``write_csv`` wrote (the ledger is the process's
    ``DATABASE_URL``)."""
    command = [str(Path(sys.executable).parent / "paperdesk"), "data", "import", str(path)]
    return [*command, "--symbol", "BTCUSD", "--timeframe", "1m", "--asset-class", "crypto"]


def csv_import(frame: pd.DataFrame, directory: Path, server: str, repeat: int) -> None:
    """``paperdesk data import`` of the bars as a CSV file against ``pandas.read_csv`` of the
    same file, three ways (each import on a fresh ledger: a new SQLite file, or a new
    PostgreSQL schema when ``server`` names one):

    - as the issue first measured it: the import a fresh process, ``read_csv`` timed in this
      process, whose pandas is already imported (not like for like: the import pays the
      interpreter, pandas' import and its own modules);
    - whole process against whole process: ``python -c "import pandas;
      pandas.read_csv(path)"`` as a fresh process too;
    - in process against in process: the import's own work (``MarketDataService.
      import_file``, the modules loaded and the ledger open, after a 10-row import) against
      ``read_csv`` in that same process.

    The import's peak memory is the whole process's."""
    path = write_csv(frame, directory)
    print(f"CSV import of {len(frame):,} rows ({path.stat().st_size / 1e6:.0f} MB)")
    read, _ = timed(lambda: pd.read_csv(path), repeat)
    read_cpu, _ = timed(lambda: pd.read_csv(path), repeat, clock=time.process_time)
    line("pandas.read_csv", read, len(frame))
    seconds, cpu, peak = _in_fresh_ledger(import_command(path), directory, server, "import")
    line("paperdesk data import (process)", seconds, len(frame))
    where = " (this client's alone)" if server.startswith("postgres") else ""
    print("  [as first measured] the import's process against read_csv in this process:")
    print(f"    wall {seconds / read:.1f}x, CPU {cpu / read_cpu:.1f}x (import {cpu:.2f} s{where}, "
          f"read_csv {read_cpu:.2f} s, best of {repeat}); peak {peak:.0f} MB (< 300)")  # fmt: skip
    reading = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
    pandas_runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        _peak, pandas_cpu = run_measured(reading, dict(os.environ))
        pandas_runs.append((time.perf_counter() - started, pandas_cpu))
    pandas_wall, pandas_cpu = min(run[0] for run in pandas_runs), min(r[1] for r in pandas_runs)
    print(f"  [(a) process against process] python -c 'import pandas; pandas.read_csv(...)' "
          f"{pandas_wall:.2f} s wall, {pandas_cpu:.2f} s CPU (best of {repeat}):")  # fmt: skip
    print(f"    wall {seconds / pandas_wall:.1f}x, CPU {cpu / pandas_cpu:.1f}x (target <= 3x)")
    seconds, cpu, peak = _in_fresh_ledger(
        import_command(path), directory, server, "existing", migrated=True
    )
    print(f"  [(a) into an existing ledger] import {seconds:.2f} s wall, {cpu:.2f} s CPU, "
          f"peak {peak:.0f} MB: wall {seconds / pandas_wall:.1f}x, "
          f"CPU {cpu / pandas_cpu:.1f}x")  # fmt: skip
    child = [sys.executable, __file__, "--in-process", str(path), "--repeat", str(repeat)]
    _in_fresh_ledger(child, directory, server, "in-process", show=True)
    print(f"  load average (1, 5, 15 min): {', '.join(f'{load:.1f}' for load in os.getloadavg())}")


def _in_fresh_ledger(
    command: list[str],
    directory: Path,
    server: str,
    name: str,
    *,
    show: bool = False,
    migrated: bool = False,
) -> tuple[float, float, float]:
    """Run ``command`` on a fresh ledger (its own home; created and migrated before, untimed,
    when ``migrated``); wall and CPU seconds and peak MB."""
    url, cleanup = f"sqlite:///{directory / f'{name}.db'}", None
    if server.startswith("postgres"):
        url, cleanup = postgres_schema(server)
    if migrated:
        Database(url).close()
    home = str(directory / f"home-{name}")
    environment = {**os.environ, "PAPERDESK_HOME": home, "DATABASE_URL": url}
    started = time.perf_counter()
    try:
        if show:
            subprocess.run(command, env=environment, check=True)
            return time.perf_counter() - started, 0.0, 0.0
        peak, cpu = run_measured(command, environment)
    finally:
        if cleanup is not None:
            cleanup()
    return time.perf_counter() - started, cpu, peak


def in_process(path: Path, repeat: int) -> None:
    """(b): the import's own work in a process that has loaded its modules and opened the
    ledger (a 10-row import of another series first), against ``read_csv`` in it."""
    from paperdesk.cli.services import services

    service = services().market_data
    small = path.with_name("WARMUP_1m.csv")
    with path.open() as source:
        small.write_text("".join(source.readline() for _ in range(11)))
    service.import_file(small, "ETHUSD", "1m", asset_class="crypto")
    started, cpu_started = time.perf_counter(), time.process_time()
    service.import_file(path, "BTCUSD", "1m", asset_class="crypto")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    service.close()
    read, _ = timed(lambda: pd.read_csv(path), repeat)
    read_cpu, _ = timed(lambda: pd.read_csv(path), repeat, clock=time.process_time)
    print(f"  [(b) in process against in process] import {seconds:.2f} s wall, {cpu:.2f} s "
          f"CPU; read_csv {read:.2f} s wall, {read_cpu:.2f} s CPU (best of {repeat}):")  # fmt: skip
    print(f"    wall {seconds / read:.1f}x, CPU {cpu / read_cpu:.1f}x (target <= 3x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--import-only", action="store_true", help="only the CSV import")
    parser.add_argument("--noisy-prices", action="store_true", help="17-digit highs and lows")
    parser.add_argument("--in-process", type=Path, help=argparse.SUPPRESS)  # (b)'s child
    options = parser.parse_args(argv)
    if options.in_process is not None:
        in_process(options.in_process, options.repeat)
        return 0
    rows = options.bars

    frame = synthetic_bars(rows, noisy=options.noisy_prices)
    print(f"{rows:,} one-minute bars of {SYMBOL}, {frame.index[0]} to {frame.index[-1]}")
    with tempfile.TemporaryDirectory(prefix="paperdesk-bench-") as directory:
        if options.import_only:
            csv_import(frame, Path(directory), options.database_url, options.repeat)
            return 0
        cache = ParquetBarCache(Path(directory) / "cache")
        seconds, _ = timed(lambda: cache.write(frame, SYMBOL, TIMEFRAME, source="bench"), 1)
        files = cache.files(SYMBOL, TIMEFRAME)
        size = sum(path.stat().st_size for path in files) / 1e6
        print(f"Parquet cache: {len(files)} monthly files, {size:.1f} MB")
        line("write", seconds, rows)
        seconds, loaded = timed(lambda: cache.read(SYMBOL, TIMEFRAME), options.repeat)
        line("load all bars", seconds, rows)
        assert loaded[PRICES].equals(frame[PRICES]), "Parquet bars differ from those written"
        target = "met" if seconds < 0.5 else "MISSED"
        print(f"  target < 0.5 s from Parquet: {target}")

        url, cleanup = options.database_url, None
        if url.startswith("postgres"):
            url, cleanup = postgres_schema(url)
        elif not url:
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
        database = Database(url)
        try:
            store = SqlBarStore(database)
            print(f"Database: {database.describe()}")
            fetched = datetime.now(UTC)
            seconds, _ = timed(
                lambda: store.write_bars(
                    frame, symbol=SYMBOL, timeframe=TIMEFRAME, source="bench", fetched_at=fetched
                ),
                1,
            )
            line("write (one transaction, upsert)", seconds, rows)
            seconds, loaded = timed(lambda: store.read_bars(SYMBOL, TIMEFRAME), options.repeat)
            line("load all bars", seconds, rows)
            assert loaded[PRICES].equals(frame[PRICES]), "database bars differ from those written"
            raw, _ = timed(lambda: raw_fetch(database), options.repeat)
            line("raw fetch of the same rows", raw, rows)
            print(f"  load / raw fetch: {seconds / raw:.2f}x (target <= 1.5x)")
            csv_import(frame, Path(directory), options.database_url, options.repeat)
        finally:
            database.close()
            if cleanup is not None:
                cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
