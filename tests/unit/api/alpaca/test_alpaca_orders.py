"""Alpaca's /v2/orders through the real application: orders are placed, listed, found,
replaced and canceled through the portfolio service, exactly (JSON numbers are read as
decimals), and every malformed or unsupported request is refused by name, changing nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from alpaca_fixtures import AlpacaHarness, alpaca, assert_alpaca_error, assert_alpaca_refused

__all__ = ["alpaca"]

MARKET = {"symbol": "SPY", "qty": 1, "side": "buy", "type": "market", "time_in_force": "day"}
BRACKET = {
    "symbol": "SPY",
    "qty": 2,
    "side": "buy",
    "type": "limit",
    "limit_price": 300.5,
    "time_in_force": "gtc",
    "order_class": "bracket",
    "take_profit": {"limit_price": 340.25},
    "stop_loss": {"stop_price": 290},
    "client_order_id": "bracket-1",
}


def test_a_bracket_is_placed_with_its_legs_and_exact_prices(alpaca: AlpacaHarness) -> None:
    response = alpaca.post("/orders", BRACKET)
    assert response.status_code == 200, response.text
    entry = response.json()
    assert (entry["client_order_id"], entry["order_class"], entry["status"]) == (
        "bracket-1",
        "bracket",
        "new",
    )
    assert (entry["qty"], entry["limit_price"], entry["filled_qty"]) == ("2", "300.5", "0")
    stop, target = entry["legs"]
    assert (stop["type"], stop["stop_price"], stop["side"], stop["status"]) == (
        "stop",
        "290",
        "sell",
        "held",
    )
    assert (target["type"], target["limit_price"]) == ("limit", "340.25")
    stored = alpaca.services.portfolios.orders(alpaca.portfolio)
    assert [(o.order_id, o.limit_price, o.stop_price) for o in stored] == [
        ("O1", Decimal("300.5"), None),
        ("O2", None, Decimal(290)),
        ("O3", Decimal("340.25"), None),
    ]
    assert entry["paperdesk_order_id"] == "O1"


def test_orders_are_listed_and_found_as_alpaca_lists_them(alpaca: AlpacaHarness) -> None:
    alpaca.post("/orders", BRACKET)
    second = alpaca.post("/orders", {**MARKET, "client_order_id": "m-1"}).json()
    assert alpaca.delete(f"/orders/{second['id']}").status_code == 204
    newest_first = alpaca.get("/orders").json()  # default: open orders, newest first
    assert [o["paperdesk_order_id"] for o in newest_first] == ["O3", "O2", "O1"]
    everything = alpaca.get("/orders", params={"status": "all", "direction": "asc"}).json()
    assert [o["paperdesk_order_id"] for o in everything] == ["O1", "O2", "O3", "O4"]
    closed = alpaca.get("/orders", params={"status": "closed"}).json()
    assert [(o["client_order_id"], o["status"]) for o in closed] == [("m-1", "canceled")]
    nested = alpaca.get("/orders", params={"nested": "true"}).json()
    assert [(o["paperdesk_order_id"], len(o["legs"])) for o in nested] == [("O1", 2)]
    assert (
        alpaca.get("/orders", params={"limit": 1, "status": "all"}).json()[0]["id"]
        == (second["id"])
    )
    assert alpaca.get("/orders", params={"symbols": "QQQ,AAPL", "status": "all"}).json() == []
    assert len(alpaca.get("/orders", params={"side": "sell"}).json()) == 2
    by_client = alpaca.get("/orders:by_client_order_id", params={"client_order_id": "bracket-1"})
    assert by_client.json()["paperdesk_order_id"] == "O1"
    assert len(by_client.json()["legs"]) == 2
    by_id = alpaca.get(f"/orders/{by_client.json()['id']}").json()
    assert by_id == by_client.json()
    assert alpaca.get("/orders/o1").json()["id"] == by_id["id"]  # the paperdesk id names it too


def test_replace_changes_the_order_in_place_and_cancel_answers_204(alpaca: AlpacaHarness) -> None:
    placed = alpaca.post("/orders", BRACKET).json()
    replaced = alpaca.patch(f"/orders/{placed['id']}", {"qty": 1, "limit_price": 301.25})
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["id"], replaced.json()["qty"], replaced.json()["limit_price"]) == (
        placed["id"],
        "1",
        "301.25",
    )
    [stored, *_] = alpaca.services.portfolios.orders(alpaca.portfolio)
    assert (stored.quantity, stored.limit_price) == (Decimal(1), Decimal("301.25"))
    canceled = alpaca.delete(f"/orders/{placed['id']}")
    assert (canceled.status_code, canceled.content) == (204, b"")
    statuses = [o["status"] for o in alpaca.get("/orders", params={"status": "all"}).json()]
    assert statuses == ["canceled", "canceled", "canceled"]
    before = alpaca.dump()
    again = alpaca.delete(f"/orders/{placed['id']}")
    assert_alpaca_refused(alpaca, again, 422, 42210000, "O1", before=before)
    late = alpaca.patch(f"/orders/{placed['id']}", {"limit_price": 302})
    assert_alpaca_refused(alpaca, late, 422, 42210000, before=before)


def test_cancel_all_cancels_every_working_order_once(alpaca: AlpacaHarness) -> None:
    alpaca.post("/orders", BRACKET)
    alpaca.post("/orders", MARKET)
    answer = alpaca.delete("/orders")
    assert answer.status_code == 207, answer.text
    assert [(a["status"], a["body"]["status"]) for a in answer.json()] == [
        (200, "canceled"),
        (200, "canceled"),
    ]
    assert alpaca.get("/orders").json() == []
    assert alpaca.delete("/orders").json() == []


def test_a_repeated_client_order_id_is_refused_as_alpaca_refuses_it(alpaca: AlpacaHarness) -> None:
    alpaca.post("/orders", BRACKET)
    before = alpaca.dump()
    again = alpaca.post("/orders", {**MARKET, "client_order_id": "bracket-1"})
    assert_alpaca_refused(alpaca, again, 422, 40010001, "bracket-1", before=before)


BAD_ORDERS: list[tuple[dict[str, Any], int, int, str]] = [
    ({**MARKET, "qty": None}, 422, 40010001, "qty"),
    ({**MARKET, "qty": 0}, 422, 40010001, "qty"),
    ({**MARKET, "qty": "x"}, 422, 40010001, "qty"),
    ({**MARKET, "qty": -1}, 422, 40010001, "qty"),
    ({**MARKET, "side": "hold"}, 422, 40010001, "side"),
    ({k: v for k, v in MARKET.items() if k != "side"}, 422, 40010001, "side"),
    ({**MARKET, "type": "trailing_stop", "trail_percent": 1}, 422, 40010001, "trail"),
    ({**MARKET, "type": "pegged"}, 422, 40010001, "type"),
    ({**MARKET, "time_in_force": "opg"}, 422, 40010001, "time_in_force"),
    ({**MARKET, "qty": None, "notional": 100}, 422, 40010001, "notional"),
    ({**MARKET, "extended_hours": True}, 422, 40010001, "extended_hours"),
    ({**MARKET, "order_class": "oco"}, 422, 40010001, "order_class"),
    ({**BRACKET, "stop_loss": None}, 422, 40010001, "bracket"),
    ({**BRACKET, "order_class": "simple"}, 422, 40010001, "order_class"),
    (
        {**BRACKET, "stop_loss": {"stop_price": 290, "limit_price": 289}},
        422,
        40010001,
        "stop_loss.limit_price",
    ),
    ({**MARKET, "symbol": ""}, 422, 40010001, "symbol"),
    ({**MARKET, "type": "limit"}, 422, 42210000, "limit"),
    ({**MARKET, "limit_price": 300}, 422, 42210000, "limit"),
    ({**MARKET, "symbol": "AAPL"}, 422, 42210000, "AAPL"),
    ({**MARKET, "type": "limit", "limit_price": 300.001}, 422, 42210000, "300.001"),
    ({**MARKET, "qty": 26}, 403, 40310000, "insufficient"),
    ({**MARKET, "client_order_id": "has space"}, 422, 40010001, "client_order_id"),
    ([MARKET], 422, 40010001, "body"),
]


def test_bad_orders_are_refused_by_name_and_change_nothing(alpaca: AlpacaHarness) -> None:
    """The reference price is SPY's last bundled close, 396.33: 10000 pays for 25 shares with
    5 bps slippage (25 * 396.528165 = 9913.20...), not 26."""
    before = alpaca.dump()
    for body, status, code, named in BAD_ORDERS:
        assert_alpaca_error(alpaca.post("/orders", body), status, code, named)
    assert alpaca.dump() == before  # none of them changed anything


def test_json_numbers_are_read_exactly_never_through_a_float(alpaca: AlpacaHarness) -> None:
    """3.0000000000000001 is 3.0 as a float and would pass; read exactly it has 16 decimals,
    more than an amount may carry, and is refused by name. Not JSON at all is refused too."""
    before = alpaca.dump()
    text = '{"symbol": "SPY", "qty": 3.0000000000000001, "side": "buy", "type": "market", '
    text += '"time_in_force": "day"}'
    assert_alpaca_refused(
        alpaca, alpaca.post_raw("/orders", text), 422, 40010001, "qty", before=before
    )
    broken = alpaca.post_raw("/orders", '{"symbol": ')
    assert_alpaca_refused(alpaca, broken, 422, 40010001, "JSON", before=before)
    placed = alpaca.post_raw("/orders", text.replace("3.0000000000000001", "3.50e0"))
    assert_alpaca_refused(alpaca, placed, 422, 42210000, "3.5", before=before)  # SPY: whole shares


def test_unknown_orders_and_bad_replacements_are_refused(alpaca: AlpacaHarness) -> None:
    placed = alpaca.post("/orders", BRACKET).json()
    before = alpaca.dump()
    unknown = "00000000-0000-0000-0000-000000000000"
    for response in (
        alpaca.get(f"/orders/{unknown}"),
        alpaca.delete(f"/orders/{unknown}"),
        alpaca.patch(f"/orders/{unknown}", {"qty": 1}),
        alpaca.get("/orders:by_client_order_id", params={"client_order_id": "nobody"}),
    ):
        assert_alpaca_error(response, 404, 40410000, "not found")
    path = f"/orders/{placed['id']}"
    for body, named in (
        ({"time_in_force": "day"}, "time_in_force"),
        ({"client_order_id": "renamed"}, "client_order_id"),
        ({"trail": 1}, "trail"),
        ({}, "nothing to replace"),
        ({"qty": 0}, "qty"),
    ):
        assert_alpaca_error(alpaca.patch(path, body), 422, 40010001, named)
    not_a_time = alpaca.get("/orders", params={"after": "yesterday"})
    assert_alpaca_error(not_a_time, 422, 40010001, "after")
    assert_alpaca_error(alpaca.get("/orders", params={"limit": 501}), 422, 40010001, "limit")
    assert alpaca.dump() == before  # none of them changed anything


def test_an_archived_portfolio_is_a_blocked_account(alpaca: AlpacaHarness) -> None:
    alpaca.services.portfolios.archive_portfolio(alpaca.portfolio)
    account = alpaca.get("/account").json()
    assert (account["status"], account["trading_blocked"]) == ("INACTIVE", True)
    before = alpaca.dump()
    refused = alpaca.post("/orders", MARKET)
    assert_alpaca_refused(alpaca, refused, 403, 40310000, "archived", before=before)


def test_a_refused_json_number_is_named_as_it_was_sent(alpaca: AlpacaHarness) -> None:
    """A JSON number is read as an exact Decimal; its message shows the number, not Python's
    ``Decimal('-1')``."""
    before = alpaca.dump()
    for text, shown in (("-1", "-1"), ("1e400", "1E+400"), ("0.5e-20", "5E-21")):
        body = '{"symbol": "SPY", "qty": ' + text + ', "side": "buy", "type": "market", '
        body += '"time_in_force": "day"}'
        answer = alpaca.post_raw("/orders", body)
        assert_alpaca_refused(alpaca, answer, 422, 40010001, "qty", before=before)
        message = answer.json()["message"]
        assert f"invalid value for qty: {shown} (expected" in message, message
        assert "Decimal(" not in message
