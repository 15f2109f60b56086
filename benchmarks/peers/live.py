"""The live tick (``bench_live_tick.measure``: three strategies on one symbol through the
service container) against the floor of one durable commit on the same database."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench_live_tick import measure, percentile
from bench_streams import database_url
from paperdesk.store import normalise_url
from peers.figures import Fact

Facts = dict[str, Fact]


def latencies(milliseconds: list[float]) -> Facts:
    return {
        "p50_ms": statistics.median(milliseconds),
        "p99_ms": percentile(milliseconds, 0.99),
        "ticks": len(milliseconds),
    }


def tick_side(database: str, history: int, ticks: int) -> tuple[float, Facts]:
    """``ticks`` live ticks of a replay portfolio whose symbol has ``history`` hourly bars;
    ``database`` is ``sqlite`` or ``postgresql`` (a fresh ledger either way)."""
    with tempfile.TemporaryDirectory() as folder, database_url(database, Path(folder)) as url:
        measured = measure(url, history, ticks, Path(folder), None)
    facts = latencies(measured.times)
    facts["cpu_p50_ms"] = statistics.median(measured.cpu)
    return float(facts["p50_ms"]) / 1000, facts


def commit_side(database: str, commits: int) -> tuple[float, Facts]:
    """``commits`` transactions of one small insert each on the ledger's settings (SQLite:
    WAL with ``synchronous=FULL``, as ``paperdesk.store`` opens it): one fsync's worth, the
    least a durable tick can cost."""
    with tempfile.TemporaryDirectory() as folder, database_url(database, Path(folder)) as url:
        engine = create_engine(normalise_url(url))
        times: list[float] = []
        with engine.connect() as connection:
            if database == "sqlite":
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
                connection.exec_driver_sql("PRAGMA synchronous=FULL")
            connection.execute(text("CREATE TABLE floor (id INTEGER PRIMARY KEY, note TEXT)"))
            connection.commit()
            for number in range(commits):
                started = time.perf_counter()
                connection.execute(
                    text("INSERT INTO floor (id, note) VALUES (:id, 'tick')"), {"id": number}
                )
                connection.commit()
                times.append((time.perf_counter() - started) * 1000)
        engine.dispose()
    facts = latencies(times)
    return float(facts["p50_ms"]) / 1000, facts
