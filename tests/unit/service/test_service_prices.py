"""The price service on the bundled SPY files through a DataManager with a stopped clock:
exact prices, closed bars only, and backward pages that cover a range exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperdesk.data.clock import FixedClock
from paperdesk.data.manager import DataManager
from paperdesk.domain import InvalidInputError, UnknownNameError
from paperdesk.service.prices import PriceService

MID_SESSION = datetime(2021, 3, 31, 15, 30, tzinfo=UTC)


def service(now: datetime = MID_SESSION) -> PriceService:
    return PriceService(DataManager(clock=FixedClock(now)))


def test_the_latest_price_is_the_last_closed_bars_close() -> None:
    """lean_SPY_1d.csv: 2021-03-30 closes at 394.73; the 31st is still forming at 15:30."""
    [latest], missing = service().latest(["spy", "SPY", "NOPE"], "1d")
    assert missing == ["NOPE"]
    assert (latest.symbol, latest.price) == ("SPY", Decimal("394.73"))
    assert latest.candle.ts_close == datetime(2021, 3, 30, 20, tzinfo=UTC)
    assert latest.candle.ts_close <= latest.provenance.as_of == MID_SESSION
    assert latest.candle.source == "bundled:lean_SPY_1d.csv"


def test_pages_walk_back_without_overlap_or_gap() -> None:
    prices = service(datetime(2022, 1, 1, tzinfo=UTC))
    start, end = datetime(2021, 1, 4, tzinfo=UTC), datetime(2021, 3, 31, tzinfo=UTC)
    whole = prices.candles("SPY", "1d", start=start, end=end, limit=1000)
    assert whole.older_than is None
    seen: list[datetime] = []
    older_than = None
    while True:
        page = prices.candles("SPY", "1d", start=start, end=end, limit=7, older_than=older_than)
        seen = [c.ts_open for c in page.candles] + seen
        if page.older_than is None:
            break
        assert page.older_than == page.candles[0].ts_open
        older_than = page.older_than
    assert seen == [c.ts_open for c in whole.candles]
    assert whole.candles[-1].close == Decimal("396.33")


def test_bad_requests_are_named() -> None:
    prices = service()
    with pytest.raises(UnknownNameError, match="no NOPE 1d bars"):
        prices.candles("NOPE", "1d")
    with pytest.raises(InvalidInputError, match="after end"):
        prices.candles(
            "SPY",
            "1d",
            start=datetime(2021, 3, 2, tzinfo=UTC),
            end=datetime(2021, 3, 1, tzinfo=UTC),
        )
    with pytest.raises(InvalidInputError, match="at most 50"):
        prices.latest([f"S{n}" for n in range(51)], "1d")
    with pytest.raises(InvalidInputError, match="at least one"):
        prices.latest([], "1d")
