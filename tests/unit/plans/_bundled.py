"""Real bundled bars for the plan tests, and the raw CSV rows the hand checks quote."""

from __future__ import annotations

import csv
import functools
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources

from paperdesk.data import find_bundled, load_bars
from paperdesk.domain import Bar, Side
from paperdesk.plans.candles import candles_of
from paperdesk.plans.rows import PlanRow


@functools.cache
def candles(symbol: str, timeframe: str, first_day: str, last_day: str) -> tuple[Bar, ...]:
    """The regular-session bars of a bundled series from ``first_day`` to ``last_day``."""
    frame = load_bars(find_bundled(symbol, timeframe)).loc[first_day:last_day]
    return tuple(candles_of(frame, symbol, timeframe))


def csv_prices(file_name: str, timestamp: str) -> tuple[str, str, str, str]:
    """open, high, low, close of one row of a bundled file, read as text with the csv module
    (not through paperdesk's reader): what a person checking by hand sees in the file."""
    path = resources.files("paperdesk.data.bundled").joinpath(file_name)
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["timestamp"] == timestamp:
                return record["open"], record["high"], record["low"], record["close"]
    raise AssertionError(f"{file_name} has no row at {timestamp}")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def plan_row(
    ticker: str,
    entry: str,
    *,
    side: Side = Side.BUY,
    qty: str = "10",
    price: str = "0",
    take_profit: str | None = None,
    stop_loss: str | None = None,
    max_hold_days: str | None = None,
    row: int = 1,
) -> PlanRow:
    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return PlanRow(
        row=row,
        ticker=ticker,
        side=side,
        qty=Decimal(qty),
        entry_price=Decimal(price),
        take_profit=number(take_profit),
        stop_loss=number(stop_loss),
        entry_datetime=utc(entry),
        max_hold_days=number(max_hold_days),
    )
