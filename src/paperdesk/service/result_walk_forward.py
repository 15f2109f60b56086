"""The report document of a walk-forward evidence folder (``paperdesk walkforward --out DIR``).

It is read from the folder's period files, never from a database: ``manifest.json`` (the
capital and the period), ``daily_equity.csv`` (the curve), ``all_trades.csv`` (the trades) and
``summary.json`` (checked against the trades). A missing, unreadable or inconsistent file is
an ``InvalidInputError`` naming the file (and the line and column of a bad cell).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from paperdesk.domain import InvalidInputError
from paperdesk.plans.wf_summary import CLOSED, OUTCOMES, TradeRecord, period_stats
from paperdesk.service.result_parts import (
    CurvePoint,
    Document,
    ReportTrade,
    as_utc,
    result_document,
)
from paperdesk.service.walk_forward_files import ALL_TRADES, DAILY_EQUITY, MANIFEST, SUMMARY

EQUITY_COLUMNS = ("date", "close_time", "equity", "open_trades")
TRADE_COLUMNS = (
    "day", "ticker", "side", "qty", "outcome", "entry_time", "entry_price", "exit_time",
    "exit_price", "fees", "gross_pnl", "pnl", "hours_held", "resolution", "reason",
)  # fmt: skip
Value = TypeVar("Value")


def walk_forward_report(folder: Path, title: str | None = None) -> Document:
    """The report document of the evidence folder ``folder``."""
    folder = folder.expanduser()
    if not folder.is_dir():
        raise InvalidInputError(f"walk-forward folder '{folder}' not found (give --out's folder)")
    manifest = _json_object(folder, MANIFEST)
    summary = _json_object(folder, SUMMARY)
    capital = _decimal(manifest.get("capital"), MANIFEST, "capital")
    first = _date(manifest.get("from"), MANIFEST, "from")
    last = _date(manifest.get("to"), MANIFEST, "to")
    equity_rows = _csv_rows(folder, DAILY_EQUITY, EQUITY_COLUMNS)
    trade_rows = _csv_rows(folder, ALL_TRADES, TRADE_COLUMNS)
    points = [
        CurvePoint(
            _cell(row, line, DAILY_EQUITY, "close_time", _moment),
            _cell(row, line, DAILY_EQUITY, "equity", Decimal),
        )
        for line, row in equity_rows
    ]
    for line, row in equity_rows:
        _cell(row, line, DAILY_EQUITY, "open_trades", int)
    trades = [_trade(row, line) for line, row in trade_rows]
    records = [TradeRecord.of(row["day"], row) for _, row in trade_rows]  # checked above
    closed = [record for record in records if record.closed]
    _check_summary(summary, trades)
    stats = period_stats(capital, closed, [row for _, row in equity_rows])
    final = points[-1].equity if points else capital
    start = datetime.combine(first, time(0), tzinfo=UTC)
    end = points[-1].ts if points else datetime.combine(last, time(23, 59, 59), tzinfo=UTC)
    plans = manifest.get("strategy") or "plan files"
    mode = manifest.get("mode") or "no mode"
    return result_document(
        kind="walk_forward",
        title=title or f"Walk-forward {first} to {last} ({plans}, {mode})",
        start=start,
        end=end,
        stats=stats,
        points=points,
        trades=trades,
        known_outcomes=OUTCOMES,
        start_equity=capital,
        final_equity=final,
        details={
            "folder": str(folder),
            "from": first.isoformat(),
            "to": last.isoformat(),
            "trading_days": summary.get("trading_days"),
            "plans": summary.get("plans"),
            "mode": manifest.get("mode"),
            "strategy": manifest.get("strategy"),
            "timeframe": manifest.get("timeframe"),
            "capital": str(capital),
            "exposure_cap": manifest.get("exposure_cap"),
            "returns": "daily: the equity at each session close, XNYS sessions a year",
        },
        warnings=_warnings(summary),
    )


def _warnings(summary: Mapping[str, Any]) -> list[str]:
    """The run's warnings as ``summary.json`` keeps them (its candles' long gaps; none in
    evidence written before 2026-12-06)."""
    warnings = summary.get("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        raise InvalidInputError(f"{SUMMARY}: 'warnings' must be a list of texts")
    return warnings


def _json_object(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    if not path.is_file():
        raise InvalidInputError(
            f"walk-forward folder '{folder}' has no {name} (not a complete evidence folder: "
            "run paperdesk walkforward to the end, it writes the period files last)"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InvalidInputError(f"{path}: not readable JSON ({_reason(error)})") from None
    if not isinstance(document, dict):
        raise InvalidInputError(f"{path}: expected a JSON object")
    return document


def _csv_rows(folder: Path, name: str, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    path = folder / name
    if not path.is_file():
        raise InvalidInputError(
            f"walk-forward folder '{folder}' has no {name} (not a complete evidence folder: "
            "run paperdesk walkforward to the end, it writes the period files last)"
        )
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in columns if column not in header]
            if missing:
                raise InvalidInputError(f"{path}: missing column(s) {', '.join(missing)}")
            return [(line, dict(row)) for line, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InvalidInputError(f"{path}: not readable CSV ({_reason(error)})") from None


def _cell(
    row: Mapping[str, str | None], line: int, name: str, column: str, read: Callable[[str], Value]
) -> Value:
    text = row.get(column)
    if text is None or text == "":
        raise InvalidInputError(f"{name} line {line}: {column} is empty")
    try:
        return read(text)
    except (ValueError, InvalidOperation):
        raise InvalidInputError(f"{name} line {line}: {column} {text!r} is not valid") from None


def _optional(
    row: Mapping[str, str | None], line: int, column: str, read: Callable[[str], Value]
) -> Value | None:
    if not row.get(column):
        return None
    return _cell(row, line, ALL_TRADES, column, read)


def _trade(row: Mapping[str, str | None], line: int) -> ReportTrade:
    side = _cell(row, line, ALL_TRADES, "side", str).lower()
    if side not in ("buy", "sell"):
        raise InvalidInputError(f"{ALL_TRADES} line {line}: side {side!r} is not buy or sell")
    outcome = _cell(row, line, ALL_TRADES, "outcome", str)
    _cell(row, line, ALL_TRADES, "day", date.fromisoformat)
    pnl = _optional(row, line, "pnl", Decimal)
    _optional(row, line, "gross_pnl", Decimal)
    if outcome in CLOSED and pnl is None:
        raise InvalidInputError(f"{ALL_TRADES} line {line}: a {outcome} trade without pnl")
    return ReportTrade(
        symbol=_cell(row, line, ALL_TRADES, "ticker", str),
        side="long" if side == "buy" else "short",
        quantity=_cell(row, line, ALL_TRADES, "qty", Decimal),
        outcome=outcome,
        entry_time=_optional(row, line, "entry_time", _moment),
        exit_time=_optional(row, line, "exit_time", _moment),
        entry_price=_optional(row, line, "entry_price", Decimal),
        exit_price=_optional(row, line, "exit_price", Decimal),
        pnl=pnl if outcome in CLOSED else None,
        fees=_optional(row, line, "fees", Decimal),
        hours_held=_optional(row, line, "hours_held", Decimal),
        exit_reason=row.get("reason") or "",
    )


def _check_summary(summary: Mapping[str, Any], trades: Sequence[ReportTrade]) -> None:
    """The summary must say what the trades say (a folder edited by hand is refused)."""
    closed = [t for t in trades if t.pnl is not None]
    total = sum((t.pnl for t in closed if t.pnl is not None), Decimal(0))
    said_trades, said_pnl = summary.get("trades"), summary.get("pnl")
    if said_trades != len(closed):
        raise InvalidInputError(
            f"{SUMMARY} says {said_trades} closed trades but {ALL_TRADES} holds {len(closed)}"
        )
    try:
        matches = Decimal(str(said_pnl)) == total
    except InvalidOperation:
        matches = False
    if not matches:
        raise InvalidInputError(
            f"{SUMMARY} says a P&L of {said_pnl} but the trades of {ALL_TRADES} sum to {total}"
        )


def _decimal(value: object, name: str, key: str) -> Decimal:
    try:
        found = Decimal(str(value))
    except InvalidOperation:
        found = None
    if value is None or found is None or not found.is_finite() or found <= 0:
        raise InvalidInputError(f"{name}: {key} {value!r} is not a positive number")
    return found


def _date(value: object, name: str, key: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInputError(f"{name}: {key} {value!r} is not a date (YYYY-MM-DD)") from None


def _moment(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text))


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


__all__ = ["walk_forward_report"]
