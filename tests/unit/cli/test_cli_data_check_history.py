"""``paperdesk data check``: a series no live portfolio trades (a bundled sample, an import) is
history, reported by where it ends and how long ago, never stale; a live portfolio's feed is
still judged by the wall clock. ``--json`` keeps its fields and adds ``live_portfolios`` and
``history``."""

from __future__ import annotations

from pathlib import Path

from paper_cli_helpers import json_of, ok

from live_minutes import fake_yahoo  # the live source's fake provider, minutes to now
from provider_server import FakeProviders

__all__ = ["fake_yahoo"]


def test_a_bundled_series_is_history_not_a_stale_feed(paper_home: Path) -> None:
    document = json_of("data", "check", "SPY")
    assert (document["history"], document["live_portfolios"]) == (True, [])
    assert (document["feed_stale"], document["ok"], document["warnings"]) == (False, True, [])
    # the fields a script read before are all there, with where the series ends
    assert document["last_close"] == "2021-03-31T20:00:00+00:00"
    assert document["last_bar_age_seconds"] > 0
    table = " ".join(ok("data", "check", "SPY", "--wide").stdout.split())
    assert "Ends 2021-03-31 20:00 UTC," in table
    assert "history: no live portfolio trades SPY 1d" in table
    assert "stale)" not in table
    assert "no problems found" in table


def test_a_live_portfolios_feed_is_judged_by_the_wall_clock(fake_yahoo: FakeProviders) -> None:
    created = json_of(
        "create-portfolio", "Live BTC", "10000", "--symbol", "BTCUSD", "--timeframe", "1m",
        "--source", "live", "--strategy", "sma-cross",
    )  # fmt: skip
    pid = int(created["portfolio"]["id"])
    document = json_of("data", "check", "BTCUSD", "--timeframe", "1m")
    assert (document["history"], document["live_portfolios"]) == (False, [pid])
    table = " ".join(ok("data", "check", "BTCUSD", "--timeframe", "1m", "--wide").stdout.split())
    assert "Feed age" in table
    assert f"live portfolio {pid}" in table
    # another timeframe of the symbol is no feed of it
    daily = json_of("data", "check", "BTCUSD", "--timeframe", "1d")
    assert (daily["history"], daily["feed_stale"]) == (True, False)
