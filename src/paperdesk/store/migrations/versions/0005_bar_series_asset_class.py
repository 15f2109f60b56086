"""The asset class a bar series was imported with (``data import --asset-class``), if given.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bar_series") as batch:
        batch.add_column(sa.Column("asset_class", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bar_series") as batch:
        batch.drop_column("asset_class")
