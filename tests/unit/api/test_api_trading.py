"""Modifying a working order and closing a position (whole or part) over the REST API, on real
bundled SPY bars; every refusal names what is wrong and changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from api_fixtures import API, Harness, api, assert_refused

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import Side
from paperdesk.service.order_requests import OrderRequest
from quiet_strategy import QUIET

__all__ = ["api"]

LIMIT_BUY = {"symbol": "SPY", "side": "buy", "quantity": "2", "type": "limit", "limit_price": "300"}


def patch(harness: Harness, path: str, body: Any, token: str | None = None, **headers: str) -> Any:
    return harness.client.patch(
        API + path, json=body, headers=harness.headers(token or harness.trader, **headers)
    )


def holding_five(harness: Harness) -> int:
    """A quiet replay portfolio (from 2020-01-02) that bought 5 SPY at the 2020-01-03 open."""
    settings = RunConfig(
        **QUIET, symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2))
    )
    service = harness.services.portfolios
    portfolio = service.create_portfolio("held", Decimal(10000), settings=settings)
    service.tick(portfolio, "SPY")
    service.place_order(portfolio, OrderRequest("SPY", Side.BUY, Decimal(5)))
    service.tick(portfolio, "SPY")
    return portfolio


def test_a_working_order_is_modified_and_stays_modified(api: Harness) -> None:
    portfolio = api.create_portfolio()
    api.post(f"/portfolios/{portfolio}/orders", LIMIT_BUY)
    changed = patch(
        api, f"/portfolios/{portfolio}/orders/O1", {"quantity": "3", "limit_price": "301.5"}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["quantity"], changed.json()["limit_price"]) == ("3", "301.5")
    shown = api.get(f"/portfolios/{portfolio}/orders/O1", api.reader).json()
    assert (shown["quantity"], shown["limit_price"], shown["status"]) == ("3", "301.5", "accepted")


def test_a_modify_with_an_idempotency_key_is_carried_out_once(api: Harness) -> None:
    portfolio = api.create_portfolio()
    api.post(f"/portfolios/{portfolio}/orders", LIMIT_BUY)
    path = f"/portfolios/{portfolio}/orders/O1"
    first = patch(api, path, {"limit_price": "299"}, **{"Idempotency-Key": "m-1"})
    assert first.status_code == 200, first.text
    audit_after_first = api.services.portfolios.audit(portfolio)
    before = api.dump()
    again = patch(api, path, {"limit_price": "299"}, **{"Idempotency-Key": "m-1"})
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.dump() == before
    assert api.services.portfolios.audit(portfolio) == audit_after_first
    reused = patch(api, path, {"limit_price": "298"}, **{"Idempotency-Key": "m-1"})
    assert_refused(api, reused, 422, "idempotency_key_reused", "m-1", before=before)


def test_a_filled_or_canceled_order_is_not_changeable(api: Harness) -> None:
    portfolio = holding_five(api)  # O1 filled
    api.post(f"/portfolios/{portfolio}/orders", LIMIT_BUY)
    api.delete(f"/portfolios/{portfolio}/orders/O2")
    before = api.dump()
    for order in ("O1", "O2"):
        refused = patch(api, f"/portfolios/{portfolio}/orders/{order}", {"quantity": "1"})
        assert_refused(api, refused, 409, "order_not_changeable", order, before=before)


def test_a_filled_bracket_entry_is_not_changeable_whatever_the_new_quantity(api: Harness) -> None:
    """A filled entry whose exits still work stays in the book as their parent: a modify of it
    is refused for being filled, not for the quantity left over (3 - 5 filled was "order
    quantity must be positive, got -2", a 422 that hid the reason)."""
    portfolio = holding_five_in_a_bracket(api)  # O1 filled, O2 and O3 its working exits
    before = api.dump()
    for quantity in ("3", "5", "8"):
        refused = patch(api, f"/portfolios/{portfolio}/orders/O1", {"quantity": quantity})
        assert_refused(api, refused, 409, "order_not_changeable", "O1", "filled", before=before)


def holding_five_in_a_bracket(harness: Harness) -> int:
    """As ``holding_five``, the 5 SPY bought by a bracket (stop loss 250, take profit 400)."""
    settings = RunConfig(
        **QUIET, symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2))
    )
    service = harness.services.portfolios
    portfolio = service.create_portfolio("held", Decimal(10000), settings=settings)
    service.tick(portfolio, "SPY")
    bracket = OrderRequest(
        "SPY", Side.BUY, Decimal(5), stop_loss=Decimal(250), take_profit=Decimal(400)
    )
    service.place_order(portfolio, bracket)
    service.tick(portfolio, "SPY")
    assert [order.status.value for order in service.orders(portfolio)] == [
        "filled",
        "accepted",
        "accepted",
    ]
    return portfolio


BAD_CHANGES: list[tuple[dict[str, object], int, str, str]] = [
    ({}, 422, "validation_error", "at least one"),
    ({"quantity": "0"}, 422, "validation_error", "body.quantity"),
    ({"limit_price": 300.5}, 422, "validation_error", "body.limit_price"),
    ({"time_in_force": "day"}, 422, "validation_error", "body.time_in_force"),
    ({"quantity": "0.5"}, 422, "lot_size", "0.5"),
    ({"limit_price": "300.001"}, 422, "tick_size", "300.001"),
    ({"quantity": "40"}, 422, "insufficient_cash", "insufficient cash"),
]


def test_a_bad_modify_is_refused_and_nothing_changes(api: Harness) -> None:
    """40 shares at the 300 limit cost 12,000 of the 10,000 cash. (One portfolio for every
    case: each refusal leaves it exactly as it was, which the dump proves.)"""
    portfolio = api.create_portfolio()
    api.post(f"/portfolios/{portfolio}/orders", LIMIT_BUY)
    before = api.dump()
    for body, status, code, named in BAD_CHANGES:
        refused = patch(api, f"/portfolios/{portfolio}/orders/O1", body)
        assert_refused(api, refused, status, code, named, before=before)


def test_modify_needs_a_trade_key_a_known_order_and_an_active_portfolio(api: Harness) -> None:
    portfolio = api.create_portfolio()
    api.post(f"/portfolios/{portfolio}/orders", LIMIT_BUY)
    archived = api.create_portfolio(name="old")
    api.post(f"/portfolios/{archived}/archive")
    before = api.dump()
    change = {"quantity": "1"}
    path = f"/portfolios/{portfolio}/orders"
    assert_refused(api, patch(api, f"{path}/O1", change, api.reader), 403, "insufficient_scope",
                   before=before)  # fmt: skip
    assert_refused(api, patch(api, f"{path}/O9", change), 404, "not_found", "O9", before=before)
    assert_refused(api, patch(api, "/portfolios/77/orders/O1", change), 404, "not_found",
                   before=before)  # fmt: skip
    refused = patch(api, f"/portfolios/{archived}/orders/O1", change)
    assert_refused(api, refused, 409, "portfolio_archived", before=before)


def test_a_part_close_sells_the_quantity_and_the_rest_stays(api: Harness) -> None:
    portfolio = holding_five(api)
    closed = api.post(f"/portfolios/{portfolio}/positions/SPY/close", {"quantity": "2"})
    assert closed.status_code == 201, closed.text
    [order] = closed.json()["orders"]
    assert (order["side"], order["quantity"], order["type"], order["role"]) == (
        "sell",
        "2",
        "market",
        "exit",
    )
    api.services.portfolios.tick(portfolio, "SPY")  # fills at the next bar's open
    [position] = api.get(f"/portfolios/{portfolio}/positions", api.reader).json()
    assert position["quantity"] == "3"
    whole = api.post(f"/portfolios/{portfolio}/positions/spy/close")
    assert whole.status_code == 201, whole.text
    assert [(o["side"], o["quantity"]) for o in whole.json()["orders"]] == [("sell", "3")]


def test_a_part_close_leaves_figures_at_the_fills_own_decimals(api: Harness) -> None:
    """3 of 5 shares left cost 3 x the buy price, shown as such: not 963.450000000000 (a
    partial close's cost share was written with 12 decimals, and so were the realized and
    unrealized P&L after it, in the API and on the dashboard)."""
    portfolio = holding_five(api)
    api.post(f"/portfolios/{portfolio}/positions/SPY/close", {"quantity": "2"})
    api.services.portfolios.tick(portfolio, "SPY")
    bought, sold = api.get(f"/portfolios/{portfolio}/fills", api.reader).json()["items"]
    buy_price, sell_price = Decimal(bought["price"]), Decimal(sold["price"])
    [position] = api.get(f"/portfolios/{portfolio}/positions", api.reader).json()
    assert position["cost"] == str(3 * buy_price)
    assert position["unrealized_pnl"] == str(3 * Decimal(position["last_price"]) - 3 * buy_price)
    summary = api.get(f"/portfolios/{portfolio}", api.reader).json()["summary"]
    assert summary["realized_pnl"] == str(2 * sell_price - 2 * buy_price)


def test_a_close_with_an_idempotency_key_sends_one_order(api: Harness) -> None:
    portfolio = holding_five(api)
    path = f"/portfolios/{portfolio}/positions/SPY/close"
    first = api.post(path, {"quantity": "1"}, **{"Idempotency-Key": "c-1"})
    again = api.post(path, {"quantity": "1"}, **{"Idempotency-Key": "c-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    exits = [
        o for o in api.get(f"/portfolios/{portfolio}/orders").json()["items"] if o["role"] == "exit"
    ]
    assert len(exits) == 1


def test_a_close_retried_without_a_key_answers_the_standing_order(api: Harness) -> None:
    portfolio = holding_five(api)
    path = f"/portfolios/{portfolio}/positions/SPY/close"
    for body in (None, {"quantity": "2"}):
        first = api.post(path, body)
        assert first.status_code == 201, first.text
        [order] = [o for o in first.json()["orders"] if o["status"] == "accepted"]
        before = api.dump()
        again = api.post(path, body)
        assert again.status_code == 200, again.text  # the order exists: nothing is created
        assert again.json() == {"orders": [order]}
        assert api.dump() == before
    # another quantity replaces the standing close: its order is canceled, a new one placed
    other = api.post(path, {"quantity": "3"})
    assert other.status_code == 201, other.text
    assert [(o["quantity"], o["status"]) for o in other.json()["orders"]] == [
        ("2", "canceled"),
        ("3", "accepted"),
    ]


BAD_CLOSES: list[tuple[dict[str, object], int, str, str]] = [
    ({"quantity": "6"}, 422, "quantity_exceeds_position", "quantity 6"),
    ({"quantity": "0.5"}, 422, "lot_size", "quantity 0.5"),
    ({"quantity": "0"}, 422, "validation_error", "body.quantity"),
    ({"quantity": "-1"}, 422, "validation_error", "body.quantity"),
    ({"quantity": "2", "side": "sell"}, 422, "validation_error", "body.side"),
]


def test_a_bad_close_is_refused_and_nothing_changes(api: Harness) -> None:
    portfolio = holding_five(api)
    before = api.dump()
    for body, status, code, named in BAD_CLOSES:
        refused = api.post(f"/portfolios/{portfolio}/positions/SPY/close", body)
        assert_refused(api, refused, status, code, named, before=before)


def test_closing_what_is_not_held_or_not_visible(api: Harness) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    path = f"/portfolios/{portfolio}/positions"
    refused = api.post(f"{path}/SPY/close")
    assert_refused(api, refused, 409, "no_position", "SPY", before=before)
    assert_refused(api, api.post(f"{path}/SPY/close", token=api.reader), 403,
                   "insufficient_scope", before=before)  # fmt: skip
    assert_refused(api, api.post("/portfolios/77/positions/SPY/close"), 404, "not_found",
                   before=before)  # fmt: skip
    assert_refused(api, api.post(f"{path}/SP%20Y/close"), 422, "invalid_option", "symbol",
                   before=before)  # fmt: skip


def test_a_key_of_another_portfolio_gets_not_found(api: Harness) -> None:
    """A key limited to one portfolio cannot modify, close, execute or preview in another:
    the answer is the one for a portfolio that does not exist, so ids do not leak."""
    mine = api.create_portfolio(name="mine")
    theirs = api.create_portfolio(name="theirs")
    api.post(f"/portfolios/{theirs}/orders", LIMIT_BUY)
    limited = api.services.api_keys.create("limited", "trade", [mine]).token
    before = api.dump()
    base = f"/portfolios/{theirs}"
    attempts = [
        patch(api, f"{base}/orders/O1", {"quantity": "1"}, limited),
        api.post(f"{base}/positions/SPY/close", None, limited),
        api.post(f"{base}/execute", {"symbol": "SPY", "direction": "buy"}, limited),
        api.get(f"{base}/execute/preview", limited, params={"symbol": "SPY", "direction": "buy"}),
        api.post(f"{base}/signals/1/execute", None, limited),
        api.get(f"{base}/signals/1/execute/preview", limited),
    ]
    for response in attempts:
        assert_refused(api, response, 404, "not_found", f"portfolio with id {theirs}",
                       before=before)  # fmt: skip


SELL = {"symbol": "SPY", "side": "sell", "type": "market"}


def test_a_brackets_two_exits_count_once_against_what_is_held(api: Harness) -> None:
    """5 SPY bought plainly, then 5 by a bracket: its stop loss and take profit (5 each) are one
    cancels other and can sell 5 of the 10 between them, so the other 5 may be sold (they were
    counted twice: "holds 10 and 10 are already being sold"); a sixth may not."""
    portfolio = holding_five(api)
    bracket = {"symbol": "SPY", "side": "buy", "quantity": "5", "type": "market",
               "stop_loss": "250", "take_profit": "400"}  # fmt: skip
    assert api.post(f"/portfolios/{portfolio}/orders", bracket).status_code == 201
    api.services.portfolios.tick(portfolio, "SPY")
    before = api.dump()
    refused = api.post(f"/portfolios/{portfolio}/orders", {**SELL, "quantity": "6"})
    assert_refused(api, refused, 422, "short_selling_off", "holds 10 and 5 are already being sold",
                   before=before)  # fmt: skip
    placed = api.post(f"/portfolios/{portfolio}/orders", {**SELL, "quantity": "5"})
    assert placed.status_code == 201, placed.text


def test_the_exits_of_an_entry_not_filled_yet_sell_nothing_held(api: Harness) -> None:
    """Holding 5, a bracket buy of 3 waits with its exits pending: they will sell what the
    entry buys, not the 5 held, so the 5 may be sold (the pending exits were counted: "holds
    5 and 6 are already being sold")."""
    portfolio = holding_five(api)
    bracket = {"symbol": "SPY", "side": "buy", "quantity": "3", "type": "limit",
               "limit_price": "300", "stop_loss": "250", "take_profit": "400"}  # fmt: skip
    assert api.post(f"/portfolios/{portfolio}/orders", bracket).status_code == 201
    placed = api.post(f"/portfolios/{portfolio}/orders", {**SELL, "quantity": "5"})
    assert placed.status_code == 201, placed.text
    before = api.dump()
    refused = api.post(f"/portfolios/{portfolio}/orders", {**SELL, "quantity": "1"})
    assert_refused(api, refused, 422, "short_selling_off", "holds 5 and 5 are already being sold",
                   before=before)  # fmt: skip
