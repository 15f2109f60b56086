"""A circuit breaker per provider: closed -> open (cool-down) -> half-open (one trial call).

``failure_threshold`` consecutive failures open the circuit for ``cooldown`` seconds (or the
provider's Retry-After, whichever is longer). When the cool-down has passed the circuit is
half-open: one call goes through; success closes it, failure opens it again with the cool-down
doubled (up to ``max_cooldown``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True)
class BreakerSnapshot:
    state: CircuitState
    consecutive_failures: int
    open_until: datetime | None
    last_error: str | None


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 1,
        cooldown: float = 60.0,
        max_cooldown: float = 3600.0,
    ) -> None:
        self.failure_threshold = max(1, failure_threshold)
        self.base_cooldown = cooldown
        self.max_cooldown = max_cooldown
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._trips = 0
        self._open_until: datetime | None = None
        self._trial_in_flight = False
        self._last_error: str | None = None
        self._lock = threading.Lock()

    def state(self, now: datetime) -> CircuitState:
        with self._lock:
            return self._current(now)

    def _current(self, now: datetime) -> CircuitState:
        if self._state is CircuitState.OPEN and self._open_until and now >= self._open_until:
            self._state = CircuitState.HALF_OPEN
            self._trial_in_flight = False
        return self._state

    def allow(self, now: datetime) -> bool:
        """Whether a call may go out now (in half-open, only the one trial call)."""
        with self._lock:
            state = self._current(now)
            if state is CircuitState.CLOSED:
                return True
            if state is CircuitState.HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def cancel_trial(self) -> None:
        """Give back a half-open trial that was granted but not used."""
        with self._lock:
            self._trial_in_flight = False

    def record_success(self) -> None:
        with self._lock:
            self._state = CircuitState.CLOSED
            self._failures = 0
            self._trips = 0
            self._open_until = None
            self._trial_in_flight = False

    def record_failure(self, now: datetime, reason: str, retry_after: float | None = None) -> None:
        with self._lock:
            self._last_error = reason
            self._failures += 1
            half_open = self._current(now) is CircuitState.HALF_OPEN
            if not half_open and self._failures < self.failure_threshold:
                return
            cooldown = min(self.max_cooldown, self.base_cooldown * (2**self._trips))
            if retry_after is not None:
                cooldown = max(cooldown, retry_after)
            self._trips += 1
            self._state = CircuitState.OPEN
            self._open_until = now + timedelta(seconds=cooldown)
            self._trial_in_flight = False

    def snapshot(self, now: datetime) -> BreakerSnapshot:
        with self._lock:
            state = self._current(now)
            open_until = self._open_until if state is CircuitState.OPEN else None
            return BreakerSnapshot(state, self._failures, open_until, self._last_error)
