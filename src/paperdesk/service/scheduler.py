"""Run a portfolio's ticks on a schedule until stopped (``paperdesk run --every 1m``).

The scheduler only decides WHEN to tick: each round ticks every symbol once through the
callable it is given (the portfolio service's ``tick``), then waits for the next multiple of
the interval. ``stop()`` (called by a signal handler) is honoured between ticks, so a tick in
progress always finishes its transaction; the wait is interruptible, so stopping is prompt.
Waiting and time are injectable, so tests run without sleeping.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from paperdesk.domain import InvalidInputError, PaperdeskError
from paperdesk.domain.ticks import BarTick

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$", re.IGNORECASE)

TickFunction = Callable[[str], list[BarTick]]
Wait = Callable[[float], None]


MAX_INTERVAL_SECONDS = 366 * 86400.0


def parse_interval(text: str) -> float:
    """Seconds from ``30s``, ``1m``, ``4h``, ``1d`` or a plain number of seconds."""
    match = _INTERVAL.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise InvalidInputError(
            f"invalid interval {text!r} (expected a positive duration such as 30s, 1m, 4h or 1d)"
        )
    seconds = float(match.group(1)) * UNITS[(match.group(2) or "s").lower()]
    if seconds > MAX_INTERVAL_SECONDS:
        raise InvalidInputError(f"interval {text!r} is longer than the longest allowed, 366d")
    return seconds


@dataclass(frozen=True, slots=True)
class RoundReport:
    """What one round did: each symbol's ticks, or the error that symbol's tick raised
    (``new_errors``: those no earlier round of the run raised, so a report says each once)."""

    number: int
    ticks: dict[str, list[BarTick]]
    errors: dict[str, str]
    new_errors: dict[str, str] = field(default_factory=dict)


class Scheduler:
    def __init__(
        self,
        tick: TickFunction,
        symbols: Sequence[str],
        every: float,
        *,
        wait: Wait | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_round: Callable[[RoundReport], None] | None = None,
    ) -> None:
        if not symbols:
            raise InvalidInputError("nothing to run: no symbols to tick")
        if every <= 0:
            raise InvalidInputError(f"the interval must be positive, got {every}")
        self._tick = tick
        self.symbols = tuple(symbols)
        self.every = every
        self._stopped = threading.Event()
        self._wait = wait or self._interruptible_wait
        self._clock = clock
        self._on_round = on_round
        self.rounds = 0
        self.failed_ticks = 0  # ticks that raised an error, over the whole run
        self._seen_errors: set[tuple[str, str]] = set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    @property
    def distinct_errors(self) -> int:
        """How many different (symbol, error) pairs the run's ticks raised."""
        return len(self._seen_errors)

    def stop(self) -> None:
        """Ask the loop to end after the tick in progress (safe from a signal handler)."""
        self._stopped.set()

    def run(self, max_rounds: int | None = None) -> int:
        """Tick every symbol each interval until stopped or ``max_rounds`` rounds; return how
        many rounds ran."""
        if max_rounds is not None and max_rounds < 1:
            raise InvalidInputError(f"--max-ticks must be at least 1, got {max_rounds}")
        start = self._clock()
        while not self.stopped:
            self._round()
            if max_rounds is not None and self.rounds >= max_rounds:
                break
            elapsed = self._clock() - start
            due = (int(elapsed // self.every) + 1) * self.every
            if not self.stopped:
                self._wait(max(due - elapsed, 0.0))
        return self.rounds

    def _round(self) -> None:
        self.rounds += 1
        ticks: dict[str, list[BarTick]] = {}
        errors: dict[str, str] = {}
        for symbol in self.symbols:
            if self.stopped:
                break
            try:
                ticks[symbol] = self._tick(symbol)
            except PaperdeskError as error:  # one bad symbol does not stop the others
                errors[symbol] = str(error)
        self.failed_ticks += len(errors)
        new = {s: e for s, e in errors.items() if (s, e) not in self._seen_errors}
        self._seen_errors.update(new.items())
        if self._on_round is not None:
            self._on_round(RoundReport(self.rounds, ticks, errors, new))

    def _interruptible_wait(self, seconds: float) -> None:
        self._stopped.wait(seconds)
