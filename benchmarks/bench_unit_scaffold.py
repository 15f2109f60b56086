"""CPU time of a unit of work's scaffolding on SQLite, against the unit itself (no HTTP).

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_unit_scaffold.py [--units 5000] [--orders 400]
        [--rounds 3]

Three loops on one SQLite ledger with a SPY portfolio (``bench_order_path.py``'s), the WAL's
sync replaced by a no-op (``WalSync`` with a sync that does nothing: the sync's kernel time is
shared by the server's group commit and would swamp the rest), round by round:

- ``empty unit``: ``Database.transaction`` whose block only asks its session for the
  connection (the writer queue, the ORM session, the pool's checkout, SQLAlchemy's ``BEGIN
  IMMEDIATE`` and COMMIT, the close and check-in, the commit's bookkeeping), per unit;
- ``driver``: the same ``BEGIN IMMEDIATE`` and ``COMMIT`` sent on one sqlite3 connection of the
  standard library, per unit: what a unit on a plain DB-API connection would still pay;
- ``order pair``: ``bench_order_path.py``'s loop (a resting buy limit order, then a cancel of
  the oldest once 25 rest), per order with its cancel: two units.

The difference of the first two, twice, is the most a unit of work on a plain DB-API
connection could save an order with its cancel (docs/live-speed.md, "Orders over HTTP,
seventeenth pass").
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_order_path import WARM, ledger, loop
from paperdesk.store.durability import WalSync
from paperdesk.store.prebuilt import unit_connection


def _no_sync(_descriptor: int) -> None:
    """The WAL's sync left out (see the module's docstring)."""


def per_call(work: Callable[[], object], count: int) -> float:
    """CPU microseconds per call of ``work`` over ``count`` calls."""
    began = time.process_time()
    for _ in range(count):
        work()
    return (time.process_time() - began) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"empty unit": [], "driver": [], "order pair": []}
    with (
        tempfile.TemporaryDirectory(prefix="bench-scaffold-") as folder,
        ledger("sqlite", Path(folder)) as (services, portfolio),
    ):
        database = services.database
        file = database.file
        if file is None:
            raise SystemExit("a SQLite file ledger is needed")
        database.wal_sync = WalSync(file, _no_sync)
        driver = sqlite3.connect(file, isolation_level=None, check_same_thread=False)

        def empty_unit() -> None:
            with database.transaction() as repository:
                session = repository.session_of(database)
                if session is not None:  # always: the unit's own session
                    unit_connection(session)  # as the unit's first prebuilt statement asks

        def driver_unit() -> None:
            driver.execute("BEGIN IMMEDIATE")
            driver.execute("COMMIT")

        resting: list[str] = []
        loop(services, portfolio, WARM, resting)
        try:
            for number in range(1, args.rounds + 1):
                figures["empty unit"].append(per_call(empty_unit, args.units))
                figures["driver"].append(per_call(driver_unit, args.units))
                pairs = per_call(lambda: loop(services, portfolio, 1, resting), args.orders)
                figures["order pair"].append(pairs)
                print(
                    f"round {number}: empty unit {figures['empty unit'][-1]:6.1f} us, driver "
                    f"{figures['driver'][-1]:5.1f} us per unit; order with its cancel "
                    f"{pairs / 1000:5.2f} ms (no sync)",
                    flush=True,
                )
        finally:
            driver.close()
    empty, bare = (statistics.median(figures[name]) for name in ("empty unit", "driver"))
    pair = statistics.median(figures["order pair"])
    print(
        f"medians: empty unit {empty:.1f} us, driver {bare:.1f} us per unit; an order with its "
        f"cancel {pair / 1000:.2f} ms, of it two units' scaffolding beyond the driver's "
        f"{2 * (empty - bare) / 1000:.3f} ms ({2 * (empty - bare) / pair * 100:.0f} %)"
    )


if __name__ == "__main__":
    main()
