"""A bar's quote: bid and ask OHLC and sizes, nullable (most bars have none).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import paperdesk.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

QUOTE_COLUMNS = (
    "bid_open",
    "bid_high",
    "bid_low",
    "bid_close",
    "bid_size",
    "ask_open",
    "ask_high",
    "ask_low",
    "ask_close",
    "ask_size",
)


def upgrade() -> None:
    with op.batch_alter_table("bars") as batch:
        for name in QUOTE_COLUMNS:
            batch.add_column(
                sa.Column(name, paperdesk.store.types.ExactDecimal(length=80), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("bars") as batch:
        for name in reversed(QUOTE_COLUMNS):
            batch.drop_column(name)
