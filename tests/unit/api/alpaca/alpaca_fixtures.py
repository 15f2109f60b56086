"""The Alpaca-compatible API through the real application (TestClient over ASGI) on a test
database (SQLite and PostgreSQL), with Alpaca's key headers for keys of each kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from answer_words import FieldWordsClient
from paperdesk.api import create_app
from paperdesk.config import RunConfig
from paperdesk.data.clock import FixedClock
from paperdesk.service import Services
from paperdesk.store import Database
from table_dump import TableDump, dump_all_tables

ALPACA = "/alpaca/v2"
# A Wednesday in session (11:00 New York time), the day before Independence Day: an early close.
NOW = datetime(2024, 7, 3, 15, 0, tzinfo=UTC)
# a bracket entry resting below the last close, its legs on their sides
BRACKET = {
    "symbol": "SPY",
    "qty": "1",
    "side": "buy",
    "type": "limit",
    "limit_price": "300.5",
    "time_in_force": "gtc",
    "order_class": "bracket",
    "take_profit": {"limit_price": "340.25"},
    "stop_loss": {"stop_price": "290"},
}


@dataclass
class AlpacaHarness:
    client: FieldWordsClient
    services: Services
    url: str
    portfolio: int
    trader: tuple[str, str]  # (APCA-API-KEY-ID, APCA-API-SECRET-KEY)
    reader: tuple[str, str]
    unlimited: tuple[str, str]

    def headers(self, key: tuple[str, str] | None) -> dict[str, str]:
        key_id, secret = key or self.trader
        return {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}

    def get(self, path: str, key: tuple[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.get(ALPACA + path, headers=self.headers(key), **kwargs)

    def post(self, path: str, body: Any, key: tuple[str, str] | None = None) -> Any:
        return self.client.post(ALPACA + path, json=body, headers=self.headers(key))

    def post_raw(self, path: str, text: str) -> Any:
        headers = {**self.headers(None), "Content-Type": "application/json"}
        return self.client.post(ALPACA + path, content=text, headers=headers)

    def patch(self, path: str, body: Any, key: tuple[str, str] | None = None) -> Any:
        return self.client.patch(ALPACA + path, json=body, headers=self.headers(key))

    def delete(self, path: str, key: tuple[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.delete(ALPACA + path, headers=self.headers(key), **kwargs)

    def dump(self) -> TableDump:
        return dump_all_tables(self.url)


@pytest.fixture
def alpaca(database: Database) -> Iterator[AlpacaHarness]:
    services = Services(database=database, clock=FixedClock(NOW))
    settings = RunConfig(symbols=("SPY",))
    portfolio = services.portfolios.create_portfolio("bot", Decimal(10000), settings=settings)
    keys = services.api_keys
    trader = keys.create("alpaca-trader", "trade", [portfolio]).token
    reader = keys.create("alpaca-reader", "read", [portfolio])
    harness = AlpacaHarness(
        client=FieldWordsClient(create_app(services)),
        services=services,
        url=database.url,
        portfolio=portfolio,
        trader=("alpaca-trader", trader),
        reader=(reader.record.prefix, reader.token),  # the prefix names a key as well
        unlimited=("everything", keys.create("everything", "trade").token),
    )
    with harness.client:
        yield harness


def assert_alpaca_error(response: Any, status: int, code: int, *named: str) -> None:
    """Alpaca's error ``{"code", "message"}`` with the message naming ``named``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    for text in named:
        assert text in body["message"], body


def assert_alpaca_refused(
    harness: AlpacaHarness, response: Any, status: int, code: int, *named: str, before: TableDump
) -> None:
    """Alpaca's error naming ``named``, and no table changed."""
    assert_alpaca_error(response, status, code, *named)
    assert harness.dump() == before
