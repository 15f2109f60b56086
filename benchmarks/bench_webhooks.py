"""Webhook delivery throughput: events per second from the outbox to local receivers.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_webhooks.py [--events 2000] [--webhooks 4] [--database URL]

It writes ``--events`` synthetic ``order.filled`` outbox entries for one portfolio (ten per
transaction, as ticks do), registers ``--webhooks`` webhooks pointing at HTTP receivers on
127.0.0.1 (a thread each, answering 200 at once), and times ``deliver_due`` until everything is
delivered: events delivered per second, and the dispatcher's median cost per event (one signed
POST and one cursor update in its own transaction). Receivers that answer slowly lower the rate
per webhook, not the others' (they are served side by side).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from paperdesk.service import Services
from paperdesk.service.webhook_delivery import WebhookDispatcher
from paperdesk.store import Database


class _Count(BaseHTTPRequestHandler):
    arrivals: list[float]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.arrivals.append(time.perf_counter())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _receiver() -> tuple[str, list[float], ThreadingHTTPServer]:
    arrivals: list[float] = []
    handler = type("Handler", (_Count,), {"arrivals": arrivals})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook", arrivals, server


def _publish(database: Database, portfolio: int, count: int) -> None:
    at = datetime.now(UTC)
    for start in range(0, count, 10):
        with database.transaction() as repository:
            for number in range(start, min(start + 10, count)):
                fill = {"price": "100.25", "quantity": "1", "fee": "0", "number": number}
                repository.writer.publish(portfolio, "order.filled", at, at, {"fill": fill})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--webhooks", type=int, default=4)
    parser.add_argument("--database", default=None, help="default: a new SQLite file")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-webhooks-")
    url = options.database or f"sqlite:///{Path(folder) / 'ledger.db'}"
    database = Database(url)
    services = Services(database=database)
    portfolio = services.portfolios.create_portfolio("bench", Decimal(10000))
    receivers = [_receiver() for _ in range(options.webhooks)]
    for hook_url, _, _ in receivers:
        services.webhooks.add(portfolio, hook_url, ["fills"])
    _publish(database, portfolio, options.events)
    dispatcher = WebhookDispatcher(database, batch=500)
    started = time.perf_counter()
    rounds: list[float] = []
    delivered = 0
    while True:
        round_start = time.perf_counter()
        report = dispatcher.deliver_due(datetime.now(UTC))
        if not report.webhooks:
            break
        delivered += report.delivered
        rounds.append((time.perf_counter() - round_start) / max(report.delivered, 1))
    elapsed = time.perf_counter() - started
    dispatcher.close()
    expected = options.events * options.webhooks
    arrived = sum(len(arrivals) for _, arrivals, _ in receivers)
    for _, _, server in receivers:
        server.shutdown()
    print(f"database: {database.describe()}")
    print(f"delivered {delivered} of {expected} events ({arrived} arrived) in {elapsed:.2f} s")
    print(f"{delivered / elapsed:,.0f} events/s over {options.webhooks} webhooks side by side")
    print(f"dispatcher cost per event, per round: median {statistics.median(rounds) * 1e3:.2f} ms")
    services.close()
    database.close()


if __name__ == "__main__":
    main()
