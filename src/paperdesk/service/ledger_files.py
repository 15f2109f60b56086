"""The audit files of an export (seed 002's paper_state/): columns, writing and strict reading.

Every number is written as exact decimal text and read back only if it is one (no floats, no
exponents, no NaN); every time is ISO-8601 UTC. A bad cell is reported with its file, line and
column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from paperdesk.domain import DataError

ORDER_COLUMNS = (
    "order_id",
    "client_order_id",
    "symbol",
    "side",
    "type",
    "quantity",
    "limit_price",
    "stop_price",
    "time_in_force",
    "role",
    "parent_id",
    "children",
    "status",
    "filled_quantity",
    "average_price",
    "triggered",
    "size_fraction",
    "strategy",
    "reason",
    "submitted_at",
    "eligible_at",
    "expires_at",
    "updated_at",
)
FILL_COLUMNS = (
    "fill_id",
    "order_id",
    "symbol",
    "side",
    "quantity",
    "price",
    "fee",
    "slippage",
    "notional",
    "filled_at",
    "strategy",
    "reason",
)
POSITION_COLUMNS = (
    "symbol",
    "quantity",
    "average_price",
    "cost",
    "realized_pnl",
    "last_price",
    "market_value",
    "unrealized_pnl",
    "opened_at",
)
PNL_COLUMNS = (
    "at",
    "cash",
    "positions_value",
    "equity",
    "realized_pnl",
    "unrealized_pnl",
    "fees_paid",
)

_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

Row = dict[str, str]


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The UTF-8 text of an exported CSV file: a header line, then one line per row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8")


class CsvReader:
    """Rows of one exported CSV file, with typed, located accessors for their cells."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.name = path.name
        self.line = 1
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                lines = list(csv.reader(handle))
        except FileNotFoundError:
            raise DataError(f"{path.name} is missing from {path.parent}") from None
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise DataError(f"cannot read {path}: {error}") from None
        if not lines or tuple(lines[0]) != tuple(columns):
            found = ",".join(lines[0]) if lines else "an empty file"
            raise DataError(f"{path.name}: expected the header {','.join(columns)}, got {found}")
        self._rows: list[tuple[int, Row]] = []
        for number, cells in enumerate(lines[1:], start=2):
            if not cells:
                continue
            if len(cells) != len(columns):
                raise DataError(
                    f"{path.name} line {number}: expected {len(columns)} cells, got {len(cells)}"
                )
            self._rows.append((number, dict(zip(columns, cells, strict=True))))

    def rows(self) -> Iterable[Row]:
        for number, row in self._rows:
            self.line = number
            yield row

    def __len__(self) -> int:
        return len(self._rows)

    def fail(self, message: str) -> DataError:
        return DataError(f"{self.name} line {self.line}: {message}")

    def text(self, row: Row, column: str, *, required: bool = True) -> str:
        value = row[column]
        if required and not value:
            raise self.fail(f"{column} is empty")
        return value

    def decimal(self, row: Row, column: str) -> Decimal:
        value = row[column]
        if not _DECIMAL.match(value):
            raise self.fail(f"{column} {value!r} is not an exact decimal number")
        return Decimal(value)

    def optional_decimal(self, row: Row, column: str) -> Decimal | None:
        return self.decimal(row, column) if row[column] else None

    def moment(self, row: Row, column: str) -> datetime:
        value = row[column]
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{column} {value!r} is not an ISO-8601 time") from None
        if parsed.tzinfo is None or parsed.utcoffset() != UTC.utcoffset(None):
            raise self.fail(f"{column} {value!r} is not in UTC")
        return parsed.astimezone(UTC)

    def optional_moment(self, row: Row, column: str) -> datetime | None:
        return self.moment(row, column) if row[column] else None

    def integer(self, row: Row, column: str) -> int:
        value = row[column]
        if not value.isdigit():
            raise self.fail(f"{column} {value!r} is not a whole number")
        return int(value)

    def flag(self, row: Row, column: str) -> bool:
        value = row[column]
        if value not in ("true", "false"):
            raise self.fail(f"{column} {value!r} is not true or false")
        return value == "true"
