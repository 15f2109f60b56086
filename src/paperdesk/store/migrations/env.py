"""Alembic environment: migrations run on the connection paperdesk hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from paperdesk.store.models import Base

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line, for authoring migrations
    with create_engine(config.get_main_option("sqlalchemy.url") or "").begin() as new:
        _run(new)
