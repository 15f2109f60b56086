"""Alpha Vantage (https://www.alphavantage.co/documentation/): TIME_SERIES_DAILY,
TIME_SERIES_INTRADAY, FX_DAILY, FX_INTRADAY, GLOBAL_QUOTE and CURRENCY_EXCHANGE_RATE.

Success: ``{"Meta Data": {...}, "Time Series (Daily)": {"2024-01-05": {"1. open": "...", ...}}}``
(intraday keys are bar open times in ``Meta Data``'s time zone, US/Eastern for equities; FX has
no volume). Every failure is HTTP 200: ``{"Error Message": "Invalid API call. ..."}`` for an
unknown symbol, ``{"Information": "... our standard API rate limit is 25 requests per day ..."}``
(formerly ``{"Note": "... 5 calls per minute and 500 calls per day ..."}``) when throttled, and
``{"Information": "... premium endpoint ..."}`` for paid-only functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pandas as pd

from paperdesk.data.providers.base import (
    HttpProvider,
    LatestPrice,
    asset_class,
    parse_timeframe,
    split_pair,
    to_decimal,
)
from paperdesk.data.providers.errors import BadResponse, RateLimited, SymbolNotFound
from paperdesk.data.providers.frames import build_frame, empty_frame, local_index
from paperdesk.domain import AssetClass

COMPACT_DAYS = 140  # 100 trading days
INTRADAY = {"1m": "1min", "5m": "5min", "15m": "15min", "30m": "30min", "1h": "60min"}
_LIMIT_WORDS = ("rate limit", "call frequency", "requests per day", "calls per minute", "spreading")
_FIELDS = {"open": "1. open", "high": "2. high", "low": "3. low", "close": "4. close"}


class AlphaVantageProvider(HttpProvider):
    name = "alphavantage"
    base_url = "https://www.alphavantage.co"

    def unsupported_reason(self, symbol: str, timeframe: str) -> str | None:
        if asset_class(symbol) is AssetClass.CRYPTO:
            return "Alpha Vantage is not used for crypto here"
        key = str(parse_timeframe(timeframe))
        if key != "1d" and key not in INTRADAY:
            return f"Alpha Vantage has no {timeframe} series"
        return None

    def check_payload(self, response: httpx.Response, payload: Any) -> None:
        super().check_payload(response, payload)
        if not isinstance(payload, dict):
            return
        if "Error Message" in payload:
            raise SymbolNotFound(self.name, str(payload["Error Message"]))
        for key in ("Note", "Information"):
            message = payload.get(key)
            if isinstance(message, str) and not any(
                k.startswith(("Meta", "Time")) for k in payload
            ):
                if any(word in message.lower() for word in _LIMIT_WORDS):
                    raise RateLimited(self.name, message)
                raise BadResponse(self.name, message)

    def _query(self, params: dict[str, Any]) -> dict[str, Any]:
        payload = self.get_json("/query", {**params, "apikey": self.api_key})
        if not isinstance(payload, dict):
            raise BadResponse(self.name, "response is not a JSON object")
        return payload

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> pd.DataFrame:
        key = str(parse_timeframe(timeframe))
        forex = asset_class(symbol) is AssetClass.FOREX
        # Free keys get the last 100 daily bars ("compact"); "full" daily history is premium.
        recent = start >= self.clock() - timedelta(days=COMPACT_DAYS)
        params: dict[str, Any] = {"outputsize": "compact" if key == "1d" and recent else "full"}
        if forex:
            base, quote = split_pair(symbol)
            params.update(from_symbol=base, to_symbol=quote)
            params["function"] = "FX_DAILY" if key == "1d" else "FX_INTRADAY"
        else:
            params.update(symbol=symbol.strip().upper())
            params["function"] = "TIME_SERIES_DAILY" if key == "1d" else "TIME_SERIES_INTRADAY"
        if key != "1d":
            params["interval"] = INTRADAY[key]
        payload = self._query(params)
        series_key = next((k for k in payload if k.startswith("Time Series")), None)
        if series_key is None:
            raise BadResponse(self.name, f"no time series in keys {sorted(payload)}")
        series: dict[str, dict[str, str]] = payload[series_key]
        if not series:
            return empty_frame()
        meta = payload.get("Meta Data", {})
        zone = next((v for k, v in meta.items() if k.endswith("Time Zone")), "UTC")
        stamps = list(series)
        instants = local_index(stamps, "UTC" if key == "1d" else str(zone))
        columns = {name: [series[s].get(field) for s in stamps] for name, field in _FIELDS.items()}
        columns["volume"] = [series[s].get("5. volume", "0") for s in stamps]
        return build_frame(
            instants, columns, symbol=symbol, timeframe=timeframe, provider=self.name,
            start=start, end=end,
        )  # fmt: skip

    def latest_price(self, symbol: str) -> LatestPrice:
        if asset_class(symbol) is AssetClass.FOREX:
            base, quote = split_pair(symbol)
            payload = self._query(
                {"function": "CURRENCY_EXCHANGE_RATE", "from_currency": base, "to_currency": quote}
            )
            rate = payload.get("Realtime Currency Exchange Rate") or {}
            zone = str(rate.get("7. Time Zone", "UTC"))
            ts = local_index([rate.get("6. Last Refreshed", "")], zone)[0].to_pydatetime()
            return LatestPrice(
                symbol, to_decimal(self.name, rate.get("5. Exchange Rate")), ts, self.name
            )
        payload = self._query({"function": "GLOBAL_QUOTE", "symbol": symbol.strip().upper()})
        quote_data = payload.get("Global Quote") or {}
        if not quote_data:
            raise SymbolNotFound(self.name, f"no quote for {symbol}")
        return LatestPrice(
            symbol, to_decimal(self.name, quote_data.get("05. price")), self.clock(), self.name
        )
