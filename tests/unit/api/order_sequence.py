"""The scripted order sequence of docs/live-speed.md's tenth to fifteenth passes, as a test
helper: on a fresh ledger, through the real application, a portfolio, 30 placements (every
fifth with a client order id), 10 cancels, a duplicate client order id, a modify, a second
cancel of a canceled order, a symbol the portfolio does not trade, an order too big for the
cash, a market order, an idempotent placement, its replay and the same key with another body,
then the order list. ``play`` returns the SHA-256 of every answer (status, body, the headers a
client reads) and then every row of every table but the API keys', wall-clock stamps set
aside; each request sends its own ``X-Request-ID``, so two runs of the same code on fresh
ledgers give the same digest."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any

from api_fixtures import API, Harness

LIMIT = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}
STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
TIMES = ("ts_submitted", "ts_updated", "ts_expire")
READ_HEADERS = ("content-type", "idempotent-replayed", "x-request-id", "allow", "retry-after")


def _timeless(value: Any) -> Any:
    """``value`` with wall-clock stamps (datetimes, and the answers' ``ts_`` fields) set aside."""
    if isinstance(value, datetime | date):
        return "<time>"
    if isinstance(value, dict):
        return {k: "<time>" if k in TIMES else _timeless(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_timeless(item) for item in value]
    return value


class _Recorder:
    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.answers: list[Any] = []

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        sent = {
            **self.harness.headers(self.harness.trader, **headers),
            "X-Request-ID": f"sequence-{len(self.answers)}",
        }
        response = self.harness.client.request(method, API + path, json=body, headers=sent)
        try:
            document = _timeless(response.json())
        except ValueError:
            document = response.text
        read = {name: response.headers.get(name) for name in READ_HEADERS}
        self.answers.append([method, path, response.status_code, document, read])
        return response


def play(harness: Harness) -> tuple[str, int, int]:
    """(the digest, answers, rows) of the scripted sequence on ``harness``'s fresh ledger."""
    portfolio = harness.create_portfolio(cash="10000")
    orders = f"/portfolios/{portfolio}/orders"
    run = _Recorder(harness)
    placed = []
    for number in range(30):
        body = dict(LIMIT)
        if number % 5 == 0:
            body["client_order_id"] = f"sequence-{number}"
        placed.append(run.send("POST", orders, body).json()["orders"][0]["order_id"])
    for order_id in placed[:10]:
        run.send("DELETE", f"{orders}/{order_id}")
    run.send("POST", orders, {**LIMIT, "client_order_id": "sequence-5"})
    run.send("PATCH", f"{orders}/{placed[10]}", {"limit_price": "49.5"})
    run.send("DELETE", f"{orders}/{placed[0]}")
    run.send("POST", orders, {**LIMIT, "symbol": "QQQ"})
    run.send("POST", orders, {**LIMIT, "quantity": "1000"})
    run.send("POST", orders, {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "market"})
    for body in (LIMIT, LIMIT, {**LIMIT, "quantity": "2"}):
        run.send("POST", orders, body, **{"Idempotency-Key": "sequence-key"})
    run.send("GET", f"{orders}?limit=200")
    tables = {name: _timeless(rows) for name, rows in harness.dump().items() if name != "api_keys"}
    rows = sum(len(found) for found in tables.values())
    document = json.dumps([run.answers, tables], sort_keys=True, default=str)
    document = STAMP.sub("<time>", document)  # stamps inside stored JSON text too
    return hashlib.sha256(document.encode()).hexdigest(), len(run.answers), rows
