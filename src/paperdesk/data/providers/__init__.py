"""Online price providers behind one interface, and the aggregator that rotates between them.

The exports load on first use (``paperdesk._lazy``): importing one submodule stays light.
"""

from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports

if TYPE_CHECKING:
    from paperdesk.data.providers.aggregator import (
        AllProvidersFailed,
        Attempt,
        Fallback,
        FetchResult,
        PriceResult,
        ProviderAggregator,
        ProviderStatus,
    )
    from paperdesk.data.providers.alphavantage import AlphaVantageProvider
    from paperdesk.data.providers.base import LatestPrice, PriceProvider
    from paperdesk.data.providers.breaker import CircuitBreaker, CircuitState
    from paperdesk.data.providers.crypto_exchange import CcxtProvider
    from paperdesk.data.providers.errors import (
        BadResponse,
        ProviderError,
        ProviderUnavailable,
        RateLimited,
        SymbolNotFound,
    )
    from paperdesk.data.providers.finnhub import FinnhubProvider
    from paperdesk.data.providers.polygon import PolygonProvider
    from paperdesk.data.providers.quota import (
        InMemoryQuotaStore,
        JsonFileQuotaStore,
        QuotaStore,
        QuotaTracker,
        Usage,
    )
    from paperdesk.data.providers.settings import Limits, ProviderSettings, build_providers
    from paperdesk.data.providers.twelvedata import TwelveDataProvider
    from paperdesk.data.providers.yahoo import YahooProvider

__all__ = [
    "AllProvidersFailed",
    "AlphaVantageProvider",
    "Attempt",
    "BadResponse",
    "CcxtProvider",
    "CircuitBreaker",
    "CircuitState",
    "Fallback",
    "FetchResult",
    "FinnhubProvider",
    "InMemoryQuotaStore",
    "JsonFileQuotaStore",
    "LatestPrice",
    "Limits",
    "PolygonProvider",
    "PriceProvider",
    "PriceResult",
    "ProviderAggregator",
    "ProviderError",
    "ProviderSettings",
    "ProviderStatus",
    "ProviderUnavailable",
    "QuotaStore",
    "QuotaTracker",
    "RateLimited",
    "SymbolNotFound",
    "TwelveDataProvider",
    "Usage",
    "YahooProvider",
    "build_providers",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.data.providers.aggregator": (
            "AllProvidersFailed",
            "Attempt",
            "Fallback",
            "FetchResult",
            "PriceResult",
            "ProviderAggregator",
            "ProviderStatus",
        ),
        "paperdesk.data.providers.alphavantage": ("AlphaVantageProvider",),
        "paperdesk.data.providers.base": (
            "LatestPrice",
            "PriceProvider",
        ),
        "paperdesk.data.providers.breaker": (
            "CircuitBreaker",
            "CircuitState",
        ),
        "paperdesk.data.providers.crypto_exchange": ("CcxtProvider",),
        "paperdesk.data.providers.errors": (
            "BadResponse",
            "ProviderError",
            "ProviderUnavailable",
            "RateLimited",
            "SymbolNotFound",
        ),
        "paperdesk.data.providers.finnhub": ("FinnhubProvider",),
        "paperdesk.data.providers.polygon": ("PolygonProvider",),
        "paperdesk.data.providers.quota": (
            "InMemoryQuotaStore",
            "JsonFileQuotaStore",
            "QuotaStore",
            "QuotaTracker",
            "Usage",
        ),
        "paperdesk.data.providers.settings": (
            "Limits",
            "ProviderSettings",
            "build_providers",
        ),
        "paperdesk.data.providers.twelvedata": ("TwelveDataProvider",),
        "paperdesk.data.providers.yahoo": ("YahooProvider",),
    },
)
