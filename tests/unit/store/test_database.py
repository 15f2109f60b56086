"""The database opens, migrates on first use, keeps money exact and the audit log append-only."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError

from paperdesk.domain import InvalidInputError, UnknownNameError
from paperdesk.settings import Settings
from paperdesk.store import Database, DuplicateTickError, normalise_url
from paperdesk.store.models import AuditRow, PortfolioRow, TickRunRow

NOW = datetime(2024, 3, 1, 15, 30, tzinfo=UTC)


def _portfolio(cash: Decimal) -> PortfolioRow:
    return PortfolioRow(
        name="p",
        base_currency="USD",
        starting_cash=cash,
        cash=cash,
        fees_paid=Decimal(0),
        realized_pnl=Decimal(0),
        status="active",
        settings={},
        order_sequence=0,
        created_at=NOW,
    )


def test_revisions_read_from_file_names_are_alembics_own() -> None:
    """The fast revision check (no Alembic import) agrees with Alembic's reading of the
    scripts: the same revisions, one linear chain, and its head is the newest file."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from paperdesk.store.database import _MIGRATIONS, known_revisions

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    scripts = list(script.walk_revisions())
    assert {item.revision for item in scripts} == known_revisions()
    assert script.get_current_head() == max(known_revisions())
    for item in scripts:  # NNNN revises NNNN - 1
        expected = None if item.revision == "0001" else f"{int(item.revision) - 1:04d}"
        assert item.down_revision == expected


def test_fresh_database_is_migrated_to_head(database: Database) -> None:
    assert database.current_revision() == database.head_revision() is not None
    assert database.is_current()
    assert database.upgrade()[1] == database.head_revision()  # idempotent


@pytest.mark.parametrize(
    "amount",
    ["0.1", "12345678901234567890.123456789012345678", "1E-12", "-3.14159265358979323846"],
)
def test_money_round_trips_exactly(database: Database, amount: str) -> None:
    value = Decimal(amount)
    with database.transaction() as repository:
        row = _portfolio(value)
        repository._session.add(row)
        repository._session.flush()
        portfolio_id = row.id
    with database.transaction() as repository:
        stored = repository.portfolio(portfolio_id)
        assert stored.cash == value
        assert isinstance(stored.cash, Decimal)
        assert stored.ts_created == NOW


def test_floats_are_refused_for_money(database: Database) -> None:
    def store_float() -> None:
        with database.transaction() as repository:
            repository._session.add(_portfolio(0.1))  # type: ignore[arg-type]
            repository._session.flush()

    with pytest.raises(StatementError, match="money columns take Decimal"):
        store_float()
    with database.transaction() as repository:
        assert repository.portfolios() == []


def test_unknown_portfolio_is_named(database: Database) -> None:
    with (
        pytest.raises(UnknownNameError, match="no portfolio with id 42"),
        database.transaction() as repository,
    ):
        repository.portfolio(42)


def test_tick_key_is_unique(database: Database) -> None:
    with database.transaction() as repository:
        row = _portfolio(Decimal(100))
        repository._session.add(row)
        repository._session.flush()
        portfolio_id = row.id

    def tick() -> TickRunRow:
        return TickRunRow(
            portfolio_id=portfolio_id,
            strategy="macd-cross",
            symbol="SPY",
            timeframe="1d",
            candle_at=NOW,
            candle_close_at=NOW,
            outcome="neutral",
            summary="",
            recorded_at=NOW,
        )

    with database.transaction() as repository:
        repository._session.add(tick())

    def record_again() -> None:
        with database.transaction() as repository:
            repository._session.add(tick())

    with pytest.raises(DuplicateTickError, match=r"tick_runs|uq_tick_runs_key"):
        record_again()


def test_audit_log_refuses_update_and_delete(database: Database) -> None:
    with database.transaction() as repository:
        row = _portfolio(Decimal(100))
        repository._session.add(row)
        repository._session.flush()
        repository._session.add(
            AuditRow(
                portfolio_id=row.id,
                recorded_at=NOW,
                at=NOW,
                kind="k",
                message="m",
                details={},
            )
        )
    for statement in ("UPDATE audit_log SET message = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text(statement))
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT message FROM audit_log")).scalar_one() == "m"


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


def test_database_url_is_checked() -> None:
    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    with pytest.raises(InvalidInputError, match="not mysql"):
        normalise_url("mysql://u@h/db")
    with pytest.raises(InvalidInputError, match="not a database URL"):
        normalise_url("nonsense")


def test_postgres_scheme_is_accepted_as_postgresql() -> None:
    url = normalise_url("postgres://user:secret@db.example:5432/ledger")
    assert url == "postgresql+psycopg://user:secret@db.example:5432/ledger"


def test_paperdesk_home_holds_the_default_database(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    database = Database(Settings().database_url_value())
    assert database.url == f"sqlite:///{tmp_path / 'home' / 'paperdesk.db'}"
    assert (tmp_path / "home" / "paperdesk.db").exists()
