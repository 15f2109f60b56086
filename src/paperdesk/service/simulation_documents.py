"""The plan simulator's results as files and JSON: ``sim_trades.csv`` (one row per plan row,
money as exact decimal text) and the summary document."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from paperdesk.plans.sim_results import SimulatedTrade, SimulationSummary
from paperdesk.service.documents import decimal_text, rounded_statistic, utc_text

TRADE_COLUMNS = (
    "row",
    "ticker",
    "side",
    "qty",
    "outcome",
    "entry_time",
    "entry_price",
    "take_profit",
    "stop_loss",
    "exit_time",
    "exit_price",
    "entry_fee",
    "exit_fee",
    "fees",
    "gross_pnl",
    "pnl",
    "hours_held",
    "ambiguous",
    "resolution",
    "reason",
)


def trade_document(trade: SimulatedTrade) -> dict[str, object]:
    """One simulated trade: Decimals as exact strings, times ISO-8601 UTC, None as null."""
    values: dict[str, object] = {
        "row": trade.row,
        "ticker": trade.ticker,
        "side": trade.side.value,
        "qty": trade.qty,
        "outcome": trade.outcome.value,
        "entry_time": trade.entry_time,
        "entry_price": trade.entry_price,
        "take_profit": trade.take_profit,
        "stop_loss": trade.stop_loss,
        "exit_time": trade.exit_time,
        "exit_price": trade.exit_price,
        "entry_fee": trade.entry_fee,
        "exit_fee": trade.exit_fee,
        "fees": trade.fees if trade.entry_fee is not None else None,
        "gross_pnl": trade.gross_pnl,
        "pnl": trade.pnl,
        "hours_held": trade.hours_held,
        "ambiguous": trade.ambiguous,
        "resolution": trade.resolution.value or None,
        "reason": trade.reason,
    }
    return {key: _json(value) for key, value in values.items()}


def summary_document(summary: SimulationSummary) -> dict[str, object]:
    return {
        "rows": summary.rows,
        "outcomes": dict(summary.outcomes),
        "closed": summary.closed,
        "wins": summary.wins,
        "losses": summary.losses,
        "win_rate_pct": None
        if summary.win_rate_pct is None
        else rounded_statistic(summary.win_rate_pct),
        "gross_pnl": decimal_text(summary.gross_pnl),
        "fees": decimal_text(summary.fees),
        "pnl": decimal_text(summary.pnl),
        "same_candle": {
            "ambiguous": summary.ambiguous,
            "resolved_lower_timeframe": summary.resolved_lower_timeframe,
            "stop_loss_first": summary.stop_loss_first,
            "take_profit_first": summary.take_profit_first,
        },
    }


def write_trades_csv(path: Path, trades: tuple[SimulatedTrade, ...]) -> None:
    """``sim_trades.csv``: the columns of ``TRADE_COLUMNS``, empty where a value is None."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TRADE_COLUMNS)
        writer.writeheader()
        for trade in trades:
            document = trade_document(trade)
            writer.writerow({key: _cell(value) for key, value in document.items()})


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return utc_text(value)
    return value
