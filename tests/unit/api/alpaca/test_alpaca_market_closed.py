"""The "market closed" refusal on the Alpaca-compatible endpoint (SQLite and PostgreSQL): the
service's rule in Alpaca's error shape (422 ``42210000``, a rule refusing), nothing changed; a
DAY order is queued for the open as Alpaca queues it (``accepted``). The next open it names is
the one ``/v2/clock`` answers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
from alpaca_fixtures import AlpacaHarness, alpaca, assert_alpaca_refused

from paperdesk.api.alpaca.errors import UNPROCESSABLE
from paperdesk.config import RunConfig
from paperdesk.data.clock import FixedClock

__all__ = ["alpaca"]

SATURDAY = datetime(2024, 12, 7, 15, 0, tzinfo=UTC)
MARKET = {"symbol": "SPY", "qty": "1", "side": "buy", "type": "market"}


def hourly_key(alpaca: AlpacaHarness) -> tuple[str, str]:
    """A trade key limited to a new portfolio of hourly SPY bars."""
    settings = RunConfig(symbols=("SPY",), timeframe="1h")
    hourly = alpaca.services.portfolios.create_portfolio(
        "hourly", Decimal(10000), settings=settings
    )
    return (
        "alpaca-hourly",
        alpaca.services.api_keys.create("alpaca-hourly", "trade", [hourly]).token,
    )


def test_an_ioc_order_while_closed_is_refused_in_alpacas_shape_and_a_day_order_queued(
    alpaca: AlpacaHarness,
) -> None:
    key = hourly_key(alpaca)
    clock = alpaca.services.clock
    assert isinstance(clock, FixedClock)
    clock.set(SATURDAY)
    market_clock = alpaca.get("/clock", key).json()
    assert market_clock["is_open"] is False
    next_open = pd.Timestamp(market_clock["next_open"]).tz_convert("UTC")
    before = alpaca.dump()
    for time_in_force in ("ioc", "fok"):
        refused = alpaca.post("/orders", {**MARKET, "time_in_force": time_in_force}, key)
        assert_alpaca_refused(
            alpaca,
            refused,
            422,
            UNPROCESSABLE,
            "SPY",
            "XNYS",
            "at 2024-12-07 15:00 UTC",
            f"next opens at {next_open:%Y-%m-%d %H:%M} UTC",
            before=before,
        )
    queued = alpaca.post("/orders", {**MARKET, "time_in_force": "day"}, key)
    assert queued.status_code == 200, queued.text
    # Alpaca's status of an order received while the market is closed, not routed yet
    assert (queued.json()["status"], queued.json()["time_in_force"]) == ("accepted", "day")
