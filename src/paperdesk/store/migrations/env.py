"""Alembic environment: migrations run on the connection paperdesk hands over."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import MetaData, create_engine

config = context.config


def _run(connection: object, metadata: MetaData | None) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _models() -> MetaData:
    """The models' tables, which only authoring a migration compares against (autogenerate):
    an upgrade runs the scripts alone, so a fresh ledger's creation loads no ORM."""
    from paperdesk.store.models import Base

    return Base.metadata


connection: Any = config.attributes.get("connection")
if connection is not None:
    _run(connection, None)
else:  # the alembic command line, for authoring migrations
    with create_engine(config.get_main_option("sqlalchemy.url") or "").begin() as new:
        _run(new, _models())
