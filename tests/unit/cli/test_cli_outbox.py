"""``trade ... DRY`` publishes no outbox entry and takes no sequence number; LIVE continues the
sequence where it stood."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, ok

from outbox_support import check_gap_free, entries, last_sequence
from paperdesk.service.portfolios import PortfolioService


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_trade_dry_publishes_nothing_and_live_continues_the_sequence() -> None:
    pid = create_replay()
    database = PortfolioService().database
    before = check_gap_free(database)

    for mode in ("DRY", "dry", "DRY"):
        ok("trade", str(pid), "SPY", mode)

    assert entries(database) == before
    assert last_sequence(database) == len(before)
    ok("trade", str(pid), "SPY", "LIVE")
    added = entries(database, after=len(before))
    assert added[0].sequence == len(before) + 1
    assert [e.kind for e in added][-1] == "tick.processed"
    assert "order.accepted" in [e.kind for e in added]  # macd-cross goes long on 2020-01-02
    check_gap_free(database)
    database.close()
