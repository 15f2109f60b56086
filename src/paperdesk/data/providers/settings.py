"""Provider settings from the environment, and the providers they enable.

``PAPERDESK_PROVIDERS`` orders the providers (comma-separated names; default
``yahoo,twelvedata,finnhub,alphavantage,polygon,ccxt``). Keys come from
``PAPERDESK_TWELVEDATA_API_KEY``, ``PAPERDESK_FINNHUB_API_KEY``,
``PAPERDESK_ALPHAVANTAGE_API_KEY`` and ``PAPERDESK_POLYGON_API_KEY``; a provider that needs a key
and has none is skipped, with the reason kept for ``status()``. ``PAPERDESK_CCXT_EXCHANGE``
picks the ccxt exchange (default ``binance``). Quotas are seed 001's free tiers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from paperdesk.data.providers.alphavantage import AlphaVantageProvider
from paperdesk.data.providers.base import DEFAULT_TIMEOUT, USER_AGENT, Clock, PriceProvider, utc_now
from paperdesk.data.providers.crypto_exchange import CcxtProvider
from paperdesk.data.providers.finnhub import FinnhubProvider
from paperdesk.data.providers.polygon import PolygonProvider
from paperdesk.data.providers.twelvedata import TwelveDataProvider
from paperdesk.data.providers.yahoo import YahooProvider
from paperdesk.domain import InvalidInputError

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


def paperdesk_home(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("PAPERDESK_HOME") or Path.home() / ".paperdesk").expanduser()


@dataclass(frozen=True)
class ProviderSettings:
    order: tuple[str, ...] = DEFAULT_ORDER
    api_keys: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, Limits] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    ccxt_exchange: str = "binance"
    home: Path = field(default_factory=paperdesk_home)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ProviderSettings:
        env = os.environ if environ is None else environ
        text = env.get("PAPERDESK_PROVIDERS", "")
        order = tuple(n.strip().lower() for n in text.split(",") if n.strip()) or DEFAULT_ORDER
        unknown = [name for name in order if name not in DEFAULT_ORDER]
        if unknown:
            raise InvalidInputError(
                f"PAPERDESK_PROVIDERS names unknown providers {unknown}; "
                f"expected some of {', '.join(DEFAULT_ORDER)}"
            )
        keys = {name: env[var] for name, var in KEYED.items() if env.get(var, "").strip()}
        return cls(
            order=order,
            api_keys=keys,
            ccxt_exchange=env.get("PAPERDESK_CCXT_EXCHANGE", "binance").strip() or "binance",
            home=paperdesk_home(env),
        )

    def limits_for(self, name: str) -> Limits:
        return self.limits.get(name.split(":", 1)[0], Limits())


def build_providers(
    settings: ProviderSettings,
    *,
    client: httpx.Client | None = None,
    clock: Clock = utc_now,
) -> tuple[list[PriceProvider], dict[str, str]]:
    """The enabled providers in priority order, and ``{name: why skipped}`` for the rest."""
    http = client or httpx.Client(timeout=DEFAULT_TIMEOUT, headers={"User-Agent": USER_AGENT})
    enabled: list[PriceProvider] = []
    skipped: dict[str, str] = {}
    for name in settings.order:
        if name in KEYED and name not in settings.api_keys:
            skipped[name] = f"no API key (set {KEYED[name]})"
            continue
        key = settings.api_keys.get(name)
        if name == "yahoo":
            enabled.append(YahooProvider(client=http, clock=clock))
        elif name == "twelvedata":
            enabled.append(TwelveDataProvider(key, client=http, clock=clock))
        elif name == "finnhub":
            enabled.append(FinnhubProvider(key, client=http, clock=clock))
        elif name == "alphavantage":
            enabled.append(AlphaVantageProvider(key, client=http, clock=clock))
        elif name == "polygon":
            enabled.append(PolygonProvider(key, client=http, clock=clock))
        elif name == "ccxt":
            enabled.append(CcxtProvider(settings.ccxt_exchange, clock=clock))
    return enabled, skipped
