"""The event outbox (gap-free sequence per database), ledger checkpoints and per-bar strategy
state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paperdesk.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = paperdesk.store.types.UtcDateTime(timezone=True)
_MONEY = paperdesk.store.types.ExactDecimal(length=80)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("portfolio_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("event_at", _WHEN, nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolios.id"]),
        sa.PrimaryKeyConstraint("sequence"),
    )
    op.create_index("ix_outbox_portfolio", "outbox", ["portfolio_id", "sequence"])
    counter = op.create_table(
        "outbox_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(counter, [{"id": 1, "last_sequence": 0}])
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("portfolio_id", _ID, nullable=False),
        sa.Column("last_fill_id", sa.BigInteger(), nullable=False),
        sa.Column("cash", _MONEY, nullable=False),
        sa.Column("fees_paid", _MONEY, nullable=False),
        sa.Column("realized_pnl", _MONEY, nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("recorded_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolios.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checkpoints_portfolio", "ledger_checkpoints", ["portfolio_id", "id"])
    op.create_table(
        "strategy_states",
        sa.Column("portfolio_id", _ID, nullable=False),
        sa.Column("strategy", sa.String(length=80), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolios.id"]),
        sa.PrimaryKeyConstraint("portfolio_id", "strategy", "symbol"),
    )


def downgrade() -> None:
    op.drop_table("strategy_states")
    op.drop_index("ix_checkpoints_portfolio", table_name="ledger_checkpoints")
    op.drop_table("ledger_checkpoints")
    op.drop_table("outbox_counter")
    op.drop_index("ix_outbox_portfolio", table_name="outbox")
    op.drop_table("outbox")
