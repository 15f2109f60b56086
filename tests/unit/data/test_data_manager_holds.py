"""``DataManager.holds``: whether any layer holds bars of a symbol (any timeframe), the store's
or a bundled file's; what ``/ws/prices`` asks before it tells a client a symbol is unheld."""

from __future__ import annotations

from market_fakes import bundled, utc
from paperdesk.data.clock import FixedClock
from paperdesk.data.manager import DataManager
from paperdesk.store import Database, SqlBarStore


def test_a_symbol_is_held_by_the_store_or_a_bundled_file(database: Database) -> None:
    store = SqlBarStore(database)
    frame = bundled("SPY", "1d").loc["2020-03-02":"2020-03-06"]
    store.write_bars(frame, symbol="OWN", timeframe="1d", source="test", fetched_at=utc(2024, 1, 1))
    clock = FixedClock(utc(2024, 1, 2))
    manager = DataManager(clock=clock, store=store)
    assert [manager.holds(s) for s in ("own", "SPY", " aapl ", "NOPE")] == [True, True, True, False]
    without_bundled = DataManager(clock=clock, store=store, bundled=False)
    assert [without_bundled.holds(s) for s in ("OWN", "SPY")] == [True, False]
    assert DataManager(clock=clock).holds("OWN") is False
