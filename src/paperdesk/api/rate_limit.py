"""Rate limits per API key: a token bucket kept as GCRA (the generic cell rate algorithm), so
one number per key says when its bucket is full again.

A key may make ``burst`` requests at once, then one every ``60 / per_minute`` seconds; a request
over the limit is refused with 429 ``rate_limited`` and ``Retry-After`` (whole seconds until one
more request fits). With ``REDIS_URL`` the numbers live in Redis (one Lua script: read, decide,
write in one step), so every API process shares each key's limit; otherwise in this process.
If Redis does not answer, requests are let through (logged and counted): the limiter guards
capacity and must not take the API down with it, and ``/readyz`` reports Redis down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Protocol

import redis

from paperdesk.api.metrics import RATE_LIMITED, RATE_LIMITER_ERRORS

log = logging.getLogger(__name__)
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until one more request fits (refused requests only)

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after)))


@dataclass(frozen=True, slots=True)
class Limit:
    per_minute: int
    burst: int

    @property
    def interval(self) -> float:
        """Seconds between two requests at the sustained rate."""
        return 60.0 / self.per_minute

    @property
    def tolerance(self) -> float:
        """How far ahead of now a key's theoretical arrival time may run (the burst)."""
        return self.interval * (self.burst - 1)


class RateLimiter(Protocol):
    in_memory: bool  # ``hit`` does no I/O (an event loop may call it without a thread)

    def hit(self, key_id: int) -> Decision: ...


class NoLimit:
    """``rate_limit_per_minute = 0``: every request passes."""

    in_memory = True

    def hit(self, key_id: int) -> Decision:
        return Decision(True)


class InProcessLimiter:
    """The limit within this process (no ``REDIS_URL``)."""

    in_memory = True

    def __init__(self, limit: Limit, clock: Clock = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self._arrival: dict[int, float] = {}
        self._lock = Lock()

    def hit(self, key_id: int) -> Decision:
        with self._lock:
            now = self.clock()
            arrival = max(self._arrival.get(key_id, now), now)
            allowed_from = arrival - self.limit.tolerance
            if now < allowed_from:
                RATE_LIMITED.inc()
                return Decision(False, allowed_from - now)
            self._arrival[key_id] = arrival + self.limit.interval
            return Decision(True)


# KEYS[1] the key's arrival time; ARGV now, interval, tolerance (seconds, as text). Returns ""
# when allowed, else the seconds to wait (text: Lua numbers would come back truncated).
# The key expires a minute after its arrival time has passed: an expired key and one whose
# arrival time is past mean the same (a full bucket), and the margin keeps a slow caller (or a
# test's clock that is not Redis's) from losing a bucket that is still partly spent.
_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local arrival = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if arrival < now then arrival = now end
local allowed_from = arrival - tolerance
if now < allowed_from then return tostring(allowed_from - now) end
local next_arrival = arrival + interval
redis.call('SET', KEYS[1], string.format('%.6f', next_arrival),
           'PX', math.ceil((next_arrival - now) * 1000) + 60000)
return ''
"""


class RedisLimiter:
    """The limit shared by every process using this Redis (and this key prefix)."""

    in_memory = False  # a Redis round trip: called in a worker thread

    def __init__(
        self, client: redis.Redis, prefix: str, limit: Limit, clock: Clock = time.time
    ) -> None:
        self.limit = limit
        self.prefix = prefix
        self.clock = clock
        self._script = client.register_script(_GCRA)

    def hit(self, key_id: int) -> Decision:
        arguments = [f"{self.clock():.6f}", repr(self.limit.interval), repr(self.limit.tolerance)]
        try:
            answer = self._script(keys=[f"{self.prefix}ratelimit:{key_id}"], args=arguments)
        except (redis.RedisError, OSError) as error:
            RATE_LIMITER_ERRORS.inc()
            log.warning("rate limit not checked (Redis did not answer: %s)", error)
            return Decision(True)
        text = answer.decode() if isinstance(answer, bytes) else str(answer or "")
        if not text:
            return Decision(True)
        RATE_LIMITED.inc()
        return Decision(False, float(text))


def build_limiter(
    limit: Limit, redis_url: str | None, prefix: str, clock: Clock = time.time
) -> RateLimiter:
    """No limit, Redis's shared limit, or this process's, as configured."""
    if limit.per_minute <= 0:
        return NoLimit()
    if redis_url is None:
        return InProcessLimiter(limit, clock)
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    return RedisLimiter(client, prefix, limit, clock)
