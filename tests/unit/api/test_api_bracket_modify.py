"""A resting bracket entry modified through ``PATCH /api/v1/.../orders/{id}``: its held legs
show the new quantity at once (the orders list, each leg, the audit log's ``order.modified``),
keep their levels when the entry's price moves, and a refused change leaves them as they are.
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from api_fixtures import API, BRACKET, Harness, api, assert_refused

__all__ = ["api"]


def _patch(api: Harness, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(API + path, json=body, headers=api.headers(api.trader))


def _orders(api: Harness, portfolio: int) -> list[tuple[str, str, str, str | None, str | None]]:
    items = api.get(f"/portfolios/{portfolio}/orders", api.reader).json()["items"]
    return [
        (o["order_id"], o["quantity"], o["status"], o["limit_price"], o["stop_price"])
        for o in items
    ]


def test_a_modified_entry_quantity_reaches_its_held_legs(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    assert api.post(path, BRACKET).status_code == 201
    modified = _patch(api, f"{path}/O1", {"quantity": "5", "limit_price": "301.25"})
    assert modified.status_code == 200, modified.text
    assert modified.json()["quantity"] == "5"
    expected = [
        ("O1", "5", "accepted", "301.25", None),
        ("O2", "5", "pending", None, "290"),
        ("O3", "5", "pending", "340", None),
    ]
    assert _orders(api, portfolio) == expected
    assert api.get(f"{path}/O3", api.reader).json()["quantity"] == "5"
    audit = api.get(
        f"/portfolios/{portfolio}/audit", api.reader, params={"kind": "order.modified"}
    ).json()["items"]
    assert sorted(entry["message"] for entry in audit) == [
        "modified buy 5 SPY limit 301.25 (entry, O1)",
        "modified sell 5 SPY limit 340 (take_profit, O3)",
        "modified sell 5 SPY stop 290 (stop_loss, O2)",
    ]

    # a price alone moves no leg; a refused change (a stop price on a limit order) changes nothing
    assert _patch(api, f"{path}/O1", {"limit_price": "300"}).status_code == 200
    expected[0] = ("O1", "5", "accepted", "300", None)
    assert _orders(api, portfolio) == expected
    before = api.dump()
    refused = _patch(api, f"{path}/O1", {"quantity": "7", "stop_price": "280"})
    assert_refused(api, refused, 422, "stop_price_not_allowed", "no stop price", before=before)
    assert _orders(api, portfolio) == expected


def test_an_entry_price_moved_past_a_leg_is_refused_as_a_new_bracket_would_be(
    api: Harness,
) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    assert api.post(path, BRACKET).status_code == 201
    before = api.dump()
    refused = _patch(api, f"{path}/O1", {"limit_price": "345"})
    named = "take_profit 340 must be above its entry price 345 for a buy bracket"
    assert_refused(api, refused, 422, "bracket_side", named, before=before)
    refused = _patch(api, f"{path}/O1", {"quantity": "3", "limit_price": "285"})
    named = "stop_loss 290 must be below its entry price 285 for a buy bracket"
    assert_refused(api, refused, 422, "bracket_side", named, before=before)
    assert api.post(path, {**BRACKET, "limit_price": "345"}).json()["code"] == "bracket_side"


def test_a_held_legs_own_quantity_is_refused_naming_its_entry(api: Harness) -> None:
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"
    assert api.post(path, BRACKET).status_code == 201
    before = api.dump()
    # the long-only default refused it as a short sale ("cannot sell 5 SPY: the portfolio holds
    # 0"), naming no leg; with shorts allowed it was accepted, then undone by the entry's fill
    refused = _patch(api, f"{path}/O2", {"quantity": "5"})
    named = (
        "order O2 is the stop_loss leg of the bracket entry O1, which has not filled: its "
        "quantity follows the entry's (modify the quantity of O1)"
    )
    assert_refused(api, refused, 409, "order_not_changeable", named, before=before)
    # a held leg's level may still move
    moved = _patch(api, f"{path}/O3", {"limit_price": "345"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["limit_price"] == "345"
