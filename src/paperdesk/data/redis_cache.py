"""The Redis-backed ``MarketCache`` (redis-py), used when ``REDIS_URL`` is set.

Keys are ``{prefix}price:{symbol}`` (a JSON object with the price as a decimal string, the
observation time in ISO 8601 and the source) and ``{prefix}bars:{symbol}:{timeframe}`` (the frame
as a zstd-compressed Arrow IPC stream, which keeps the index, time zones, dtypes and ``attrs``).
Symbol and timeframe are percent-encoded in keys so that ``:`` or glob characters in a symbol
cannot collide with another key or widen an ``invalidate`` scan. Every write sets a TTL
(``SET ... PX``). Any Redis failure (server gone, timeout, damaged value) is logged as a warning
and treated as a miss or a skipped write; the cache never raises on a call.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from paperdesk.data.cache import (
    DEFAULT_BARS_TTL,
    DEFAULT_PRICE_TTL,
    CachedPrice,
    check_price,
    check_ttl,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 0.5
SAFE = "/.-_^=+"


def encode_frame(frame: pd.DataFrame) -> bytes:
    """``frame`` as compressed Arrow IPC stream bytes (index and ``attrs`` included)."""
    table = pa.Table.from_pandas(frame, preserve_index=True)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="zstd")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def decode_frame(payload: bytes) -> pd.DataFrame:
    with pa.ipc.open_stream(pa.py_buffer(payload)) as reader:
        frame = reader.read_all().to_pandas()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"a cached frame decoded to {type(frame).__name__}")
    return frame


def encode_price(price: CachedPrice) -> bytes:
    document = {"price": str(price.price), "at": price.at.isoformat(), "source": price.source}
    return json.dumps(document, separators=(",", ":")).encode()


def decode_price(symbol: str, payload: bytes) -> CachedPrice:
    document = json.loads(payload)
    at = datetime.fromisoformat(document["at"])
    return CachedPrice(symbol, Decimal(document["price"]), at, str(document["source"]))


class RedisCache:
    """Latest prices and recent bars in Redis under ``prefix``; see the module docstring."""

    def __init__(
        self,
        url: str,
        prefix: str = "paperdesk:",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        client: redis.Redis | None = None,
    ) -> None:
        self.prefix = prefix
        self.client = client or redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),  # one quick retry for a dropped pooled connection
        )
        kwargs = self.client.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
        self.location = f"{where}/{kwargs.get('db', 0)}"
        self._degraded = False

    # keys

    def price_key(self, symbol: str) -> str:
        return f"{self.prefix}price:{quote(symbol, safe=SAFE)}"

    def bars_key(self, symbol: str, timeframe: str) -> str:
        return f"{self.prefix}bars:{quote(symbol, safe=SAFE)}:{quote(timeframe, safe=SAFE)}"

    # MarketCache

    def latest_price(self, symbol: str) -> CachedPrice | None:
        with self._guard("read the latest price of", symbol):
            payload = self.client.get(self.price_key(symbol))
            return None if payload is None else decode_price(symbol, _as_bytes(payload))
        return None

    def put_latest_price(
        self,
        symbol: str,
        price: Decimal,
        at: datetime,
        source: str,
        ttl_seconds: float = DEFAULT_PRICE_TTL,
    ) -> None:
        check_price(price, at, ttl_seconds)
        payload = encode_price(CachedPrice(symbol, price, at, source))
        with self._guard("store the latest price of", symbol):
            self.client.set(self.price_key(symbol), payload, px=_milliseconds(ttl_seconds))

    def recent_bars(self, symbol: str, timeframe: str) -> pd.DataFrame | None:
        with self._guard("read the bars of", f"{symbol} {timeframe}"):
            payload = self.client.get(self.bars_key(symbol, timeframe))
            return None if payload is None else decode_frame(_as_bytes(payload))
        return None

    def put_recent_bars(
        self,
        symbol: str,
        timeframe: str,
        frame: pd.DataFrame,
        ttl_seconds: float = DEFAULT_BARS_TTL,
    ) -> None:
        check_ttl(ttl_seconds)
        with self._guard("store the bars of", f"{symbol} {timeframe}"):
            payload = encode_frame(frame)
            key = self.bars_key(symbol, timeframe)
            self.client.set(key, payload, px=_milliseconds(ttl_seconds))

    def invalidate(self, symbol: str, timeframe: str | None = None) -> None:
        with self._guard("invalidate", symbol):
            if timeframe is not None:
                self.client.delete(self.bars_key(symbol, timeframe))
                return
            keys = [self.price_key(symbol)]
            pattern = f"{self.prefix}bars:{quote(symbol, safe=SAFE)}:*"
            keys.extend(self.client.scan_iter(match=_glob_escape_prefix(pattern), count=500))
            self.client.delete(*keys)

    # extras

    def ttl_left(self, symbol: str, timeframe: str | None = None) -> float | None:
        """Seconds until the price (or the bars at ``timeframe``) expire; None if not cached."""
        key = self.price_key(symbol) if timeframe is None else self.bars_key(symbol, timeframe)
        with self._guard("read the TTL of", symbol):
            left = int(self.client.pttl(key))
            return left / 1000 if left > 0 else None
        return None

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except (redis.RedisError, OSError):
            return False

    def close(self) -> None:
        self.client.close()

    @contextmanager
    def _guard(self, action: str, subject: str) -> Iterator[None]:
        """Turn a Redis or decoding failure into a warning (once per outage) and a miss."""
        try:
            yield
        except (redis.RedisError, OSError) as error:
            level = logging.DEBUG if self._degraded else logging.WARNING
            self._degraded = True
            log.log(level, "Redis cache at %s: could not %s %s: %s", self.location, action,
                    subject, error)  # fmt: skip
            return
        except (ValueError, TypeError, KeyError, pa.ArrowException) as error:
            log.warning("Redis cache: could not %s %s (bad value: %r)", action, subject, error)
            return
        if self._degraded:
            log.warning("Redis cache at %s is answering again", self.location)
            self._degraded = False


def _as_bytes(payload: object) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):  # a client made with decode_responses=True
        return payload.encode("utf-8", "surrogateescape")
    raise TypeError(f"Redis returned {type(payload).__name__}, not bytes")


def _milliseconds(ttl_seconds: float) -> int:
    return max(1, round(ttl_seconds * 1000))


def _glob_escape_prefix(pattern: str) -> str:
    """Escape glob characters except the final ``*`` (percent-encoding leaves ``[``/``]`` out,
    but a prefix may contain anything)."""
    body = pattern[:-1]
    for char in "\\*?[]":
        body = body.replace(char, "\\" + char)
    return body + "*"
