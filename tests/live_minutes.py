"""The local fake Yahoo server serving real bundled BTCUSD minute bars re-stamped so that one
of them is forming now, as the live source's provider (``PAPERDESK_YAHOO_URL``): the fixture the
CLI's and the API's live-feed tests share."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from market_fakes import bundled
from provider_server import FakeProviders, Series, provider_server

FORMING_NOW = 2000  # the bundled bar re-stamped to open at the current minute


def _minutes_ending_now() -> pd.DataFrame:
    """The bundled BTCUSD minute bars moved so that bar ``FORMING_NOW`` opens this minute."""
    bars = bundled("BTCUSD", "1m")
    this_minute = pd.Timestamp(datetime.now(UTC)).floor("min")
    shift = this_minute - bars.index[FORMING_NOW]
    moved = bars.copy()
    moved.index = moved.index + shift
    moved["ts_close"] = pd.DatetimeIndex(moved["ts_close"]) + shift
    return moved


@pytest.fixture
def fake_yahoo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviders]:
    providers = FakeProviders(
        lambda: datetime.now(UTC),
        {"BTC-USD": Series(_minutes_ending_now(), daily=False, zone="UTC")},
    )
    with provider_server(providers) as url:
        monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.setenv("PAPERDESK_PROVIDERS", "yahoo")
        monkeypatch.setenv("PAPERDESK_YAHOO_URL", f"{url}/yahoo")
        yield providers
