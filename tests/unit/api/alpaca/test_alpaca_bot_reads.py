"""What a bot reads back: ``after`` and ``until`` of /v2/orders as Alpaca reads them (a time
without a zone, or a bare date, is UTC, as alpaca-py takes a naive datetime), a replaced
bracket entry answered with its legs, as GET answers it, an asset class that does not exist
refused instead of an empty list, and a malformed client order id refused as the malformed
field it is. SQLite and PostgreSQL."""

from __future__ import annotations

from alpaca_fixtures import (
    BRACKET,
    NOW,
    AlpacaHarness,
    alpaca,
    assert_alpaca_error,
    assert_alpaca_refused,
)

__all__ = ["alpaca"]

MARKET = {"symbol": "SPY", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}


def _listed(alpaca: AlpacaHarness, **params: str) -> list[str]:
    response = alpaca.get("/orders", params={"status": "all", **params})
    assert response.status_code == 200, response.text
    return [o["paperdesk_order_id"] for o in response.json()]


def test_after_and_until_without_a_zone_or_as_a_date_are_utc(alpaca: AlpacaHarness) -> None:
    assert alpaca.post("/orders", MARKET).status_code == 200  # submitted at NOW, 15:00 UTC
    day = NOW.date().isoformat()
    hour = NOW.hour
    assert _listed(alpaca, after=day) == ["O1"]
    assert _listed(alpaca, after=f"{day}T{hour - 1:02d}:00:00") == ["O1"]
    assert _listed(alpaca, after=f"{day}T{hour + 1:02d}:00:00") == []
    assert _listed(alpaca, until=f"{day}T{hour - 1:02d}:00:00") == []
    assert _listed(alpaca, until=f"{day}T{hour + 1:02d}:00:00") == ["O1"]
    # the same moments with their zone agree
    assert _listed(alpaca, until=f"{day}T{hour + 1:02d}:00:00Z") == ["O1"]
    assert _listed(alpaca, until=f"{day}T{hour + 1:02d}:00:00+02:00") == []


def test_a_replaced_bracket_entry_is_answered_with_its_legs(alpaca: AlpacaHarness) -> None:
    placed = alpaca.post("/orders", BRACKET).json()
    replaced = alpaca.patch(f"/orders/{placed['id']}", {"limit_price": "301.25"})
    assert replaced.status_code == 200, replaced.text
    shown = alpaca.get(f"/orders/{placed['id']}").json()
    assert replaced.json() == shown
    assert [leg["paperdesk_order_id"] for leg in replaced.json()["legs"]] == ["O2", "O3"]
    assert replaced.json()["limit_price"] == "301.25"


def test_an_unknown_asset_class_is_refused_by_name(alpaca: AlpacaHarness) -> None:
    equities = alpaca.get("/assets", params={"asset_class": "us_equity"})
    assert "SPY" in [a["symbol"] for a in equities.json()]
    assert alpaca.get("/assets", params={"asset_class": "us_option"}).json() == []
    typo = alpaca.get("/assets", params={"asset_class": "us_equities"})
    assert_alpaca_error(typo, 422, 40010001, "asset_class", "us_equities", "us_equity")


def test_a_malformed_client_order_id_is_a_bad_request_naming_it(alpaca: AlpacaHarness) -> None:
    before = alpaca.dump()
    for wrong in ("has space", "x" * 65, ""):
        response = alpaca.post("/orders", {**MARKET, "client_order_id": wrong})
        assert_alpaca_refused(alpaca, response, 422, 40010001, "client_order_id", before=before)
