"""The fixtures' migrated ledgers (tests/ledger_templates.py) are what a first migration makes:
a reused PostgreSQL schema holds the rows and sequence positions of a newly migrated one, and a
schema whose shape a test changed is not handed out again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ledger_templates import SchemaPool, SqliteTemplate
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database, normalise_url
from table_dump import dump_all_tables


def _sequences(url: str) -> list[tuple[str, int | None]]:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = current_schema() ORDER BY sequencename"
                )
            )
            return [(name, value) for name, value in rows]
    finally:
        engine.dispose()


@pytest.fixture
def pool(postgres_server: str) -> Iterator[SchemaPool]:
    own = SchemaPool(postgres_server)
    yield own
    own.close()


@pytest.fixture
def fresh_url(postgres_server: str) -> Iterator[str]:
    """A schema migrated by ``Database`` itself, as the fixtures did before the pool."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = SchemaPool(postgres_server)
    with admin.admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = admin.url(schema)
    Database(url).close()
    yield url
    with admin.admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.admin.dispose()


def _trade_in(url: str) -> None:
    database = Database(url)
    try:
        service = PortfolioService(database)
        service.create_portfolio("first", Decimal(1000))
        service.create_portfolio("second", Decimal(2000))
    finally:
        database.close()


def test_a_schema_given_back_holds_what_a_new_migration_holds(
    pool: SchemaPool, fresh_url: str
) -> None:
    schema = pool.take()
    url = pool.url(schema)
    _trade_in(url)
    assert dump_all_tables(url) != dump_all_tables(fresh_url)  # the portfolios were written
    pool.give_back(schema)
    assert pool.take() == schema  # reused, not migrated again
    assert pool.url(schema) != url  # under a URL of its own (Redis keys, caches go by it)
    assert dump_all_tables(url) == dump_all_tables(fresh_url)
    assert _sequences(url) == _sequences(fresh_url)
    _trade_in(url)  # the ids start over as in a new ledger
    assert [row[0] for row in dump_all_tables(url)["portfolios"]] == [1, 2]


def test_a_schema_whose_shape_a_test_changed_is_dropped(pool: SchemaPool) -> None:
    schema = pool.take()
    with pool.admin.begin() as connection:
        connection.execute(text(f'ALTER TABLE "{schema}".portfolios ADD COLUMN extra INTEGER'))
    pool.give_back(schema)
    assert pool.take() != schema
    with pool.admin.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
        ).scalar_one()
    assert found == 0


def test_a_copy_of_the_sqlite_template_is_a_migrated_empty_ledger(tmp_path: Path) -> None:
    template = SqliteTemplate(tmp_path)
    copied, fresh = tmp_path / "copied.db", tmp_path / "fresh.db"
    template.copy_to(copied)
    Database(f"sqlite:///{fresh}").close()
    assert dump_all_tables(f"sqlite:///{copied}") == dump_all_tables(f"sqlite:///{fresh}")
    database = Database(f"sqlite:///{copied}")
    assert database.is_current()
    database.close()
