"""``UtcDateTime``'s one-step binding on SQLite writes the text its two steps write
(``process_bind_param`` to naive UTC, then SQLite's ``DATETIME`` format) for any aware time in
any zone, refuses what they refuse with the same error, and a time stored through it reads back
equal on a real SQLite table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from paperdesk.store.types import UtcDateTime

DIALECT = sqlite.dialect()
ZONES = st.builds(
    timezone,
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
        lambda minutes: timedelta(minutes=minutes)
    ),
)


def _two_steps() -> Any:
    """The composition ``TypeDecorator`` builds: ``process_bind_param``, then the impl's
    (SQLite's ``DATETIME``, on the type as the dialect adapts it)."""
    return TypeDecorator.bind_processor(UtcDateTime().dialect_impl(DIALECT), DIALECT)


def _one_step() -> Any:
    """The processor SQLAlchemy binds with (the dialect's adapted type's, cached)."""
    processor = UtcDateTime()._cached_bind_processor(DIALECT)
    assert processor is not None
    return processor


@settings(max_examples=400, deadline=None)
@given(st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=ZONES))
def test_the_one_step_writes_the_two_steps_text(value: datetime) -> None:
    one_step = _one_step()
    written = one_step(value)
    assert written == _two_steps()(value)
    assert type(written) is str


@pytest.mark.parametrize(
    "value",
    [datetime(2020, 1, 1), "2020-01-01 00:00:00", 1_577_836_800, None],
    ids=["naive", "text", "number", "none"],
)
def test_what_is_refused_or_passed_through_is_the_same(value: Any) -> None:
    one_step = _one_step()
    try:
        expected: Any = _two_steps()(value)
    except Exception as refusal:  # the same class and message
        with pytest.raises(type(refusal), match=str(refusal).replace("(", r"\(")[:40]):
            one_step(value)
    else:
        assert one_step(value) == expected


def test_an_aware_time_takes_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = UtcDateTime.process_bind_param

    def counted(self: UtcDateTime, value: Any, dialect: Any) -> Any:
        calls.append(value)
        return original(self, value, dialect)

    monkeypatch.setattr(UtcDateTime, "process_bind_param", counted)
    one_step = UtcDateTime()._cached_bind_processor(sqlite.dialect())  # a dialect's own cache
    assert one_step is not None
    calls.clear()  # the probes checked at first use
    value = datetime(2020, 3, 3, 12, 30, tzinfo=timezone(timedelta(hours=5)))
    assert one_step(value) == "2020-03-03 07:30:00.000000"
    assert calls == []
    with pytest.raises(ValueError, match="timezone-aware"):
        one_step(datetime(2020, 3, 3))  # a naive time: the two steps, which refuse it
    assert calls == [datetime(2020, 3, 3)]


def test_a_stored_time_reads_back_equal() -> None:
    table = Table("times", MetaData(), Column("id", Integer, primary_key=True))
    table.append_column(Column("at", UtcDateTime()))
    engine = create_engine("sqlite://")
    written = [
        datetime(2020, 3, 3, 12, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-7))),
    ]
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(insert(table), [{"id": n, "at": at} for n, at in enumerate(written)])
        stored = connection.exec_driver_sql("SELECT at FROM times ORDER BY id").scalars().all()
        read = connection.execute(select(table.c.at).order_by(table.c.id)).scalars().all()
    assert stored == ["2020-03-03 12:00:00.000000", "2000-01-01 06:59:59.999999"]
    assert read == written
    engine.dispose()
