"""The Alpaca endpoint's errors name the order's fields as Alpaca's order request does
(``qty``, ``limit_price``, ``stop_loss.stop_price``), never paperdesk's command-line options."""

from __future__ import annotations

from alpaca_fixtures import AlpacaHarness, alpaca, assert_alpaca_refused

from paperdesk.api.alpaca.errors import ALPACA_FIELDS
from paperdesk.domain.fields import field_mark, named

__all__ = ["alpaca"]


def test_paperdesks_fields_are_named_as_alpaca_names_them() -> None:
    text = " ".join(
        field_mark(key)
        for key in ("quantity", "stop_loss", "take_profit", "limit_price", "time_in_force")
    )
    assert named(text, ALPACA_FIELDS) == (
        "qty stop_loss.stop_price take_profit.limit_price limit_price time_in_force"
    )


def test_a_market_order_with_a_limit_price_names_alpacas_fields(alpaca: AlpacaHarness) -> None:
    before = alpaca.dump()
    order = {"symbol": "SPY", "qty": 1, "side": "buy", "type": "market", "time_in_force": "day"}
    response = alpaca.post("/orders", {**order, "limit_price": 300})
    assert_alpaca_refused(
        alpaca, response, 422, 42210000, "invalid value for limit_price", "use type limit",
        before=before,
    )  # fmt: skip
    assert "--" not in response.json()["message"]
