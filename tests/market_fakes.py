"""Test doubles for the DataManager: a price provider serving real bundled bars (no network),
an aggregator around it, and a fake sleep driving a simulated clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd

from paperdesk.data import find_bundled, load_bars
from paperdesk.data.clock import SimulatedClock
from paperdesk.data.providers import (
    InMemoryQuotaStore,
    LatestPrice,
    Limits,
    ProviderAggregator,
    ProviderUnavailable,
    QuotaTracker,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def bundled(symbol: str, timeframe: str) -> pd.DataFrame:
    return load_bars(find_bundled(symbol, timeframe), symbol=symbol, timeframe=timeframe)


@dataclass
class FakeProvider:
    """Serves slices of the bundled files; ``fail_months`` (``YYYY-MM`` of a request's start)
    or ``fail_all`` make it answer like a provider whose server is down."""

    name: str = "fake"
    fail_months: set[str] = field(default_factory=set)
    fail_all: bool = False
    calls: list[tuple[str, str, datetime, datetime]] = field(default_factory=list)

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        return None

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame:
        self.calls.append((symbol, timeframe, start, end))
        if self.fail_all or start.strftime("%Y-%m") in self.fail_months:
            raise ProviderUnavailable(self.name, "HTTP 503: service unavailable")
        frame = bundled(symbol, timeframe)
        frame = frame.loc[(frame.index >= pd.Timestamp(start)) & (frame.index <= pd.Timestamp(end))]
        frame = frame.copy()
        frame["provider"] = self.name
        frame.attrs["provider"] = self.name
        return frame

    def latest_price(self, symbol: str) -> LatestPrice:
        raise ProviderUnavailable(self.name, "not recorded")

    @property
    def months_asked(self) -> list[str]:
        return [start.strftime("%Y-%m") for _, _, start, _ in self.calls]


def aggregator(*providers: FakeProvider) -> ProviderAggregator:
    limits = {provider.name: Limits() for provider in providers}
    return ProviderAggregator(
        list(providers),
        quota=QuotaTracker(InMemoryQuotaStore(), limits),
        clock=lambda: datetime(2020, 7, 1, tzinfo=UTC),
    )


class AdvancingSleep:
    """An ``asyncio.sleep`` stand-in that moves the clock instead of waiting."""

    def __init__(self, clock: SimulatedClock) -> None:
        self.clock = clock
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)


def decimal(value: float) -> Decimal:
    return Decimal(repr(value))
