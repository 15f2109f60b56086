"""The bar store's three tables (``bars``, ``bar_blocks``, ``bar_series``) as SQLAlchemy Core
tables on the ledger's one ``MetaData``: the bar store reads and writes them with Core alone,
so a command that only imports or reads bars never loads the ORM (``store/models.py`` maps
its ``BarRow``, ``BarBlockRow`` and ``BarSeriesRow`` onto these same tables)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table

from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store.types import ExactDecimal, UtcDateTime

METADATA = MetaData()  # every table of the ledger (``models.Base.metadata``)


def _series(*instants: str) -> list[Column[Any]]:
    """A series' key (symbol, timeframe) and ``instants``: the primary key of each table."""
    return [
        Column("symbol", String(32), primary_key=True),
        Column("timeframe", String(8), primary_key=True),
        *(Column(name, UtcDateTime(), primary_key=True) for name in instants),
    ]


_PRICES = ("open", "high", "low", "close", "volume")  # and the volume, exact too

# One stored bar with its provenance: which source gave it (a provider's name or
# ``csv:<file name>``) and when it was fetched. Prices are exact Decimals.
BARS = Table(
    "bars",
    METADATA,
    *_series("ts"),  # ts: the open label
    Column("ts_close", UtcDateTime(), nullable=False),
    *(Column(price, ExactDecimal(), nullable=False) for price in _PRICES),
    Column("source", String(200), nullable=False),
    Column("fetched_at", UtcDateTime(), nullable=False),
    # the bar's quote (bid and ask OHLC and sizes), all NULL when the bar has none (0006)
    *(Column(field, ExactDecimal(), nullable=True) for field in QUOTE_FIELDS),
)

# A calendar month of one series' bars as one column block (``store/bar_blocks.py``): an
# Arrow IPC payload, with its first and last label, smallest and largest close time and row
# count kept as plain columns for summaries. A label of a series is stored either here or in
# ``bars``, never both (``SqlBarStore``).
BAR_BLOCKS = Table(
    "bar_blocks",
    METADATA,
    *_series("month"),  # month: its first instant
    Column("first_ts", UtcDateTime(), nullable=False),
    Column("last_ts", UtcDateTime(), nullable=False),
    Column("first_close", UtcDateTime(), nullable=False),  # the smallest ts_close
    Column("last_close", UtcDateTime(), nullable=False),  # the largest ts_close
    Column("rows", Integer(), nullable=False),
    Column("payload", LargeBinary(), nullable=False),
)

# One row per stored bar series: its version goes up in the same transaction as every write
# of its bars, so a cache (Parquet files, Redis, memory) can tell it holds the current bars.
BAR_SERIES = Table(
    "bar_series",
    METADATA,
    *_series(),
    Column("version", BigInteger(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # the class the series was imported with (``data import --asset-class``), if it was given
    Column("asset_class", String(16), nullable=True),
)
