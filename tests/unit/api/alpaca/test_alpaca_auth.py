"""Alpaca's key headers on paperdesk keys: the secret is the token, the key id its name or
prefix, the key limited to one portfolio (the account); a read key cannot trade. Every refusal
is Alpaca's error document and changes nothing."""

from __future__ import annotations

from decimal import Decimal

from alpaca_fixtures import AlpacaHarness, alpaca, assert_alpaca_error

from paperdesk.domain import Side
from paperdesk.service.order_requests import OrderRequest

__all__ = ["alpaca"]

ORDER = {"symbol": "SPY", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}


def test_keys_that_do_not_authorize_are_refused_with_nothing_changed(
    alpaca: AlpacaHarness,
) -> None:
    revoked = alpaca.services.api_keys.create("gone", "trade", [alpaca.portfolio])
    alpaca.services.api_keys.revoke(revoked.record.id)
    other = alpaca.services.portfolios.create_portfolio(
        "other", alpaca.services.portfolios.show(alpaca.portfolio).summary.cash
    )
    two = alpaca.services.api_keys.create("two", "trade", [alpaca.portfolio, other]).token
    trader_id, trader_secret = alpaca.trader
    before = alpaca.dump()
    refusals = [
        (None, 401, 40110000, "APCA-API-KEY-ID"),
        (("alpaca-trader", "pd_not-a-token"), 401, 40110000, "unknown key"),
        (("someone-else", trader_secret), 401, 40110000, "unknown key"),
        (("gone", revoked.token), 401, 40110000, "revoked"),
        (alpaca.unlimited, 403, 40310000, "exactly one portfolio"),
        (("two", two), 403, 40310000, "exactly one portfolio"),
        (alpaca.reader, 403, 40310000, "trade"),
    ]
    for key, status, code, named in refusals:
        if key is None:
            response = alpaca.client.post("/alpaca/v2/orders", json=ORDER)
        else:
            response = alpaca.post("/orders", ORDER, key)
        assert_alpaca_error(response, status, code, named)
    assert alpaca.dump() == before  # none of them changed anything
    assert trader_id == "alpaca-trader"


def test_a_read_key_reads_everything_and_changes_nothing(alpaca: AlpacaHarness) -> None:
    alpaca.post("/orders", ORDER)
    before = alpaca.dump()
    for path in ("/account", "/orders", "/positions", "/clock", "/assets", "/assets/SPY"):
        response = alpaca.get(path, alpaca.reader)
        assert response.status_code == 200, (path, response.text)
    [order] = alpaca.get("/orders", alpaca.reader).json()
    for refused in (
        alpaca.delete(f"/orders/{order['id']}", alpaca.reader),
        alpaca.patch(f"/orders/{order['id']}", {"qty": "2"}, alpaca.reader),
        alpaca.delete("/positions/SPY", alpaca.reader),
        alpaca.delete("/orders", alpaca.reader),
    ):
        assert_alpaca_error(refused, 403, 40310000, "trade")
    assert alpaca.dump() == before  # none of them changed anything


def test_the_account_is_the_keys_one_portfolio(alpaca: AlpacaHarness) -> None:
    """Another portfolio's orders never show through the key of this one."""
    other = alpaca.services.portfolios.create_portfolio(
        "other", alpaca.services.portfolios.show(alpaca.portfolio).summary.cash
    )
    alpaca.services.portfolios.place_order(
        other, OrderRequest("SPY", Side.BUY, Decimal(1), client_order_id="theirs")
    )
    account = alpaca.get("/account").json()
    assert account["account_number"] == f"PD{alpaca.portfolio}"
    assert alpaca.get("/orders", params={"status": "all"}).json() == []
    missing = alpaca.get("/orders:by_client_order_id", params={"client_order_id": "theirs"})
    assert (missing.status_code, missing.json()["code"]) == (404, 40410000)
    assert alpaca.get("/orders/O1").status_code == 404
