"""A version per stored bar series (bumped with every write of its bars), which caches check.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 15:40:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import paperdesk.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    series = op.create_table(
        "bar_series",
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("timeframe", sa.String(length=8), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", paperdesk.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe"),
    )
    stored = op.get_bind().execute(sa.text("SELECT DISTINCT symbol, timeframe FROM bars"))
    now = datetime.now(UTC)
    rows = [{"symbol": s, "timeframe": t, "version": 1, "updated_at": now} for s, t in stored]
    if rows:
        op.bulk_insert(series, rows)


def downgrade() -> None:
    op.drop_table("bar_series")
