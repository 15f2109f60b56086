"""``paperdesk create-portfolio --source live`` and ``paperdesk run`` on the wall clock, against
the local fake Yahoo server (``PAPERDESK_YAHOO_URL``) serving real bundled BTCUSD minute bars
re-stamped so that one of them is forming now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from paper_cli_helpers import json_of, ok

from live_minutes import fake_yahoo  # the fake provider, minutes to now
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database, SqlBarStore
from provider_server import FakeProviders

__all__ = ["fake_yahoo"]


def _create(*extra: str) -> int:
    created = json_of(
        "create-portfolio", "Live BTC", "10000", "--symbol", "BTCUSD", "--timeframe", "1m",
        "--source", "live", "--strategy", "sma-cross", *extra,
    )  # fmt: skip
    return int(created["portfolio"]["id"])


def test_a_live_portfolio_runs_on_the_newest_closed_bar_from_the_provider(
    fake_yahoo: FakeProviders, tmp_path: Path
) -> None:
    started = datetime.now(UTC)
    pid = _create()
    result = ok("run", str(pid), "--every", "0.01s", "--max-ticks", "1")
    assert "BTCUSD bar" in result.stdout
    database = Database(f"sqlite:///{tmp_path / 'paperdesk.db'}")
    [run] = PortfolioService(database).tick_runs(pid)
    stored = SqlBarStore(database).read_bars("BTCUSD", "1m", None, None)
    database.close()
    # the newest closed minute: closed before the run ended, never a years-old sample bar
    assert started - timedelta(minutes=5) <= run.ts_bar
    assert run.ts_bar + timedelta(minutes=1) <= run.ts_recorded
    assert stored.index[-1] == pd.Timestamp(run.ts_bar)  # nothing forming was stored
    assert set(stored["source"]) == {"yahoo"}  # provenance: which provider, and when
    assert (pd.DatetimeIndex(stored["ts_close"]) <= pd.DatetimeIndex(stored["fetched_at"])).all()
    shown = json_of("portfolio", "show", str(pid))
    assert shown["settings"]["source"]["kind"] == "live"
    assert [feed["state"] for feed in shown["feeds"]] == ["ok"]
    assert "Live feeds" in ok("portfolio", "show", str(pid)).stdout


def test_a_stopped_feed_is_shown_stale(fake_yahoo: FakeProviders) -> None:
    fake_yahoo.yahoo.frozen_at = datetime.now(UTC) - timedelta(minutes=10)
    pid = _create("--stale-after", "2m")
    result = ok("run", str(pid), "--every", "0.01s", "--max-ticks", "1")
    assert "feed is stale" in result.stderr
    shown = json_of("portfolio", "show", str(pid))
    [feed] = shown["feeds"]
    assert feed["state"] == "stale"
    assert float(feed["age_seconds"]) >= 600
    assert "STALE" in ok("portfolio", "show", str(pid)).stdout
