"""The ledger's storage (the I/O edge): SQLAlchemy tables, migrations and the repository.

Only this package imports SQLAlchemy; only ``LedgerRepository`` and its ``LedgerWriter``
touch a session, and only the writer builds rows. The exports load on first use
(``paperdesk._lazy``), so reading the ledger does not import the bar store's pandas.
"""

from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports

if TYPE_CHECKING:
    from paperdesk.store.bars import SqlBarStore
    from paperdesk.store.database import (
        Database,
        DuplicateClientOrderIdError,
        DuplicateTickError,
        normalise_url,
    )
    from paperdesk.store.repository import LedgerRepository
    from paperdesk.store.writer import BarContext, LedgerWriter, TickRun

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.store.bars": ("SqlBarStore",),
        "paperdesk.store.database": (
            "Database",
            "DuplicateClientOrderIdError",
            "DuplicateTickError",
            "normalise_url",
        ),
        "paperdesk.store.repository": ("LedgerRepository",),
        "paperdesk.store.writer": ("BarContext", "LedgerWriter", "TickRun"),
    },
)

__all__ = [
    "BarContext",
    "Database",
    "DuplicateClientOrderIdError",
    "DuplicateTickError",
    "LedgerRepository",
    "LedgerWriter",
    "SqlBarStore",
    "TickRun",
    "normalise_url",
]
