"""One per-key rate limit across the REST API, the Alpaca endpoint and the WebSocket handshakes:
a key over its limit gets 429 (Alpaca's error body, ``Retry-After``) or a stream closed with
1013 ``rate_limited``, whichever door it knocks on."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from paperdesk.api import create_app
from paperdesk.config import RunConfig
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database
from stream_support import client, closed, serving, subscribed

BURST = 3  # requests a key may make at once; then one a minute (never within this test)


def _services(database: Database) -> Services:
    settings = Settings(rate_limit_per_minute=1, rate_limit_burst=BURST)
    return Services(settings, database=database)


def _key(services: Services) -> tuple[str, str]:
    portfolio = services.portfolios.create_portfolio(
        "limited", Decimal(10000), settings=RunConfig(symbols=("SPY",))
    )
    created = services.api_keys.create("bot", "trade", [portfolio])
    return created.record.name, created.token


def test_the_alpaca_endpoint_and_the_rest_api_share_a_key_s_limit(database: Database) -> None:
    services = _services(database)
    name, token = _key(services)
    client = TestClient(create_app(services))
    alpaca = {"APCA-API-KEY-ID": name, "APCA-API-SECRET-KEY": token}
    with client:
        for _ in range(BURST - 1):
            assert client.get("/alpaca/v2/account", headers=alpaca).status_code == 200
        rest = client.get("/api/v1/portfolios", headers={"Authorization": f"Bearer {token}"})
        assert rest.status_code == 200  # the burst's last request, through the other door
        refused = client.get("/alpaca/v2/account", headers=alpaca)
        assert refused.status_code == 429
        assert refused.json()["code"] == 42910000
        assert int(refused.headers["Retry-After"]) > 0


def test_a_stream_handshake_over_the_limit_is_closed_with_try_again_later(
    database: Database,
) -> None:
    services = _services(database)
    _name, token = _key(services)
    with serving(services) as url:
        for _ in range(BURST):
            with client(url, "/ws/trading", token) as connection:
                subscribed(connection)
        with client(url, "/ws/trading", token) as connection:
            assert closed(connection) == (1013, "rate_limited")
