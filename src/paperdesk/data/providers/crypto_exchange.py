"""Crypto exchanges through ccxt (``fetch_ohlcv`` and ``fetch_ticker``).

ccxt returns OHLCV rows ``[ms, open, high, low, close, volume]`` with ``ms`` the candle open time
(daily candles at 00:00 UTC) and raises its own hierarchy on failure: ``RateLimitExceeded`` /
``DDoSProtection`` (HTTP 429 and 418 on Binance, ``{"code": -1003, "msg": "Too many
requests..."}``), ``RequestTimeout`` / ``ExchangeNotAvailable`` / ``NetworkError`` and
``BadSymbol``. Tests give the exchange a ``requests.Session`` whose adapter replays recorded
payloads, so ccxt's own error mapping runs. ccxt is imported on first use (it is slow), and it is
optional (``pip install 'paperdesk[crypto]'``): without it the provider says so instead of failing.
"""

from __future__ import annotations

import importlib
import importlib.util
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from paperdesk.data.providers.base import (
    Clock,
    LatestPrice,
    asset_class,
    parse_timeframe,
    split_pair,
    to_decimal,
    utc_now,
)
from paperdesk.data.providers.errors import (
    BadResponse,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
)
from paperdesk.data.providers.frames import build_frame, empty_frame, epoch_index
from paperdesk.domain import AssetClass, InvalidInputError

CCXT_MISSING = "ccxt is not installed: pip install 'paperdesk[crypto]'"
PAGE_LIMIT = 1000
MAX_PAGES = 50


class CcxtProvider:
    """Bars from one ccxt exchange (default Binance spot); only crypto symbols."""

    def __init__(
        self,
        exchange_id: str = "binance",
        *,
        exchange: Any | None = None,
        session: Any | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._exchange_id = exchange_id
        self._session = session
        self._exchange = exchange
        self.clock = clock
        self._name = f"ccxt:{exchange.id if exchange is not None else exchange_id}"

    @property
    def exchange(self) -> Any:
        """The ccxt exchange, built on first use (importing ccxt takes seconds, and listing the
        providers' status must not pay for it)."""
        if self._exchange is None:
            config: dict[str, Any] = {"enableRateLimit": True, "timeout": 10_000}
            if self._session is not None:
                config["session"] = self._session
            factory = getattr(_ccxt(), self._exchange_id, None)
            if factory is None:
                raise InvalidInputError(
                    f"ccxt has no exchange {self._exchange_id!r} (check PAPERDESK_CCXT_EXCHANGE)"
                )
            self._exchange = factory(config)
        return self._exchange

    @property
    def name(self) -> str:
        return self._name

    def market_symbol(self, symbol: str) -> str:
        base, quote = split_pair(symbol)
        return f"{base}/{quote}"

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        if asset_class(symbol) is not AssetClass.CRYPTO:
            return f"{self.name} serves crypto only"
        if self._exchange is None and (missing := ccxt_missing()) is not None:
            return missing
        frames = getattr(self.exchange, "timeframes", None) or {}
        if _ccxt_timeframe(timeframe) not in frames:
            return f"{self.name} has no {timeframe} candles"
        return None

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame:
        market = self.market_symbol(symbol)
        since = int(start.timestamp() * 1000)
        until = int(end.timestamp() * 1000)
        rows: list[list[Any]] = []
        for _ in range(MAX_PAGES):
            page = self._call(self.exchange.fetch_ohlcv, market, _ccxt_timeframe(timeframe),
                              since, PAGE_LIMIT)  # fmt: skip
            if not isinstance(page, list):
                raise BadResponse(self.name, "fetch_ohlcv did not return a list")
            rows.extend(row for row in page if row[0] <= until)
            if len(page) < PAGE_LIMIT or page[-1][0] >= until:
                break
            since = int(page[-1][0]) + 1
        if not rows:
            return empty_frame()
        instants = epoch_index([row[0] for row in rows], unit="ms")
        columns = {name: [row[i + 1] for row in rows] for i, name in enumerate(_OHLCV)}
        return build_frame(
            instants, columns, symbol=symbol, timeframe=timeframe, provider=self.name,
            start=start, end=end,
        )  # fmt: skip

    def latest_price(self, symbol: str) -> LatestPrice:
        ticker = self._call(self.exchange.fetch_ticker, self.market_symbol(symbol))
        price = ticker.get("last") or ticker.get("close")
        if price is None:
            raise BadResponse(self.name, "ticker has no last price")
        stamp = ticker.get("timestamp")
        ts = datetime.fromtimestamp(stamp / 1000, UTC) if stamp else self.clock()
        return LatestPrice(symbol, to_decimal(self.name, price), ts, self.name)

    def _call(self, method: Any, *args: Any) -> Any:
        ccxt = _ccxt()
        try:
            return method(*args)
        except (ccxt.RateLimitExceeded, ccxt.DDoSProtection) as error:
            raise RateLimited(self.name, str(error)) from error
        except ccxt.NetworkError as error:
            raise ProviderUnavailable(self.name, str(error)) from error
        except ccxt.BadSymbol as error:
            raise SymbolNotFound(self.name, str(error)) from error
        except ccxt.AuthenticationError as error:
            raise BadResponse(self.name, f"authentication: {error}") from error
        except ccxt.BaseError as error:
            raise BadResponse(self.name, str(error)) from error


_OHLCV = ("open", "high", "low", "close", "volume")


def ccxt_missing() -> str | None:
    """Why the ccxt provider cannot work here (ccxt is not installed), or None."""
    try:
        found = importlib.util.find_spec("ccxt") is not None
    except (ImportError, ValueError):
        found = False
    return None if found else CCXT_MISSING


def _ccxt() -> Any:
    """ccxt, imported on first use (it takes seconds to import); missing, the provider is
    unavailable with the command that installs it."""
    try:
        return importlib.import_module("ccxt")
    except ImportError:
        raise ProviderUnavailable("ccxt", CCXT_MISSING) from None


def _ccxt_timeframe(timeframe: str) -> str:
    frame = parse_timeframe(timeframe)
    return f"{frame.count}M" if frame.unit == "mo" else str(frame)
