"""``PATCH /v2/orders/{id}`` of a resting bracket entry's ``qty``: its ``held`` legs show the
new quantity at once, nested in the answer and in the orders list and read alone, at their own
prices; a refused replace changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alpaca_fixtures import BRACKET, AlpacaHarness, alpaca, assert_alpaca_refused

from paperdesk.api.alpaca.trade_updates import trade_update_messages

__all__ = ["alpaca"]


def _legs(order: dict[str, Any]) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (leg["qty"], leg["status"], leg["type"], leg["limit_price"], leg["stop_price"])
        for leg in order["legs"]
    ]


def _replaced(alpaca: AlpacaHarness, after: int) -> list[tuple[str, str]]:
    """The ``trade_updates`` stream's ``replaced`` messages after sequence ``after``."""
    entries = alpaca.services.outbox.entries(after=after, limit=100)
    return [
        (message["data"]["order"]["paperdesk_order_id"], message["data"]["order"]["qty"])
        for message in trade_update_messages(alpaca.portfolio, entries)
        if message["data"]["event"] == "replaced"
    ]


def test_a_replaced_entry_qty_reaches_its_held_legs(alpaca: AlpacaHarness) -> None:
    placed = alpaca.post("/orders", BRACKET).json()
    start = alpaca.services.outbox.last_sequence()
    replaced = alpaca.patch(f"/orders/{placed['id']}", {"qty": "3", "limit_price": "301.25"})
    assert replaced.status_code == 200, replaced.text
    expected = [
        ("3", "held", "stop", None, "290"),
        ("3", "held", "limit", "340.25", None),
    ]
    assert replaced.json()["qty"] == "3"
    assert _legs(replaced.json()) == expected
    [listed] = alpaca.get("/orders", params={"status": "open", "nested": "true"}).json()
    assert _legs(listed) == expected
    for leg in replaced.json()["legs"]:
        assert alpaca.get(f"/orders/{leg['id']}").json()["qty"] == "3"
    assert _replaced(alpaca, start) == [("O1", "3"), ("O2", "3"), ("O3", "3")]

    before = alpaca.dump()
    refused = alpaca.patch(f"/orders/{placed['id']}", {"qty": "0"})
    assert_alpaca_refused(alpaca, refused, 422, 40010001, "qty", before=before)
    assert _legs(alpaca.get(f"/orders/{placed['id']}").json()) == expected


def test_a_replace_moving_the_entry_past_a_leg_is_refused(alpaca: AlpacaHarness) -> None:
    placed = alpaca.post("/orders", BRACKET).json()
    before = alpaca.dump()
    refused = alpaca.patch(f"/orders/{placed['id']}", {"limit_price": "341"})
    named = "take_profit 340.25 must be above its entry price 341 for a buy bracket"
    assert_alpaca_refused(alpaca, refused, 422, 42210000, named, before=before)
