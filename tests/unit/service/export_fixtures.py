"""One traded portfolio on a SQLite ledger, shared by a test module's export tests (exporting
and refused imports change nothing, so the tests do not disturb each other)."""

from __future__ import annotations

from pathlib import Path

from paper_service_fixtures import ledger_counts, traded_portfolio

from paperdesk.domain import DataError, InvalidInputError
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database


def traded_ledger(directory: Path) -> tuple[Database, PortfolioService, int]:
    database = Database(f"sqlite:///{directory / 'ledger.db'}")
    service, pid = traded_portfolio(database, ticks=30)
    return database, service, pid


def refused(database: Database, service: PortfolioService, folder: Path) -> str:
    """Import ``folder``, which must be refused with one line and change nothing."""
    before = ledger_counts(service)
    try:
        import_portfolio(database, folder)
    except (DataError, InvalidInputError) as error:
        message = str(error)
    else:
        raise AssertionError(f"{folder} was imported")
    assert "\n" not in message
    assert ledger_counts(service) == before
    return message
