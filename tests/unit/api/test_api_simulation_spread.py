"""``POST /simulations`` takes ``spread_pips`` as ``paperdesk simulate --spread-pips`` does (a
forex pair's market entry at the ask), refuses a bad one naming the field and no CLI flag, and
answers it in the document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Harness, api

__all__ = ["api"]

# the bundled EURUSD hour of 2018-03-01 02:00 UTC opens at 1.21913 (lean_oanda_EURUSD_1h.csv)
PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime
EURUSD,buy,100000,1.21913,1.22500,1.21500,2018-03-01T02:00:00Z
"""


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))


def body(text: str = PLAN, **options: Any) -> dict[str, Any]:
    return {"plan": text, "timeframe": "1h", "entry": "market", "slippage_bps": "0", **options}


def test_a_spread_moves_a_forex_market_entry_to_the_ask(api: Harness) -> None:
    plain = api.post("/simulations", body(), token=api.reader).json()
    spread = api.post("/simulations", body(spread_pips="1"), token=api.reader).json()
    assert (plain["spread_pips"], spread["spread_pips"]) == (None, "1")
    assert plain["trades"][0]["entry_price"] == "1.21913"
    assert spread["trades"][0]["entry_price"] == "1.21918"  # half a pip above the open


@pytest.mark.parametrize(
    ("text", "value", "said"),
    [
        (PLAN, "0", "invalid value for spread_pips: '0' (expected a number greater than 0)"),
        (PLAN, "-2", "invalid value for spread_pips: '-2' (expected a number greater than 0)"),
        (
            "ticker,side,qty,entry_price\nSPY,buy,1,300\n",
            "1",
            "spread_pips applies to forex pairs; SPY is equity (use slippage_bps)",
        ),
    ],
)
def test_a_bad_spread_is_refused_naming_the_field(
    api: Harness, text: str, value: str, said: str
) -> None:
    response = api.post("/simulations", body(text, spread_pips=value), token=api.reader)
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert said in message
    assert "--" not in message
