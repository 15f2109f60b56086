"""A revision number on each portfolio, bumped by the database itself whenever a row that a
restore reads changes: the portfolio's totals, settings or status, and its orders, fills,
positions, ledger checkpoints and market cursors. A process that keeps a portfolio's restored
state in memory (``paperdesk.live.state_cache``) uses it only while the number it read under
the portfolio's lock is the one it left; a change made by hand counts too, so a ledger changed
behind paperdesk's back is still restored from its rows and refused.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# the tables whose rows a restore reads, each with its portfolio column
RESTORED = ("orders", "fills", "positions", "ledger_checkpoints", "market_cursors")
# the portfolio row's own columns a restore reads
COLUMNS = ("cash", "fees_paid", "realized_pnl", "status", "settings", "order_sequence")
_BUMP = "UPDATE portfolios SET revision = revision + 1"


def upgrade() -> None:
    op.add_column(
        "portfolios",
        sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False),
    )
    if op.get_context().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    """Row triggers (SQLite has no statement triggers; its row triggers are cheap)."""
    for table in RESTORED:
        for action, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER {table}_revision_{action.lower()} AFTER {action} ON {table} "
                f"BEGIN {_BUMP} WHERE id = {row}.portfolio_id; END"
            )
    op.execute(
        f"CREATE TRIGGER portfolios_revision AFTER UPDATE OF {', '.join(COLUMNS)} "
        f"ON portfolios WHEN NEW.revision = OLD.revision "
        f"BEGIN {_BUMP} WHERE id = NEW.id; END"
    )


def _postgresql_triggers() -> None:
    """Statement triggers with transition tables (a bulk insert bumps each portfolio once),
    and a row trigger on the portfolio row itself."""
    for action, transition in (("insert", "NEW"), ("delete", "OLD"), ("update", "NEW")):
        op.execute(
            f"CREATE FUNCTION paperdesk_revision_{action}() RETURNS trigger AS $$ BEGIN "
            f"{_BUMP} WHERE id IN (SELECT DISTINCT portfolio_id FROM changed); "
            "RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
        for table in RESTORED:
            op.execute(
                f"CREATE TRIGGER {table}_revision_{action} AFTER {action.upper()} ON {table} "
                f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION paperdesk_revision_{action}()"
            )
    changed = " OR ".join(
        f"NEW.{column}::text IS DISTINCT FROM OLD.{column}::text" for column in COLUMNS
    )
    op.execute(
        "CREATE FUNCTION paperdesk_portfolio_revision() RETURNS trigger AS $$ BEGIN "
        f"IF NEW.revision = OLD.revision AND ({changed}) THEN "
        "NEW.revision := OLD.revision + 1; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER portfolios_revision BEFORE UPDATE ON portfolios FOR EACH ROW "
        "EXECUTE FUNCTION paperdesk_portfolio_revision()"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS portfolios_revision ON portfolios")
        op.execute("DROP FUNCTION IF EXISTS paperdesk_portfolio_revision()")
        for action in ("insert", "delete", "update"):
            for table in RESTORED:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_revision_{action} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS paperdesk_revision_{action}()")
    else:
        op.execute("DROP TRIGGER IF EXISTS portfolios_revision")
        for table in RESTORED:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_revision_{action}")
    with op.batch_alter_table("portfolios") as batch:
        batch.drop_column("revision")
