"""Column types that keep money exact and times in UTC on every supported database.

SQLAlchemy's ``Numeric`` goes through float on SQLite; ``ExactDecimal`` stores the Decimal's own
text there instead, and an unbounded ``NUMERIC`` on PostgreSQL, so a value read back is equal to
the value written on both. Floats are refused outright: money never passes through one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact Decimal: NUMERIC on PostgreSQL, the canonical decimal string elsewhere."""

    impl = String(80)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            # imported here: the PostgreSQL dialect (50 ms) is loaded only when it is used
            from sqlalchemy.dialects import postgresql

            return dialect.type_descriptor(postgresql.NUMERIC(asdecimal=True))
        return dialect.type_descriptor(String(80))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"money columns take Decimal, got {type(value).__name__} {value!r}")
        if not value.is_finite():
            raise ValueError(f"money columns take finite Decimals, got {value}")
        if dialect.name == "postgresql":
            return value
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime (naive values are refused: their zone is unknown)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        # naive as Python defines it: no tzinfo, or one that gives no offset (``astimezone``
        # would take either for the machine's local time and store it shifted by that zone)
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"times must be timezone-aware datetimes, got {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, one function for what ``process_bind_param`` and SQLite's ``DATETIME``
        do in turn (the time in UTC, then its text ``YYYY-MM-DD HH:MM:SS.ffffff``): the
        order path binds eight times a unit, and the two steps cost about twice the one
        (docs/live-speed.md, "Orders over HTTP, eighteenth pass"). Used only when it writes
        the same text as the two steps for the probe times below; a subclass of ``datetime``
        (its own ``isoformat``) and anything not an aware datetime take the two steps."""
        composed = super().bind_processor(dialect)
        if dialect.name != "sqlite" or composed is None:
            return composed
        if any(_sqlite_text(probe) != composed(probe) for probe in _PROBES):
            return composed  # a storage format of its own: the two steps
        plain, utc = datetime, UTC

        def process(value: Any) -> Any:
            if type(value) is plain:
                zone = value.tzinfo  # UTC, what the clocks give, needs no offset asked
                if zone is utc or (zone is not None and value.utcoffset() is not None):
                    return _sqlite_text(value)
            return composed(value)

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)


def _sqlite_text(value: datetime) -> str:
    """An aware time as SQLite's ``DATETIME`` stores it after ``UtcDateTime`` took it to UTC:
    naive, every field written, microseconds included (``isoformat`` pads the year to four
    digits, as the storage format's ``%04d``)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


_PROBES = (  # the fused text is checked against the two steps with these at first use
    datetime(2020, 3, 3, 12, 0, 0, 0, tzinfo=UTC),
    datetime(1, 1, 1, 0, 0, 1, 5, tzinfo=timezone(timedelta(hours=-3))),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
)
