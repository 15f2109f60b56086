"""The prebuilt statements ask the session for its connection once a transaction: again for a
SAVEPOINT (which the ask begins, so its rollback undoes its rows), again after it ends and in
the next transaction. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.orm import Session

from paperdesk.store import Database, prebuilt


def test_the_connection_is_asked_once_a_transaction_and_a_savepoint_still_rolls_back(
    database: Database,
) -> None:
    metadata = MetaData()
    kept = Table("unit_connection_rows", metadata, Column("id", Integer, primary_key=True))
    metadata.create_all(database.engine)
    add = prebuilt.Prebuilt(insert(kept))
    read = prebuilt.Prebuilt(select(kept.c.id).order_by(kept.c.id))
    try:
        with Session(database.engine) as session:
            asked: list[Any] = []
            connection = session.connection

            def counted(*arguments: Any, **options: Any) -> Any:
                asked.append(session.get_nested_transaction() is not None)
                return connection(*arguments, **options)

            session.connection = counted  # type: ignore[method-assign]
            with session.begin():
                add.execute(session, {"id": 1})
                add.execute(session, {"id": 2})
                nested = session.begin_nested()
                add.execute(session, {"id": 3})
                add.execute(session, {"id": 4})
                nested.rollback()
                add.execute(session, {"id": 5})
                assert read.fetch(session, {}) == [(1,), (2,), (5,)]
            with session.begin():
                add.execute(session, {"id": 6})
                assert read.fetch(session, {}) == [(1,), (2,), (5,), (6,)]
        # the unit, its savepoint, the unit again after it, the next unit
        assert asked == [False, True, False, False]
    finally:
        metadata.drop_all(database.engine)
