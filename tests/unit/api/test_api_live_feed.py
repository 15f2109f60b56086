"""The API's portfolio detail shows a live portfolio's feed health (``feeds``), as the CLI's
``portfolio show`` does: ok while bars arrive, stale when the feed stops, with the newest stored
bar's close and its age either way."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from live_harness import AFTER_PUBLISH, close_of, live_desk, trade_dates
from paperdesk.api import create_app
from paperdesk.store import Database

API = "/api/v1"


def test_the_portfolio_detail_exposes_the_feed_health(database: Database, tmp_path: Path) -> None:
    first, second = trade_dates("2020-01-02", "2020-01-03")
    with live_desk(database, tmp_path, close_of(first) + AFTER_PUBLISH) as desk:
        pid = desk.create()
        token = desk.services.api_keys.create("reader", "read").token
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(desk.services)) as client:
            desk.tick_at(close_of(first) + AFTER_PUBLISH)
            [ok] = client.get(f"{API}/portfolios/{pid}", headers=headers).json()["feeds"]
            # a feed that never changed state shows the newest stored bar and its age now,
            # read from the bar store (not only from a state change's event)
            assert ok == {
                "symbol": "SPY", "state": "ok", "since": None,
                "last_bar_close": close_of(first).isoformat().replace("+00:00", "Z"),
                "age_seconds": str(int(AFTER_PUBLISH.total_seconds())), "reason": "",
            }  # fmt: skip
            desk.providers.yahoo.frozen_at = desk.providers.polygon.frozen_at = close_of(first)
            checked = close_of(second) + timedelta(hours=2)
            desk.tick_at(checked)
            [stale] = client.get(f"{API}/portfolios/{pid}", headers=headers).json()["feeds"]
            later = checked + timedelta(hours=3)  # still stale: no new event, an older bar
            desk.tick_at(later)
            [still] = client.get(f"{API}/portfolios/{pid}", headers=headers).json()["feeds"]
    assert (still["state"], still["since"]) == ("stale", stale["since"])
    assert still["age_seconds"] == str(int((later - close_of(first)).total_seconds()))
    assert stale["state"] == "stale"
    assert stale["last_bar_close"].startswith(close_of(first).isoformat()[:19])
    assert stale["age_seconds"] == str(int((checked - close_of(first)).total_seconds()))
    assert "no new SPY 1d bar" in stale["reason"]
