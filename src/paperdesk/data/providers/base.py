"""The provider interface, the latest-price record and the shared httpx plumbing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, runtime_checkable

import httpx
import pandas as pd

from paperdesk.data.instruments import UnknownSymbolError, compact_symbol, instrument_for
from paperdesk.data.providers.errors import (
    BadResponse,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
)
from paperdesk.domain import AssetClass, InvalidInputError, Timeframe

Clock = Callable[[], datetime]
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) paperdesk/0.1"
CRYPTO_QUOTES = ("USDT", "USDC", "BUSD", "USD", "EUR", "BTC", "ETH")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LatestPrice:
    """The most recent price a provider knows for ``symbol`` and when it was observed."""

    symbol: str
    price: Decimal
    ts: datetime
    provider: str


@runtime_checkable
class PriceProvider(Protocol):
    """One source of bars. Failures raise the typed errors of ``providers.errors``."""

    @property
    def name(self) -> str: ...

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        """Why this provider cannot serve ``symbol`` at ``timeframe``, or None if it can."""
        ...

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame: ...

    def latest_price(self, symbol: str) -> LatestPrice: ...


def asset_class(symbol: str) -> AssetClass:
    """How to ask a provider for ``symbol``: its instrument's class; a symbol paperdesk does not
    know is asked for as a stock (the provider says whether it exists)."""
    try:
        return instrument_for(symbol).asset_class
    except UnknownSymbolError:
        return AssetClass.EQUITY


def split_pair(symbol: str) -> tuple[str, str]:
    """Base and quote of a forex or crypto symbol (``EURUSD``, ``BTC/USDT``, ``BTC-USD``)."""
    text = symbol.strip().upper()
    for separator in ("/", "-", "_"):
        if separator in text:
            base, quote = text.split(separator, 1)
            return base, quote.split(":", 1)[0]
    compact = compact_symbol(text)
    if asset_class(text) is AssetClass.FOREX:
        return compact[:3], compact[3:]
    for quote in CRYPTO_QUOTES:
        if compact.endswith(quote) and len(compact) > len(quote):
            return compact[: -len(quote)], quote
    raise InvalidInputError(f"cannot split {symbol!r} into base and quote currencies")


def parse_timeframe(timeframe: str) -> Timeframe:
    return Timeframe.parse(timeframe)


def to_decimal(provider: str, value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BadResponse(provider, f"price {value!r} is not a number") from None


def retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class HttpProvider:
    """Shared GET-JSON logic: transport failures and status codes become typed errors.

    Subclasses set ``name`` and ``base_url``; ``client`` is injectable (tests pass an
    ``httpx.Client`` whose transport replays recorded responses) and so is ``base_url`` (a
    local server speaking the provider's format, e.g. ``PAPERDESK_YAHOO_URL`` in tests).
    """

    name = "http"
    base_url = ""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        client: httpx.Client | None = None,
        clock: Clock = utc_now,
        base_url: str | None = None,
    ) -> None:
        self.api_key = api_key
        if base_url:
            self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(
            timeout=DEFAULT_TIMEOUT, headers={"User-Agent": USER_AGENT}
        )
        self.clock = clock

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        try:
            response = self.client.get(url, params=dict(params or {}))
        except httpx.TimeoutException as error:
            raise ProviderUnavailable(self.name, f"timed out: {error!r}") from error
        except httpx.TransportError as error:
            raise ProviderUnavailable(self.name, f"connection failed: {error!r}") from error
        payload = self._decode(response)
        self.check_payload(response, payload)
        return payload

    def _decode(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    def check_payload(self, response: httpx.Response, payload: Any) -> None:
        """Raise the typed error for a failed response; subclasses read their error shapes."""
        status = response.status_code
        message = self.error_message(payload) or response.text[:200] or response.reason_phrase
        if status == 429:
            raise RateLimited(self.name, f"HTTP 429: {message}", retry_after(response.headers))
        if status >= 500:
            raise ProviderUnavailable(self.name, f"HTTP {status}: {message}")
        if status == 404:
            raise SymbolNotFound(self.name, f"HTTP 404: {message}")
        if status >= 400:
            raise BadResponse(self.name, f"HTTP {status}: {message}")
        if payload is None:
            raise BadResponse(self.name, f"response is not JSON: {response.text[:200]!r}")

    def error_message(self, payload: Any) -> str | None:
        if isinstance(payload, dict):
            for key in ("error", "message", "msg"):
                value = payload.get(key)
                if isinstance(value, str) and value:
                    return value
        return None
