"""Orders, positions and fills over the REST API, on real bundled SPY bars; every refusal
changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from api_fixtures import BRACKET, SPY_LAST_CLOSE, Harness, api, assert_refused
from shared_ledger import Ledger, ledger, shared_ledger_fixture, with_portfolio

from paperdesk.config import RunConfig, SourceConfig
from quiet_strategy import QUIET

__all__ = ["api", "ledger"]

# the bad orders and amounts share one ledger and portfolio per database (shared_ledger)
shared_ledger = shared_ledger_fixture(with_portfolio)


def test_every_order_type_is_placed_through_the_service(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    bracket = api.post(path, BRACKET)
    assert bracket.status_code == 201, bracket.text
    parent, stop, target = bracket.json()["orders"]
    assert (parent["order_id"], parent["client_order_id"], parent["type"]) == (
        "O1",
        "bracket-1",
        "limit",
    )
    assert (parent["limit_price"], parent["quantity"], parent["status"]) == (
        "300.5",
        "2",
        "accepted",
    )
    assert parent["children"] == ["O2", "O3"]
    assert (stop["role"], stop["stop_price"], stop["status"]) == ("stop_loss", "290", "pending")
    assert (target["role"], target["limit_price"]) == ("take_profit", "340")
    others = [
        {"symbol": "SPY", "side": "buy", "quantity": "1"},
        {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "stop", "stop_price": "400"},
        {
            "symbol": "SPY",
            "side": "buy",
            "quantity": "1",
            "type": "stop_limit",
            "stop_price": "400",
            "limit_price": "401",
            "time_in_force": "day",
        },
    ]
    for body in others:
        response = api.post(path, body)
        assert response.status_code == 201, response.text
    listed = api.get(path).json()["items"]
    assert [(o["order_id"], o["type"]) for o in listed] == [
        ("O1", "limit"),
        ("O2", "stop"),
        ("O3", "limit"),
        ("O4", "market"),
        ("O5", "stop"),
        ("O6", "stop_limit"),
    ]
    shown = api.get(f"/portfolios/{portfolio}").json()
    assert [o["order_id"] for o in shown["open_orders"]] == ["O1", "O2", "O3", "O4", "O5", "O6"]


def test_orders_are_filtered_and_paged_with_a_cursor(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    for _ in range(5):
        assert api.post(path, {"symbol": "SPY", "side": "buy", "quantity": "1"}).status_code == 201
    api.delete(f"{path}/O2")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(path, api.reader, params=params).json()
        seen.append([o["order_id"] for o in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [["O1", "O2"], ["O3", "O4"], ["O5"]]
    open_orders = api.get(path, params={"status": "open"}).json()["items"]
    assert [o["order_id"] for o in open_orders] == ["O1", "O3", "O4", "O5"]
    assert api.get(path, params={"symbol": "AAPL"}).json() == {"items": [], "next_cursor": None}
    assert api.get(path, params={"status": "closed"}).status_code == 422
    bad_cursor = api.get(path, params={"cursor": "not-ours"})
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (422, "invalid_cursor")
    assert api.get(path, params={"limit": 0}).status_code == 422


def test_show_and_cancel_an_order(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    api.post(path, BRACKET)
    shown = api.get(f"{path}/O1", api.reader)
    assert shown.status_code == 200
    assert shown.json()["client_order_id"] == "bracket-1"
    canceled = api.delete(f"{path}/O1")
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "canceled"
    statuses = [o["status"] for o in api.get(path).json()["items"]]
    assert statuses == ["canceled", "canceled", "canceled"]  # the bracket's children go too
    before = api.dump()
    again = api.delete(f"{path}/O1")
    named = "order O1 is canceled: only a working order can be canceled"
    assert_refused(api, again, 409, "order_not_changeable", named, before=before)
    modified = api.client.patch(
        f"/api/v1{path}/O1", json={"quantity": "2"}, headers=api.headers(api.trader)
    )
    assert_refused(api, modified, 409, "order_not_changeable", "O1 is canceled", before=before)


def test_a_market_order_fills_at_the_next_open_and_shows_in_positions_and_fills(
    api: Harness,
) -> None:
    """Replay from 2020-01-02 (lean_SPY_1d.csv): the order placed after that bar closed fills
    at the next bar's open, 321.19 on 2020-01-03, plus 5 bps slippage: 321.19 * 1.0005 =
    321.350595, rounded against the buyer to SPY's 0.01 tick: 321.36; no commission, so cash
    is 10000 - 3 * 321.36 = 9035.92."""
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
        **QUIET,
    )
    portfolio = api.services.portfolios.create_portfolio(
        "replay", Decimal(10000), settings=settings
    )
    api.services.portfolios.tick(portfolio, "SPY")
    placed = api.post(
        f"/portfolios/{portfolio}/orders", {"symbol": "SPY", "side": "buy", "quantity": "3"}
    )
    assert placed.status_code == 201, placed.text
    api.services.portfolios.tick(portfolio, "SPY")
    fills = api.get(f"/portfolios/{portfolio}/fills", api.reader).json()
    assert fills["next_cursor"] is None
    [fill] = fills["items"]
    assert (fill["order_id"], fill["side"], fill["quantity"]) == ("O1", "buy", "3")
    assert Decimal("321.19") * Decimal("1.0005") == Decimal("321.350595")
    assert fill["price"] == "321.36"
    assert fill["fee"] == "0"
    assert fill["ts"].startswith("2020-01-03")
    [position] = api.get(f"/portfolios/{portfolio}/positions", api.reader).json()
    assert (position["symbol"], position["quantity"]) == ("SPY", "3")
    assert Decimal(position["average_price"]) == Decimal("321.36")
    summary = api.get(f"/portfolios/{portfolio}").json()["summary"]
    assert Decimal(summary["cash"]) == Decimal("9035.92")
    first = api.get(f"/portfolios/{portfolio}/fills", params={"limit": 1}).json()
    assert len(first["items"]) == 1
    assert first["next_cursor"] is None


def test_an_order_the_cash_cannot_pay_is_refused_and_nothing_changes(api: Harness) -> None:
    """The reference price is SPY's last bundled close, 396.33; with 5 bps slippage a share
    costs 396.528165, so 10000 buys 25 (25.2...) and 26 is refused."""
    portfolio = api.create_portfolio()
    assert SPY_LAST_CLOSE * Decimal("1.0005") * 25 < 10000 < SPY_LAST_CLOSE * 26
    before = api.dump()
    response = api.post(
        f"/portfolios/{portfolio}/orders", {"symbol": "SPY", "side": "buy", "quantity": "26"}
    )
    assert_refused(
        api, response, 422, "insufficient_cash", "at most 25 SPY would fit, not 26", before=before
    )


@pytest.mark.parametrize(
    ("body", "status", "code", "named"),
    [
        ({"symbol": "SPY", "side": "hold", "quantity": "1"}, 422, "validation_error", "body.side"),
        (
            {"symbol": "SPY", "side": "buy", "quantity": "0"},
            422,
            "validation_error",
            "body.quantity",
        ),
        (
            {"symbol": "SPY", "side": "buy", "quantity": "x"},
            422,
            "validation_error",
            "body.quantity",
        ),
        ({"symbol": "SPY", "side": "buy"}, 422, "validation_error", "body.quantity"),
        (
            {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit"},
            422,
            "invalid_input",
            "a limit order needs a positive limit price; none was given",  # was "got None"
        ),
        (
            {
                "symbol": "SPY",
                "side": "buy",
                "quantity": "1",
                "type": "stop_limit",
                "limit_price": "400",
            },
            422,
            "invalid_input",
            "a stop_limit order needs a positive stop price; none was given",
        ),
        (
            {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "market", "limit_price": "1"},
            422,
            "invalid_input",
            "limit",
        ),
        (
            {"symbol": "SPY", "side": "buy", "quantity": "1", "time_in_force": "forever"},
            422,
            "validation_error",
            "body.time_in_force",
        ),
        ({"symbol": "AAPL", "side": "buy", "quantity": "1"}, 422, "invalid_input", "AAPL"),
        ({"symbol": "SPY", "side": "sell", "quantity": "1"}, 422, "invalid_input", "short"),
        (
            {"symbol": "SPY", "side": "buy", "quantity": "0.5"},
            422,
            "invalid_input",
            "0.5",
        ),
        (
            {
                "symbol": "SPY",
                "side": "buy",
                "quantity": "1",
                "type": "limit",
                "limit_price": "1.001",
            },
            422,
            "invalid_input",
            "1.001",
        ),
    ],
)
def test_a_bad_order_is_refused_and_nothing_changes(
    ledger: Ledger, body: dict[str, object], status: int, code: str, named: str
) -> None:
    api = ledger.harness
    response = api.post(f"/portfolios/{ledger.portfolio}/orders", body)
    assert response.status_code == status, response.text
    assert named.lower() in response.json()["message"].lower(), response.json()
    assert_refused(api, response, status, response.json()["code"], before=ledger.before)
    assert response.json()["code"] == code or code == "invalid_input"
    ledger.proven_unchanged = True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "1E+999999999"),
        ("quantity", "1e400"),
        ("quantity", 1.5),
        ("quantity", True),
        ("limit_price", "1E-999999999"),
        ("limit_price", "Infinity"),
        ("stop_loss", "-0"),
    ],
)
def test_amounts_are_read_as_the_cli_reads_them(ledger: Ledger, field: str, value: object) -> None:
    """Exact, finite, positive, below 1e15, at most 12 decimals; a JSON float is refused."""
    api = ledger.harness
    body = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "300"}
    response = api.post(f"/portfolios/{ledger.portfolio}/orders", {**body, field: value})
    assert_refused(api, response, 422, "validation_error", f"body.{field}", before=ledger.before)
    ledger.proven_unchanged = True


def test_a_reused_client_order_id_is_refused(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    api.post(path, BRACKET)
    before = api.dump()
    again = api.post(path, {**BRACKET, "quantity": "1"})
    assert_refused(api, again, 409, "duplicate_client_order_id", "bracket-1", before=before)
    assert api.delete(f"{path}/O1").status_code == 200
    before = api.dump()  # a finished order's id stays its own: 409, never the database's 500
    reused = api.post(path, {**BRACKET, "quantity": "1"})
    named = ("'bracket-1' is already used by order O1 (canceled)",)
    assert_refused(api, reused, 409, "duplicate_client_order_id", *named, before=before)


def test_unknown_orders_and_archived_portfolios(api: Harness) -> None:
    portfolio = api.create_portfolio()
    archived = api.create_portfolio(name="old")
    api.post(f"/portfolios/{archived}/archive")
    before = api.dump()
    path = f"/portfolios/{portfolio}/orders"
    assert_refused(api, api.get(f"{path}/O9"), 404, "not_found", "O9", before=before)
    assert_refused(api, api.delete(f"{path}/O9"), 404, "not_found", "O9", before=before)
    order = {"symbol": "SPY", "side": "buy", "quantity": "1"}
    refused = api.post(f"/portfolios/{archived}/orders", order)
    assert_refused(api, refused, 409, "portfolio_archived", before=before)
    for missing in ("/portfolios/77/orders", "/portfolios/77/fills", "/portfolios/77/positions"):
        assert_refused(api, api.get(missing), 404, "not_found", before=before)
    assert_refused(api, api.post("/portfolios/77/orders", order), 404, "not_found", before=before)
