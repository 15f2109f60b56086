"""The ledger's storage (the I/O edge): SQLAlchemy tables, migrations and the repository.

Only this package imports SQLAlchemy; only ``LedgerRepository`` touches a session.
"""

from paperdesk.store.bars import SqlBarStore
from paperdesk.store.database import (
    Database,
    DuplicateTickError,
    normalise_url,
)
from paperdesk.store.repository import LedgerRepository

__all__ = [
    "Database",
    "DuplicateTickError",
    "LedgerRepository",
    "SqlBarStore",
    "normalise_url",
]
