"""When a DAY order expires: the injected session close, or the next UTC midnight."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from paperdesk.domain import InvalidInputError

SessionClose = Callable[[str, datetime], datetime]

_ONE_MICROSECOND = timedelta(microseconds=1)


def day_order_expiry(calendar: str, ts: datetime, session_close: SessionClose | None) -> datetime:
    """The first session close strictly after ``ts``: at or after a close means the next one."""
    if session_close is None:
        next_day = ts.astimezone(UTC).date() + timedelta(days=1)
        return datetime.combine(next_day, time(0), tzinfo=UTC)
    close = session_close(calendar, ts)
    if close <= ts:
        close = session_close(calendar, ts + _ONE_MICROSECOND)
    if close <= ts:
        raise InvalidInputError(
            f"session_close({calendar!r}, {ts.isoformat()}) returned {close.isoformat()}, "
            "expected a session close after the submission time"
        )
    return close
