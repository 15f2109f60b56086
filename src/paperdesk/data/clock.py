"""What time it is: the one question every part of a run asks the same clock.

A clock is any object with ``now() -> datetime`` (timezone-aware, UTC). ``WallClock`` is real
time (live trading); ``FixedClock`` says what it is told (tests, demos, a backtest setting the
current bar's time); ``SimulatedClock`` starts somewhere and moves only when advanced (tests of
streaming and polling without real waiting).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from paperdesk.domain import InvalidInputError

__all__ = ["Clock", "FixedClock", "SimulatedClock", "WallClock"]


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInputError(f"a clock needs a timezone-aware time, not {moment.isoformat()}")
    return moment.astimezone(UTC)


class FixedClock:
    """A clock that says what it is told (tests, and demos of the live source)."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now


class SimulatedClock(FixedClock):
    """A fixed clock that can also be moved forward (never backward) by a duration."""

    def __init__(self, now: datetime) -> None:
        super().__init__(_aware(now))

    def set(self, now: datetime) -> None:
        moment = _aware(now)
        if moment < self.now():
            raise InvalidInputError(
                f"a simulated clock does not go back: {moment.isoformat()} is before "
                f"{self.now().isoformat()}"
            )
        super().set(moment)

    def advance(self, by: timedelta | float) -> datetime:
        """Move forward by ``by`` (a timedelta or seconds); returns the new time."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        self.set(self.now() + step)
        return self.now()
