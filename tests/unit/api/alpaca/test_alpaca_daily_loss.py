"""The Alpaca-compatible order endpoint meets the daily loss limit as a tick does (SQLite and
PostgreSQL): after a loss beyond the limit today a bot's buy entry is refused with the rule's
words and changes nothing; its sell of the held position is still placed."""

from __future__ import annotations

from alpaca_fixtures import AlpacaHarness, alpaca, assert_alpaca_refused

from daily_loss_scenario import HELD, LIMIT, money_words, replay_with_a_loss

__all__ = ["alpaca"]

ORDER = {"symbol": "SPY", "type": "market", "time_in_force": "day"}


def test_a_bots_entry_is_refused_and_its_exit_placed_after_a_loss_beyond_the_limit(
    alpaca: AlpacaHarness,
) -> None:
    fallen = replay_with_a_loss(alpaca.services.portfolios, LIMIT)
    keys = alpaca.services.api_keys
    bot = ("fallen-bot", keys.create("fallen-bot", "trade", [fallen.portfolio_id]).token)
    before = alpaca.dump()
    refused = alpaca.post("/orders", {**ORDER, "side": "buy", "qty": "1"}, bot)
    assert_alpaca_refused(
        alpaca,
        refused,
        422,
        42210000,
        f"below the day's start {money_words(fallen.day_start)}",
        f"the daily loss limit is {LIMIT}%",
        before=before,
    )
    placed = alpaca.post("/orders", {**ORDER, "side": "sell", "qty": str(HELD)}, bot)
    assert placed.status_code == 200, placed.text
