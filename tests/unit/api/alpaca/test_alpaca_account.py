"""Alpaca's account, positions, clock and assets through the real application: the account is
the portfolio's cash and equity, positions come from real fills of a replayed SPY portfolio,
the clock from the XNYS calendar, the assets from paperdesk's symbol table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from alpaca_fixtures import AlpacaHarness, alpaca, assert_alpaca_error, assert_alpaca_refused

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import Side
from paperdesk.service.order_requests import OrderRequest
from quiet_strategy import QUIET

__all__ = ["alpaca"]


def replay_key(alpaca: AlpacaHarness) -> tuple[int, tuple[str, str]]:
    """A portfolio replaying SPY from 2020-01-02 holding 3 shares bought at the 2020-01-03
    open (321.19 plus 5 bps slippage, rounded to the tick against the buyer: 321.36), and a
    trade key for it."""
    portfolios = alpaca.services.portfolios
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2)), **QUIET
    )
    portfolio = portfolios.create_portfolio("replay", Decimal(10000), settings=settings)
    portfolios.tick(portfolio, "SPY")
    portfolios.place_order(portfolio, OrderRequest("SPY", Side.BUY, Decimal(3)))
    portfolios.tick(portfolio, "SPY")
    token = alpaca.services.api_keys.create("replay-bot", "trade", [portfolio]).token
    return portfolio, ("replay-bot", token)


def test_the_account_is_the_portfolio(alpaca: AlpacaHarness) -> None:
    account = alpaca.get("/account").json()
    assert (account["cash"], account["equity"], account["buying_power"]) == (
        "10000",
        "10000",
        "10000",
    )
    assert (account["status"], account["currency"], account["trading_blocked"]) == (
        "ACTIVE",
        "USD",
        False,
    )


def test_positions_are_read_and_closed_through_the_service(alpaca: AlpacaHarness) -> None:
    portfolio, key = replay_key(alpaca)
    [position] = alpaca.get("/positions", key).json()
    shown = alpaca.services.portfolios.show(portfolio).positions[0]
    assert (position["symbol"], position["qty"], position["side"]) == ("SPY", "3", "long")
    assert position["avg_entry_price"] == "321.36"
    assert position["cost_basis"] == str(Decimal("321.36") * 3)
    assert position["current_price"] == str(shown.last_price)  # the 2020-01-03 close
    assert Decimal(position["unrealized_pl"]) == (shown.last_price - Decimal("321.36")) * 3
    assert alpaca.get(f"/positions/{position['asset_id']}", key).json() == position
    account = alpaca.get("/account", key).json()
    assert Decimal(account["cash"]) == Decimal(10000) - Decimal("321.36") * 3
    assert Decimal(account["long_market_value"]) == shown.market_value

    before = alpaca.dump()
    assert_alpaca_error(alpaca.get("/positions/QQQ", key), 404, 40410000, "QQQ")
    partial = alpaca.delete("/positions/SPY", key, params={"qty": "1"})
    assert_alpaca_refused(alpaca, partial, 422, 40010001, "qty", before=before)

    closing = alpaca.delete("/positions/spy", key)
    assert closing.status_code == 200, closing.text
    assert (closing.json()["side"], closing.json()["qty"], closing.json()["type"]) == (
        "sell",
        "3",
        "market",
    )
    alpaca.services.portfolios.tick(portfolio, "SPY")
    assert alpaca.get("/positions", key).json() == []
    assert alpaca.delete("/positions", key).json() == []


def test_the_clock_follows_the_market_calendar(alpaca: AlpacaHarness) -> None:
    """At 2024-07-03 15:00 UTC XNYS is open; it closes early (13:00 New York) before
    Independence Day and opens again on Friday 5 July."""
    clock = alpaca.get("/clock", alpaca.reader).json()
    assert clock == {
        "timestamp": "2024-07-03T15:00:00Z",
        "is_open": True,
        "next_open": "2024-07-05T13:30:00Z",
        "next_close": "2024-07-03T17:00:00Z",
    }


def test_assets_are_the_instruments_paperdesk_knows(alpaca: AlpacaHarness) -> None:
    assets = alpaca.get("/assets").json()
    by_symbol = {a["symbol"]: a for a in assets}
    spy = by_symbol["SPY"]
    assert (spy["class"], spy["tradable"], spy["price_increment"]) == ("us_equity", True, "0.01")
    assert alpaca.get(f"/assets/{spy['id']}").json() == spy
    assert alpaca.get("/assets/spy").json() == spy
    crypto = alpaca.get("/assets", params={"asset_class": "crypto"}).json()
    assert crypto
    assert {a["class"] for a in crypto} == {"crypto"}
    assert alpaca.get("/assets", params={"status": "inactive"}).json() == []
    assert_alpaca_error(alpaca.get("/assets/NOPE"), 404, 40410000, "NOPE")
    assert_alpaca_error(alpaca.get("/nowhere"), 404, 40410000)
