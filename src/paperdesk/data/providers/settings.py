"""Provider settings (built by ``paperdesk.settings``) and the providers they enable.

``order`` lists the providers by priority (default
``yahoo,twelvedata,finnhub,alphavantage,polygon,ccxt``); a provider that needs a key and has none
in ``api_keys`` is skipped, with the reason (the variable to set) kept for ``status()``.
``ccxt_exchange`` picks the ccxt exchange. Quotas are seed 001's free tiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the providers (httpx, pandas) load when they are built, not with the settings
    import httpx

    from paperdesk.data.providers.base import Clock, PriceProvider

DEFAULT_ORDER = ("yahoo", "twelvedata", "finnhub", "alphavantage", "polygon", "ccxt")
KEYED = {
    "twelvedata": "PAPERDESK_TWELVEDATA_API_KEY",
    "finnhub": "PAPERDESK_FINNHUB_API_KEY",
    "alphavantage": "PAPERDESK_ALPHAVANTAGE_API_KEY",
    "polygon": "PAPERDESK_POLYGON_API_KEY",
}


@dataclass(frozen=True)
class Limits:
    """A provider's budget: calls per UTC day and per minute (None: no limit we know of)."""

    per_day: int | None = None
    per_minute: int | None = None


DEFAULT_LIMITS: dict[str, Limits] = {
    "yahoo": Limits(per_day=None, per_minute=60),
    "twelvedata": Limits(per_day=800, per_minute=8),
    "finnhub": Limits(per_day=3600, per_minute=60),
    "alphavantage": Limits(per_day=25, per_minute=5),
    "polygon": Limits(per_day=None, per_minute=5),
    "ccxt": Limits(per_day=None, per_minute=600),
}


@dataclass(frozen=True)
class ProviderSettings:
    """Which providers to ask, in what order, with which keys; ``home`` holds the quota file."""

    order: tuple[str, ...] = DEFAULT_ORDER
    api_keys: Mapping[str, str] = field(default_factory=dict, repr=False)  # secrets
    limits: Mapping[str, Limits] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    ccxt_exchange: str = "binance"
    home: Path = field(kw_only=True)
    # provider -> the base URL to ask instead of its public one (a local fake server in tests,
    # a proxy in production); the response format must be the provider's own
    base_urls: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None  # seconds per HTTP request (None: 10 s, 5 s to connect)

    def limits_for(self, name: str) -> Limits:
        return self.limits.get(name.split(":", 1)[0], Limits())


def build_providers(
    settings: ProviderSettings,
    *,
    client: httpx.Client | None = None,
    clock: Clock | None = None,
) -> tuple[list[PriceProvider], dict[str, str]]:
    """The enabled providers in priority order, and ``{name: why skipped}`` for the rest."""
    import httpx

    from paperdesk.data.providers.alphavantage import AlphaVantageProvider
    from paperdesk.data.providers.base import DEFAULT_TIMEOUT, USER_AGENT, utc_now
    from paperdesk.data.providers.crypto_exchange import CcxtProvider, ccxt_missing
    from paperdesk.data.providers.finnhub import FinnhubProvider
    from paperdesk.data.providers.polygon import PolygonProvider
    from paperdesk.data.providers.twelvedata import TwelveDataProvider
    from paperdesk.data.providers.yahoo import YahooProvider

    clock = clock or utc_now
    timeout = DEFAULT_TIMEOUT if settings.timeout is None else httpx.Timeout(settings.timeout)
    http = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
    enabled: list[PriceProvider] = []
    skipped: dict[str, str] = {}
    for name in settings.order:
        if name in KEYED and name not in settings.api_keys:
            skipped[name] = f"no API key (set {KEYED[name]})"
            continue
        key = settings.api_keys.get(name)
        url = settings.base_urls.get(name)
        if name == "yahoo":
            enabled.append(YahooProvider(client=http, clock=clock, base_url=url))
        elif name == "twelvedata":
            enabled.append(TwelveDataProvider(key, client=http, clock=clock, base_url=url))
        elif name == "finnhub":
            enabled.append(FinnhubProvider(key, client=http, clock=clock, base_url=url))
        elif name == "alphavantage":
            enabled.append(AlphaVantageProvider(key, client=http, clock=clock, base_url=url))
        elif name == "polygon":
            enabled.append(PolygonProvider(key, client=http, clock=clock, base_url=url))
        elif name == "ccxt":
            if (missing := ccxt_missing()) is not None:
                skipped[name] = missing
                continue
            enabled.append(CcxtProvider(settings.ccxt_exchange, clock=clock))
    return enabled, skipped
