"""The bad-input corpus (tests/fixtures/bad_inputs) drives the Alpaca endpoint: every
``order place`` case on the account's portfolio, sent as an Alpaca order, is refused with a 4xx
in Alpaca's format (never a 5xx) and changes nothing."""

from __future__ import annotations

from typing import Any

from alpaca_fixtures import AlpacaHarness, alpaca

from bad_input_corpus import BadInput, load_corpus

__all__ = ["alpaca"]

# The account is the key's one portfolio: cases naming another portfolio have no Alpaca form.
ORDER_CASES = [c for c in load_corpus() if c.args[:3] == ("order", "place", "1")]
OPTION_FIELDS = {
    "--type": "type",
    "--limit-price": "limit_price",
    "--stop-price": "stop_price",
    "--tif": "time_in_force",
    "--client-id": "client_order_id",
}


def alpaca_order(case: BadInput) -> dict[str, Any]:
    """The case's command line as an Alpaca order (a stop loss or take profit: a bracket)."""
    _, _, _, symbol, side, quantity, *options = case.args
    body: dict[str, Any] = {
        "symbol": symbol,
        "side": side,
        "qty": quantity,
        "type": "market",
        "time_in_force": "gtc",
    }
    for flag, value in zip(options[::2], options[1::2], strict=True):
        if flag == "--stop-loss":
            body.update(order_class="bracket", stop_loss={"stop_price": value})
        elif flag == "--take-profit":
            body.update(order_class="bracket", take_profit={"limit_price": value})
        else:
            body[OPTION_FIELDS[flag]] = value.replace("-", "_") if flag == "--type" else value
    return body


def test_every_corpus_order_is_refused_in_alpacas_format(alpaca: AlpacaHarness) -> None:
    assert len(ORDER_CASES) > 30
    before = alpaca.dump()
    for case in ORDER_CASES:
        response = alpaca.post("/orders", alpaca_order(case))
        assert response.status_code in (403, 422), (case.name, response.text)
        body = response.json()
        assert set(body) == {"code", "message"}, (case.name, body)
        assert body["code"] in (40010001, 40310000, 42210000), (case.name, body)
    assert alpaca.dump() == before  # none of them changed anything
