"""The walk-forward's documents: the day report, plans and trades as CSV (exact decimal text),
and the day files read back (a resumed run goes on from the same text as an uninterrupted one)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paperdesk.domain import Bar
    from paperdesk.plans.modes import FilteredPlan
    from paperdesk.plans.rows import PlanRow
    from paperdesk.plans.sim_results import SimulationResult
    from paperdesk.plans.sim_rules import SimulationRules
    from paperdesk.plans.wf_days import TradingDay
    from paperdesk.plans.wf_summary import TradeRecord


def day_report(
    day: TradingDay,
    account: Any,
    plan: Any,
    filtered: FilteredPlan,
    result: SimulationResult,
    candles: Mapping[str, Sequence[Bar]],
    finer: Mapping[str, Sequence[Bar]],
    rules: SimulationRules,
) -> dict[str, object]:
    from paperdesk.service.simulation_documents import summary_document

    return {
        "day": day.name,
        "plan_made_at": day.as_of.isoformat(),
        "session_open": day.open.isoformat(),
        "session_close": day.close.isoformat(),
        "plan": plan.details,
        "equity_at_plan": format(account.equity, "f"),
        "open_exposure_at_plan": format(account.open_exposure, "f"),
        "open_trades_at_plan": account.open_trades,
        "rows_read": len(plan.rows),
        "rows_simulated": len(filtered.rows),
        "end_of_day_close": rules.end_of_day_close,
        "max_hold_days": format(rules.max_hold_days, "f"),
        "candles": {
            ticker: {
                "count": len(bars),
                "first_open": bars[0].ts_open.isoformat() if bars else None,
            }
            for ticker, bars in sorted(candles.items())
        },
        "finer_bars": {ticker: len(bars) for ticker, bars in sorted(finer.items())},
        "summary": summary_document(result.summary),
    }


PLAN_COLUMNS = (
    "ticker", "side", "qty", "entry_price", "take_profit", "stop_loss", "prob_win", "strength",
    "etth_days", "entry_datetime", "max_hold_days",
)  # fmt: skip


def plan_csv(rows: Sequence[PlanRow]) -> bytes:
    """Plan rows as a plan file the plans reader reads back (exact decimal text)."""
    records = [
        {
            "ticker": row.ticker,
            "side": row.side.value,
            "qty": row.qty,
            "entry_price": row.entry_price,
            "take_profit": row.take_profit,
            "stop_loss": row.stop_loss,
            "prob_win": row.prob_win,
            "strength": row.strength,
            "etth_days": row.etth_days,
            "entry_datetime": row.entry_datetime,
            "max_hold_days": row.max_hold_days,
        }
        for row in rows
    ]
    return csv_bytes(
        [{key: _cell(value) for key, value in record.items()} for record in records],
        PLAN_COLUMNS,
    )


def trades_csv(result: SimulationResult) -> bytes:
    """``sim_trades.csv``: the simulate command's columns and cells."""
    from paperdesk.service.simulation_documents import TRADE_COLUMNS, trade_document

    return csv_bytes(
        [
            {key: _cell(value) for key, value in trade_document(trade).items()}
            for trade in result.trades
        ],
        TRADE_COLUMNS,
    )


def read_trades(out: Path, name: str) -> list[TradeRecord]:
    """A day's trades read back from its ``sim_trades.csv``: a resumed run and an
    uninterrupted one go on from the same text."""
    from paperdesk.plans.wf_summary import TradeRecord
    from paperdesk.service.walk_forward_files import DAYS

    path = out / DAYS / name / "sim_trades.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [TradeRecord.of(name, cells) for cells in csv.DictReader(handle)]


def read_fits(out: Path, days: Sequence[TradingDay]) -> list[object]:
    """The parameters fitted per window, read back from the day reports."""
    import json

    from paperdesk.service.walk_forward_files import DAY_REPORT, DAYS

    found: dict[object, object] = {}
    for day in days:
        report = json.loads((out / DAYS / day.name / DAY_REPORT).read_text("utf-8"))
        fitted = report["plan"].get("fit")
        if fitted is not None:
            found.setdefault(fitted["window"], fitted)
    return list(found.values())


def all_trades_csv(out: Path, days: Sequence[TradingDay]) -> bytes:
    from paperdesk.service.simulation_documents import TRADE_COLUMNS
    from paperdesk.service.walk_forward_files import DAYS

    rows: list[dict[str, str]] = []
    for day in days:
        with (out / DAYS / day.name / "sim_trades.csv").open(encoding="utf-8", newline="") as f:
            rows.extend({"day": day.name, **cells} for cells in csv.DictReader(f))
    return csv_bytes(rows, ("day", *TRADE_COLUMNS))


def csv_bytes(rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None) -> bytes:
    fieldnames = list(columns) if columns is not None else list(rows[0]) if rows else []
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
