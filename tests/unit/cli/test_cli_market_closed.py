"""``paperdesk order place`` meets the service's "market closed" rule (SQLite and PostgreSQL):
an IOC or FOK order on hourly bars while SPY's market is closed is one ``error:`` line naming
the symbol, the calendar, the time checked and the next open, and writes nothing; a DAY order
is accepted and waits for the open. The wall clock is fixed (no test reads today's time)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import exchange_calendars
import pandas as pd
import pytest
from paper_cli_helpers import fails, json_of, ledger_state

from paperdesk.data.clock import WallClock

SUNDAY = datetime(2024, 12, 8, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def ledger(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(WallClock, "now", lambda _self: SUNDAY)


def test_an_ioc_or_fok_order_is_refused_while_closed_and_a_day_order_waits() -> None:
    created = json_of("create-portfolio", "hourly", "10000", "--symbol", "SPY", "--timeframe", "1h")
    portfolio = str(created["id"])
    xnys = exchange_calendars.get_calendar("XNYS", start="2024-01-01", end="2025-12-31")
    next_open = xnys.next_open(pd.Timestamp(SUNDAY))
    before = ledger_state()
    for time_in_force in ("ioc", "fok"):
        line = fails("order", "place", portfolio, "SPY", "buy", "1", "--tif", time_in_force)
        assert "market of SPY is closed" in line
        assert "XNYS" in line
        assert "at 2024-12-08 18:00 UTC" in line
        assert f"next opens at {next_open:%Y-%m-%d %H:%M} UTC" in line
        assert ledger_state() == before
    queued = json_of("order", "place", portfolio, "SPY", "buy", "1", "--tif", "day")
    (order,) = queued["orders"]
    assert (order["status"], order["time_in_force"]) == ("accepted", "day")
    assert ledger_state() != before
