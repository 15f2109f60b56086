"""Seed 001's data aggregator: providers in priority order with quotas, circuit breakers and a
stale fallback to stored bars.

For each provider in order: skip it if it cannot serve the symbol or timeframe, if its circuit is
open, or if its daily or per-minute budget is spent; otherwise count the call and ask. A 429 (or a
"limit" payload), a 5xx, a timeout, a connection error or a malformed answer trips its breaker and
the next provider is tried; an unknown symbol does not trip it. If no provider gives bars, the
injected fallback (the stored bars) is served with ``stale=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import httpx
import pandas as pd

from paperdesk.data.providers.base import Clock, LatestPrice, PriceProvider, utc_now
from paperdesk.data.providers.breaker import BreakerSnapshot, CircuitBreaker
from paperdesk.data.providers.errors import (
    BadResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
)
from paperdesk.data.providers.frames import empty_frame
from paperdesk.data.providers.metrics import count_attempt
from paperdesk.data.providers.quota import JsonFileQuotaStore, QuotaStore, QuotaTracker
from paperdesk.data.providers.settings import ProviderSettings, build_providers
from paperdesk.domain import InvalidInputError

Fallback = Callable[[str, str, datetime, datetime], pd.DataFrame | None]
T = TypeVar("T")
QUOTA_FILE = "provider_quotas.json"


@dataclass(frozen=True)
class Attempt:
    """One provider considered for a request: ``outcome`` is ok, empty, skipped or failed."""

    provider: str
    outcome: str
    reason: str = ""


@dataclass(frozen=True)
class FetchResult:
    bars: pd.DataFrame
    provider: str | None
    stale: bool
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class PriceResult:
    price: LatestPrice
    provider: str
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True)
class ProviderStatus:
    name: str
    enabled: bool
    skipped_reason: str | None = None
    per_day: int | None = None
    used_today: int = 0
    left_today: int | None = None
    per_minute: int | None = None
    used_this_minute: int = 0
    circuit: str = "closed"
    open_until: datetime | None = None
    last_error: str | None = None
    blocked_reason: str | None = None


class AllProvidersFailed(ProviderError):  # noqa: N818 (sibling of RateLimited...)
    """No provider answered and there were no stored bars to fall back on."""

    def __init__(self, what: str, attempts: Sequence[Attempt]) -> None:
        detail = "; ".join(f"{a.provider} {a.outcome}: {a.reason}" for a in attempts) or "none"
        super().__init__("aggregator", f"no provider could serve {what} ({detail})")
        self.attempts = tuple(attempts)


@dataclass
class _Outcome:
    attempts: list[Attempt] = field(default_factory=list)
    answered: str | None = None


class ProviderAggregator:
    def __init__(
        self,
        providers: Sequence[PriceProvider],
        *,
        quota: QuotaTracker,
        clock: Clock = utc_now,
        fallback: Fallback | None = None,
        skipped: Mapping[str, str] | None = None,
        cooldown: float = 60.0,
        failure_threshold: int = 1,
    ) -> None:
        self.providers = list(providers)
        self.quota = quota
        self.clock = clock
        self.fallback = fallback
        self.skipped = dict(skipped or {})
        self.breakers = {
            p.name: CircuitBreaker(failure_threshold=failure_threshold, cooldown=cooldown)
            for p in self.providers
        }

    @classmethod
    def from_settings(
        cls,
        settings: ProviderSettings,
        *,
        client: httpx.Client | None = None,
        quota_store: QuotaStore | None = None,
        clock: Clock = utc_now,
        fallback: Fallback | None = None,
        cooldown: float = 60.0,
    ) -> ProviderAggregator:
        providers, skipped = build_providers(settings, client=client, clock=clock)
        store = quota_store or JsonFileQuotaStore(settings.home / QUOTA_FILE)
        limits = {p.name: settings.limits_for(p.name) for p in providers}
        tracker = QuotaTracker(store, limits)
        return cls(
            providers, quota=tracker, clock=clock, fallback=fallback, skipped=skipped,
            cooldown=cooldown,
        )  # fmt: skip

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> FetchResult:
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidInputError("start and end must be timezone-aware datetimes")
        outcome = _Outcome()
        for provider in self.providers:
            bars = self._try(
                provider, symbol, timeframe, outcome,
                lambda p: p.fetch_bars(symbol, timeframe, start, end),
            )  # fmt: skip
            if bars is None:
                continue
            if bars.empty:
                outcome.attempts.append(Attempt(provider.name, "empty", "no bars in range"))
                outcome.answered = outcome.answered or provider.name
                continue
            outcome.attempts.append(Attempt(provider.name, "ok"))
            return FetchResult(bars, provider.name, False, tuple(outcome.attempts))
        stored = self.fallback(symbol, timeframe, start, end) if self.fallback else None
        if stored is not None and not stored.empty:
            stale = stored.copy()
            if "provider" not in stale.columns:
                stale["provider"] = stale.attrs.get("provider", "stored")
            stale.attrs["stale"] = True
            return FetchResult(stale, None, True, tuple(outcome.attempts))
        if outcome.answered is not None:
            return FetchResult(empty_frame(), outcome.answered, False, tuple(outcome.attempts))
        raise AllProvidersFailed(f"{symbol} {timeframe}", outcome.attempts)

    def latest_price(self, symbol: str) -> PriceResult:
        outcome = _Outcome()
        for provider in self.providers:
            price = self._try(provider, symbol, "1d", outcome, lambda p: p.latest_price(symbol))
            if price is not None:
                outcome.attempts.append(Attempt(provider.name, "ok"))
                return PriceResult(price, provider.name, tuple(outcome.attempts))
        raise AllProvidersFailed(f"the latest price of {symbol}", outcome.attempts)

    def _try(
        self,
        provider: PriceProvider,
        symbol: str,
        timeframe: str,
        outcome: _Outcome,
        call: Callable[[PriceProvider], T],
    ) -> T | None:
        name = provider.name
        now = self.clock()
        breaker = self.breakers[name]
        reason = provider.unsupported_reason(symbol, timeframe)
        if reason is None:
            reason = self.quota.blocked_reason(name, now)
        if reason is None and not breaker.allow(now):
            snapshot = breaker.snapshot(now)
            until = snapshot.open_until.isoformat() if snapshot.open_until else "a trial ends"
            reason = f"circuit {snapshot.state.value} until {until} ({snapshot.last_error})"
        elif reason is None:
            reason = self.quota.try_acquire(name, now)
            if reason is not None:
                breaker.cancel_trial()
        if reason is not None:
            outcome.attempts.append(Attempt(name, "skipped", reason))
            count_attempt(name, "skipped")
            return None
        try:
            result = call(provider)
        except SymbolNotFound as error:
            breaker.record_success()
            outcome.attempts.append(Attempt(name, "failed", f"symbol not found: {error.reason}"))
            count_attempt(name, "failed")
            return None
        except RateLimited as error:
            if _mentions_day(error.reason):
                self.quota.exhaust_day(name, self.clock())
            self._failed(breaker, outcome, name, f"rate limited: {error.reason}", error.retry_after)
            return None
        except ProviderUnavailable as error:
            self._failed(breaker, outcome, name, f"unavailable: {error.reason}")
            return None
        except ProviderError as error:
            self._failed(breaker, outcome, name, f"bad response: {error.reason}")
            return None
        except (KeyError, IndexError, TypeError, ValueError) as error:
            failure = BadResponse(name, f"could not parse the response: {error!r}")
            self._failed(breaker, outcome, name, failure.reason)
            return None
        breaker.record_success()
        count_attempt(name, "ok")
        return result

    def _failed(
        self,
        breaker: CircuitBreaker,
        outcome: _Outcome,
        name: str,
        reason: str,
        retry_after: float | None = None,
    ) -> None:
        breaker.record_failure(self.clock(), reason, retry_after)
        outcome.attempts.append(Attempt(name, "failed", reason))
        count_attempt(name, "failed")

    def status(self) -> list[ProviderStatus]:
        """Each provider's state for ``paperdesk data providers``, enabled ones first."""
        now = self.clock()
        rows: list[ProviderStatus] = []
        for provider in self.providers:
            name = provider.name
            usage = self.quota.usage(name, now)
            limits = self.quota.limits_for(name)
            snapshot: BreakerSnapshot = self.breakers[name].snapshot(now)
            left = None if limits.per_day is None else max(0, limits.per_day - usage.day_count)
            if usage.day_exhausted:
                left = 0
            rows.append(
                ProviderStatus(
                    name=name,
                    enabled=True,
                    per_day=limits.per_day,
                    used_today=usage.day_count,
                    left_today=left,
                    per_minute=limits.per_minute,
                    used_this_minute=usage.minute_count,
                    circuit=snapshot.state.value,
                    open_until=snapshot.open_until,
                    last_error=snapshot.last_error,
                    blocked_reason=self.quota.blocked_reason(name, now),
                )
            )
        for name, why in self.skipped.items():
            rows.append(ProviderStatus(name=name, enabled=False, skipped_reason=why))
        return rows


def _mentions_day(message: str) -> bool:
    text = message.lower()
    return "per day" in text or "daily" in text or "/day" in text
