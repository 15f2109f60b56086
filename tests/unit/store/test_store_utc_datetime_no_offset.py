"""A time whose zone gives no offset is naive (Python's definition: ``utcoffset()`` is None)
and ``UtcDateTime`` refuses it as it refuses a time without a zone. Before, only a missing
``tzinfo`` was refused: ``astimezone`` took such a time for the machine's local time, so the
stored instant depended on the server's zone (SQLite and PostgreSQL alike, the one-step SQLite
binding too). The write is refused and nothing is written, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import pandas as pd
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select
from sqlalchemy.exc import StatementError

from paperdesk.store import Database
from paperdesk.store.types import UtcDateTime


class NoOffset(tzinfo):
    """A zone that does not know its offset (a ``tzinfo`` may answer None)."""

    def utcoffset(self, moment: datetime | None) -> timedelta | None:
        return None

    def dst(self, moment: datetime | None) -> timedelta | None:
        return None

    def tzname(self, moment: datetime | None) -> str:
        return "unknown"


def test_a_time_without_an_offset_is_refused_and_nothing_is_written(database: Database) -> None:
    table = Table(
        "review_times",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UtcDateTime()),
        prefixes=["TEMPORARY"],
    )
    with database.engine.connect() as connection:
        transaction = connection.begin()
        table.create(connection)
        connection.execute(insert(table), {"id": 1, "at": datetime(2020, 3, 3, 12, tzinfo=UTC)})
        no_offset = datetime(2020, 3, 3, 12, tzinfo=NoOffset())
        for value in (datetime(2020, 3, 3, 12), no_offset, pd.NaT):  # NaT: a datetime, no zone
            with pytest.raises(StatementError, match="times must be timezone-aware"):
                connection.execute(insert(table), {"id": 2, "at": value})
        assert connection.execute(select(func.count()).select_from(table)).scalar() == 1
        read = connection.execute(select(table.c.at)).scalar()
        assert read == datetime(2020, 3, 3, 12, tzinfo=UTC)
        transaction.rollback()  # the temporary table goes with it
