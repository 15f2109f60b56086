"""Tick time against the length of a portfolio's stored history, on SQLite and PostgreSQL.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_restore.py [--fills 0,1000,10000] [--ticks 50]
        [--databases sqlite,postgresql] [--save after.json] [--compare before.json]

A replay portfolio with three strategies on SPY (macd-cross, sma-cross, rsi-divergence; 400
daily candles of the bundled SPY file, the last 100 replayed) already holds 0, 1,000 or 10,000
stored fills; the benchmark times 50 ticks (after one untimed tick that loads the candles) and
reports the median and 95th percentile. Every tick restores the portfolio in its transaction, so
the tick time shows what a restore costs. PostgreSQL is the server at ``DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), in a fresh schema dropped afterwards; it is
skipped with a message when unreachable.

How the history is seeded, fast and through the real write path: a fresh portfolio with the
benchmark's settings is exported (``paperdesk export``'s files), its orders.csv and fills.csv are
given N fills (N/2 round trips of one share at consecutive bundled SPY closes, 0.1% fee, flat at
the end) and state.json the matching totals, and the result is imported
(``service.imports.import_portfolio``): the fills are checked against an exact ledger and written
in one transaction, as any imported portfolio is (with a ledger checkpoint, since 927c23a).

Before and after: the script also runs against commit 21c6a41, where every tick replayed every
stored fill. The only code that differs is the run description, built in the section "Before
927c23a" when ``paperdesk.config`` is missing. For example:

    git worktree add /tmp/pd-before 21c6a41
    uv venv /tmp/pd-before/.venv && uv pip install --python /tmp/pd-before/.venv/bin/python \\
        -e /tmp/pd-before
    /tmp/pd-before/.venv/bin/python benchmarks/bench_restore.py --save /tmp/before.json
    .venv/bin/python benchmarks/bench_restore.py --compare /tmp/before.json
    git worktree remove /tmp/pd-before
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
STRATEGIES = ("macd-cross", "sma-cross", "rsi-divergence")
STARTING_CASH = Decimal(100_000)
HISTORY_ROWS = 400  # candles in the replayed file
REPLAYED = 100  # of which the last ones are served one per tick
FEE_RATE = Decimal("0.001")
FEE_PLACES = Decimal("0.0001")
SEED_START = datetime(2010, 1, 4, 14, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Measurement:
    database: str
    stored_fills: int
    ticks: int
    p50_ms: float
    p95_ms: float
    fills_after: int


# ------------------------------------------------------------------------ run description


def replay_settings(path: Path, replay_from: date) -> Any:
    """The benchmark portfolio's run description in the API of the paperdesk installed."""
    try:
        from paperdesk.config import RunConfig, SourceConfig, StrategySpec
    except ImportError:
        return _settings_before_927c23a(path, replay_from)
    return RunConfig(
        strategies=tuple(StrategySpec(name=name) for name in STRATEGIES),
        symbols=("SPY",),
        source=SourceConfig(kind="replay", files={"SPY": str(path)}, replay_from=replay_from),
    )


# ----------------------------------------------------------------------- Before 927c23a


def _settings_before_927c23a(path: Path, replay_from: date) -> Any:
    """The same run description in the API of commit 21c6a41 (``PortfolioSettings``)."""
    from paperdesk.live import (  # type: ignore[attr-defined]
        PortfolioSettings,
        SourceSettings,
        StrategySpec,
    )

    return PortfolioSettings(
        strategies=tuple(StrategySpec(name=name) for name in STRATEGIES),
        symbols=("SPY",),
        source=SourceSettings(kind="replay", files={"SPY": str(path)}, replay_from=replay_from),
    )


def api_name() -> str:
    try:
        import paperdesk.config  # noqa: F401
    except ImportError:
        return "before (21c6a41: every tick replays every fill)"
    return "after (checkpoint plus the fills after it)"


# ------------------------------------------------------------------------------ history


def spy_candles(directory: Path) -> tuple[Path, date, list[Decimal]]:
    """A CSV of HISTORY_ROWS bundled SPY candles, the first replayed day, and their closes."""
    from paperdesk.data import find_bundled

    lines = find_bundled("SPY", "1d").read_text().splitlines()
    header, rows = lines[0], lines[-HISTORY_ROWS:]
    path = directory / "spy.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    first_replayed = date.fromisoformat(rows[-REPLAYED][:10])
    closes = [Decimal(row.split(",")[4]) for row in rows]
    return path, first_replayed, closes


def add_history(directory: Path, fills: int, closes: list[Decimal]) -> None:
    """Give an export of a fresh portfolio ``fills`` fills (round trips of one share) and the
    totals they make, so that importing it stores that history."""
    assert fills % 2 == 0, "round trips: an even number of fills"
    state_path = directory / "state.json"
    state = json.loads(state_path.read_text())
    realized = fees = Decimal(0)
    with (
        (directory / "orders.csv").open("a", newline="") as orders_file,
        (directory / "fills.csv").open("a", newline="") as fills_file,
    ):
        orders, fills_out = csv.writer(orders_file), csv.writer(fills_file)
        for number in range(1, fills + 1):
            buying = number % 2 == 1
            price = closes[(number // 2) % len(closes)]
            fee = (price * FEE_RATE).quantize(FEE_PLACES)
            at = (SEED_START + timedelta(minutes=number)).isoformat()
            order_id = f"O{number}"
            side, role = ("buy", "entry") if buying else ("sell", "exit")
            orders.writerow(
                [order_id, order_id, "SPY", side, "market", "1", "", "", "gtc", role, "", "",
                 "filled", "1", price, "false", "", "seed", "seeded history", at, at, "", at]
            )  # fmt: skip
            fills_out.writerow(
                [number, order_id, "SPY", side, "1", price, fee, "0", price, at, "seed",
                 "seeded history"]
            )  # fmt: skip
            realized += -price if buying else price
            fees += fee
    cash = Decimal(state["cash"]) + realized - fees
    state["cash"] = str(cash)
    state["totals"].update(
        equity=str(cash),
        realized_pnl=str(realized),
        fees_paid=str(fees),
        orders=fills,
        fills=fills,
        trades=fills // 2,
    )
    state_path.write_text(json.dumps(state, indent=2))
    _reseal(directory)


def _reseal(directory: Path) -> None:
    """Make MANIFEST.json (exports since it exists) vouch for the edited files."""
    manifest_path = directory / "MANIFEST.json"
    if not manifest_path.exists():
        return
    from paperdesk.service.export_manifest import manifest_bytes

    manifest = json.loads(manifest_path.read_text())
    files = {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path != manifest_path
    }
    created = datetime.fromisoformat(manifest["created_at"])
    manifest_path.write_bytes(manifest_bytes(manifest["portfolio_id"], created, files))


# ---------------------------------------------------------------------------- measuring


def measure(url: str, label: str, fills: int, ticks: int, work: Path) -> Measurement:
    from paperdesk.service.exports import export_portfolio
    from paperdesk.service.imports import import_portfolio
    from paperdesk.service.portfolios import PortfolioService
    from paperdesk.store import Database

    candles, replay_from, closes = spy_candles(work)
    database = Database(url)
    try:
        service = PortfolioService(database)
        settings = replay_settings(candles, replay_from)
        fresh = service.create_portfolio("template", STARTING_CASH, settings=settings)
        export = work / f"export-{fills}"
        export_portfolio(database, fresh, export)
        add_history(export, fills, closes)
        pid = import_portfolio(database, export, name=f"{fills} fills").portfolio_id
        assert len(service.fills(pid)) == fills
        service.tick(pid, "SPY")  # untimed: loads and caches the candles
        elapsed: list[float] = []
        for _ in range(ticks):
            started = time.perf_counter()
            (tick,) = service.tick(pid, "SPY")
            elapsed.append(time.perf_counter() - started)
            assert tick.status.value == "processed", tick.message
        after = len(service.fills(pid))
    finally:
        database.close()
    return Measurement(
        label, fills, ticks, _percentile(elapsed, 50), _percentile(elapsed, 95), after
    )


def _percentile(values: list[float], percent: int) -> float:
    """The ``percent``-th percentile in milliseconds (linear between the measured ticks)."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return round(1000 * cuts[percent - 1], 1)


@contextmanager
def database_urls(names: list[str], work: Path) -> Iterator[list[tuple[str, str]]]:
    """(label, URL) per database asked for; PostgreSQL in a fresh schema, or skipped."""
    urls: list[tuple[str, str]] = []
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = None
    if "sqlite" in names:
        urls.append(("sqlite", f"sqlite:///{work / 'ledger.db'}"))
    if "postgresql" in names:
        configured = os.environ.get("DATABASE_URL", "")
        server = make_url(configured if configured.startswith("postgresql") else DEFAULT_POSTGRES)
        server = server.set(drivername="postgresql+psycopg")
        try:
            admin = create_engine(server, connect_args={"connect_timeout": 3})
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as error:  # any failure to connect: no server to measure on
            print(f"PostgreSQL skipped: {server.render_as_string()} is unreachable ({error})")
            admin = None
        else:
            scoped = server.update_query_dict({"options": f"-csearch_path={schema}"})
            urls.append(("postgresql", scoped.render_as_string(hide_password=False)))
    try:
        yield urls
    finally:
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


# ------------------------------------------------------------------------------- report


def print_table(results: list[Measurement], before: list[Measurement], ticks: int) -> None:
    print(f"\nTick time over {ticks} ticks, 3 strategies on one symbol ({api_name()})")
    earlier = {(m.database, m.stored_fills): m for m in before}
    header = f"{'database':<11} {'stored fills':>12} {'p50 ms':>8} {'p95 ms':>8}"
    if earlier:
        header += f" {'before p50':>11} {'before p95':>11}"
    print(header)
    print("-" * len(header))
    for m in results:
        line = f"{m.database:<11} {m.stored_fills:>12,} {m.p50_ms:>8.1f} {m.p95_ms:>8.1f}"
        old = earlier.get((m.database, m.stored_fills))
        if old is not None:
            line += f" {old.p50_ms:>11.1f} {old.p95_ms:>11.1f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fills", default="0,1000,10000", help="stored fills, comma-separated")
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--save", type=Path, help="write the measurements to this JSON file")
    parser.add_argument("--compare", type=Path, help="a saved run shown beside this one")
    arguments = parser.parse_args()
    counts = [int(value) for value in arguments.fills.split(",")]
    names = arguments.databases.split(",")
    before = []
    if arguments.compare is not None:
        document = json.loads(arguments.compare.read_text())
        before = [Measurement(**item) for item in document["measurements"]]
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="bench-restore-") as scratch:
        work = Path(scratch)
        os.environ["PAPERDESK_HOME"] = str(work / "home")  # caches stay in the scratch space
        with database_urls(names, work) as urls:
            for label, url in urls:
                for count in counts:
                    result = measure(url, label, count, arguments.ticks, work)
                    print(f"{label:<11} {count:>6} fills: p50 {result.p50_ms} ms", flush=True)
                    results.append(result)
    print_table(results, before, arguments.ticks)
    if arguments.save is not None:
        document = {"api": api_name(), "measurements": [asdict(m) for m in results]}
        arguments.save.write_text(json.dumps(document, indent=2) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
