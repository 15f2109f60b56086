"""CPU time of one order with its cancel, in process (no HTTP), on SQLite and PostgreSQL.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_order_path.py [--orders 400] [--rounds 3]
        [--databases sqlite,postgresql] [--profile FILE.prof]

The loop is what the API's order routes ask of the service container for
``bench_service.py``'s traffic, without the HTTP layer: a buy limit order far below the market
(it rests) on a SPY portfolio of bundled bars, through ``services.portfolios`` as the API's
routes call it (no read before the write: the routes check the portfolio and the order only
when a write is refused), and once 25 orders rest, a cancel of the oldest. One thread, one
process, its pooled connections; the first 30 orders (which load the bars and fill the
caches) are not timed. It first prints the statements one order with its cancel sends (BEGIN
and COMMIT counted). Each round prints the
process's CPU time (user + system) per order with its cancel and the wall time per pair; the
summary line gives their medians over the rounds (the rounds of the databases interleave, so
a change of the machine's load touches both alike). PostgreSQL is the server at
``DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``), in a fresh schema
dropped afterwards. ``--profile FILE.prof`` writes a cProfile of the timed loops.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import event

from bench_streams import database_url
from paperdesk.config import RunConfig
from paperdesk.domain import OrderType, Side
from paperdesk.service import Services
from paperdesk.service.order_requests import OrderRequest
from paperdesk.settings import Settings
from paperdesk.store import Database

RESTING = 25  # working orders kept before the oldest is canceled (as bench_service.py)
WARM = 30
ORDER = OrderRequest(
    symbol="SPY",
    side=Side.BUY,
    quantity=Decimal(1),
    order_type=OrderType.LIMIT,
    limit_price=Decimal(50),
    reason="api order",
)


@contextmanager
def ledger(name: str, work: Path) -> Iterator[tuple[Services, int]]:
    """A container on an empty ledger of database ``name`` with a SPY portfolio."""
    with database_url(name, work) as url:
        database = Database(url)
        services = Services(Settings(), database=database)
        try:
            portfolio = services.portfolios.create_portfolio(
                "bench", Decimal(100_000_000), settings=RunConfig(symbols=("SPY",))
            )
            yield services, portfolio
        finally:
            services.close()
            database.close()


def loop(services: Services, portfolio_id: int, orders: int, resting: list[str]) -> None:
    """``orders`` placements, each followed by a cancel once ``RESTING`` orders rest, as the
    API's routes make them."""
    portfolios = services.portfolios
    for _ in range(orders):
        placed = portfolios.place_order(portfolio_id, ORDER)
        resting.append(placed[0].order_id)
        if len(resting) >= RESTING:
            portfolios.cancel_order(portfolio_id, resting.pop(0))


def count_statements(services: Services, portfolio_id: int, pairs: int = 10) -> int:
    """Statements (cursor executions, BEGIN and COMMIT included) per order with its cancel."""
    resting: list[str] = []
    loop(services, portfolio_id, RESTING, resting)
    sent: list[str] = []

    def count(*_arguments: object) -> None:
        sent.append("statement")

    engine = services.database.engine
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "commit", count)
    event.listen(engine, "begin", count)
    try:
        loop(services, portfolio_id, pairs, resting)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "commit", count)
        event.remove(engine, "begin", count)
    for order_id in resting:
        services.portfolios.cancel_order(portfolio_id, order_id)
    return round(len(sent) / pairs)


def measure(
    services: Services, portfolio_id: int, orders: int, profile: cProfile.Profile | None
) -> tuple[float, float]:
    """(CPU ms, wall ms) per order with its cancel, over ``orders`` orders."""
    resting: list[str] = []
    loop(services, portfolio_id, RESTING, resting)  # a full book: every order has a cancel
    with profile or nullcontext():
        began, began_cpu = time.perf_counter(), time.process_time()
        loop(services, portfolio_id, orders, resting)
        wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    for order_id in resting:
        services.portfolios.cancel_order(portfolio_id, order_id)
    return cpu / orders * 1000, wall / orders * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    names = args.databases.split(",")
    profile = cProfile.Profile() if args.profile else None
    cpu: dict[str, list[float]] = {name: [] for name in names}
    wall: dict[str, list[float]] = {name: [] for name in names}
    with ExitStack() as stack:
        ledgers = {}
        for name in names:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            services, portfolio = stack.enter_context(ledger(name, folder))
            resting: list[str] = []
            loop(services, portfolio, WARM, resting)  # loads the bars, fills the caches
            for order_id in resting:
                services.portfolios.cancel_order(portfolio, order_id)
            ledgers[name] = (services, portfolio)
            print(
                f"{name:<10} {count_statements(services, portfolio)} statements per order with "
                "its cancel (BEGIN and COMMIT counted)",
                flush=True,
            )
        for number in range(1, args.rounds + 1):
            for name, (services, portfolio) in ledgers.items():
                cpu_ms, wall_ms = measure(services, portfolio, args.orders, profile)
                cpu[name].append(cpu_ms)
                wall[name].append(wall_ms)
                print(
                    f"round {number} {name:<10} CPU {cpu_ms:6.2f} ms  wall {wall_ms:6.2f} ms "
                    f"per order with its cancel   load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    for name in names:
        print(
            f"{name:<10} median CPU {statistics.median(cpu[name]):6.2f} ms, wall "
            f"{statistics.median(wall[name]):6.2f} ms per order with its cancel "
            f"({args.rounds} rounds of {args.orders})"
        )
    if profile is not None and args.profile is not None:
        profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
