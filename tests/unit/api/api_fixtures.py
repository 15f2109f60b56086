"""The REST API through the real application (FastAPI's TestClient over ASGI) on a test
database, with one key of each scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from answer_words import FieldWordsClient
from paperdesk.api import create_app
from paperdesk.service import Services
from paperdesk.store import Database
from table_dump import TableDump, dump_all_tables

API = "/api/v1"
SPY_LAST_CLOSE = Decimal("396.33")  # lean_SPY_1d.csv, 2021-03-31 (the bundled file's last bar)
# a bracket entry resting below the last close, its legs on their sides
BRACKET = {
    "symbol": "SPY",
    "side": "buy",
    "quantity": "2",
    "type": "limit",
    "limit_price": "300.5",
    "stop_loss": "290",
    "take_profit": "340",
    "time_in_force": "gtc",
    "client_order_id": "bracket-1",
}


@dataclass
class Harness:
    client: FieldWordsClient
    services: Services
    url: str
    admin: str
    trader: str
    reader: str

    def headers(self, token: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", **extra}

    def get(self, path: str, token: str | None = None, **kwargs: Any) -> Any:
        return self.client.get(API + path, headers=self.headers(token or self.admin), **kwargs)

    def post(self, path: str, body: Any = None, token: str | None = None, **headers: str) -> Any:
        return self.client.post(
            API + path, json=body, headers=self.headers(token or self.trader, **headers)
        )

    def delete(self, path: str, token: str | None = None, **headers: str) -> Any:
        return self.client.delete(API + path, headers=self.headers(token or self.trader, **headers))

    def dump(self) -> TableDump:
        return dump_all_tables(self.url)

    def create_portfolio(self, **overrides: Any) -> int:
        body = {"name": "api", "cash": "10000", "symbols": ["SPY"], **overrides}
        response = self.post("/portfolios", body)
        assert response.status_code == 201, response.text
        return int(response.json()["summary"]["id"])


def harness_of(services: Services) -> Harness:
    """The application on ``services``, with a new key of each scope (not yet started)."""
    keys = services.api_keys
    return Harness(
        client=FieldWordsClient(create_app(services)),
        services=services,
        url=services.database.url,
        admin=keys.create("admin", "admin").token,
        trader=keys.create("trader", "trade").token,
        reader=keys.create("reader", "read").token,
    )


@pytest.fixture
def api(database: Database) -> Iterator[Harness]:
    with open_harness(database) as harness:
        yield harness


@contextmanager
def open_harness(database: Database, *, close_services: bool = False) -> Iterator[Harness]:
    """The application on ``database``, running (its lifespan entered), with a new key of
    each scope; its services closed after the application stopped if ``close_services``."""
    services = Services(database=database)
    harness = harness_of(services)
    try:
        with harness.client:
            yield harness
    finally:
        if close_services:
            services.close()


def assert_refused(
    harness: Harness, response: Any, status: int, code: str, *named: str, before: TableDump
) -> None:
    """The response is the error ``code`` naming ``named``, and no table changed."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    for text in named:
        assert text in body["message"], body
    assert harness.dump() == before
