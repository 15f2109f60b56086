"""Bars in column blocks: one row per (symbol, timeframe, calendar month) holding the month's
bars as one Arrow IPC payload (``store/bar_blocks.py``), beside the one-row-per-bar ``bars``
table, which keeps its rows (reads combine both).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paperdesk.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    times = paperdesk.store.types.UtcDateTime(timezone=True)
    op.create_table(
        "bar_blocks",
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("timeframe", sa.String(length=8), nullable=False),
        sa.Column("month", times, nullable=False),
        sa.Column("first_ts", times, nullable=False),
        sa.Column("last_ts", times, nullable=False),
        sa.Column("first_close", times, nullable=False),
        sa.Column("last_close", times, nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", "month"),
    )


def downgrade() -> None:
    op.drop_table("bar_blocks")
