"""'Did you mean ...?' hints."""

from __future__ import annotations

from paperdesk.domain.suggestions import closest, did_you_mean, order_id_hint


def test_closest_names_ignore_case_and_keep_the_known_spelling() -> None:
    assert closest("MACD-CRSS", ["sma-cross", "macd-cross", "rsi-divergence"]) == [
        "macd-cross",
        "sma-cross",
    ]
    assert closest("zzz", ["SPY", "AAPL"]) == []


def test_did_you_mean_at_the_end_or_inline() -> None:
    assert did_you_mean("SPYY", ["SPY", "AAPL"]) == "; did you mean SPY?"
    assert did_you_mean("SPYY", ["SPY", "AAPL"], inline=True) == " (did you mean SPY?)"
    assert did_you_mean("zzz", ["SPY"]) == ""


def test_an_order_number_is_pointed_at_its_id() -> None:
    assert order_id_hint("10", ["O1", "O10"]) == "; order ids look like O10 — did you mean O10?"
    assert order_id_hint("O11", ["O1", "O10"]).startswith("; order ids look like O10 — did you")
    assert order_id_hint("x", []) == "; order ids look like O10"
