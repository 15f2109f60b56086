"""The ledger's storage (the I/O edge): SQLAlchemy tables, migrations and the repository.

Only this package imports SQLAlchemy; only ``LedgerRepository`` and its ``LedgerWriter``
touch a session, and only the writer builds rows.
"""

from paperdesk.store.bars import SqlBarStore
from paperdesk.store.database import (
    Database,
    DuplicateTickError,
    normalise_url,
)
from paperdesk.store.repository import LedgerRepository
from paperdesk.store.writer import BarContext, LedgerWriter, TickRun

__all__ = [
    "BarContext",
    "Database",
    "DuplicateTickError",
    "LedgerRepository",
    "LedgerWriter",
    "SqlBarStore",
    "TickRun",
    "normalise_url",
]
