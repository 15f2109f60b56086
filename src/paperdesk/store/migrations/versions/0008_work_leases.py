"""The worker's per-portfolio work leases (which worker holds a portfolio's round, until when,
and when it is next due).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paperdesk.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WHEN = paperdesk.store.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "work_leases",
        sa.Column(
            "portfolio_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("lease_expires_at", _WHEN, nullable=True),
        sa.Column("last_round_at", _WHEN, nullable=True),
        sa.Column("next_due_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolios.id"]),
        sa.PrimaryKeyConstraint("portfolio_id"),
    )
    op.create_index("ix_work_leases_next_due", "work_leases", ["next_due_at"])


def downgrade() -> None:
    op.drop_index("ix_work_leases_next_due", table_name="work_leases")
    op.drop_table("work_leases")
