"""JSON documents for results: exact Decimals as strings, times as ISO-8601 UTC."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from paperdesk.domain import AccountEvent, MarginCalled, Side, Trade
from paperdesk.engine.open_positions import OpenPosition

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paperdesk.domain.events import SignalRejected
    from paperdesk.engine.result import BacktestResult

_NUMBERS = re.compile(r"\d[\d,.]*")  # the numbers in a refusal's reason, for its kind


def decimal_text(value: Decimal) -> str:
    """A Decimal in plain notation with every digit kept (never an exponent)."""
    return format(value, "f")


def utc_text(moment: datetime) -> str:
    """An ISO-8601 timestamp in UTC (naive times are taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC).isoformat()
    return moment.astimezone(UTC).isoformat()


STAT_DECIMALS = 6  # a statistic in JSON: 61129.76, never 61129.76000000001
_STAT_STEP = Decimal(1).scaleb(-STAT_DECIMALS)


def rounded_statistic(value: float | Decimal) -> float:
    """A finite statistic rounded half-up to 6 decimals, as a number (no float noise)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    rounded = exact.quantize(_STAT_STEP, ROUND_HALF_UP)
    return float(rounded) if rounded else 0.0


def json_value(value: object) -> object:
    """A statistic as JSON holds it: floats rounded half-up to 6 decimals (no float noise),
    an undefined one (None, or not finite) null, Decimals exact strings, times ISO-8601."""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if abs(value) >= 1e15:  # beyond what 6 decimals can add
            return value
        return rounded_statistic(value)
    return value


def trade_to_dict(trade: Trade) -> dict[str, object]:
    """One round trip as a JSON object."""
    return {
        "entry_time": utc_text(trade.ts_entry),
        "exit_time": utc_text(trade.ts_exit),
        "side": "long" if trade.side is Side.BUY else "short",
        "quantity": decimal_text(trade.quantity),
        "entry_price": decimal_text(trade.entry_price),
        "exit_price": decimal_text(trade.exit_price),
        "gross_pnl": decimal_text(trade.gross_pnl),
        "fees": decimal_text(trade.fees),
        "pnl": decimal_text(trade.pnl),
        "exit_reason": trade.exit_reason,
    }


def open_position_to_dict(held: OpenPosition) -> dict[str, object]:
    """A position still open at the end of a backtest, marked at the last close."""
    return {
        "symbol": held.symbol,
        "side": "long" if held.side is Side.BUY else "short",
        "quantity": decimal_text(held.quantity),
        "average_price": decimal_text(held.average_price),
        "opened_at": utc_text(held.ts_opened) if held.ts_opened is not None else None,
        "mark": decimal_text(held.mark),
        "market_value": decimal_text(held.market_value),
        "unrealized_pnl": decimal_text(held.unrealized_pnl),
    }


def account_event_to_dict(event: AccountEvent) -> dict[str, object]:
    """A margin call or an overdraft, with its money as exact decimal strings."""
    document: dict[str, object] = {"kind": type(event).__name__, "at": utc_text(event.ts_event)}
    if isinstance(event, MarginCalled):
        document["equity"] = decimal_text(event.equity)
        document["requirement"] = decimal_text(event.requirement)
        document["symbols"] = list(event.symbols)
    else:
        document["order_id"] = event.order_id
        document["symbol"] = event.symbol
        document["cash"] = decimal_text(event.cash)
    document["reason"] = event.reason
    return document


def refusal_kinds(rejections: Sequence[SignalRejected]) -> list[list[SignalRejected]]:
    """The router's refusals grouped by kind of reason (reasons alike but for their numbers are
    one kind), the most frequent first; kinds as frequent stay in the order they first came."""
    kinds: dict[str, list[SignalRejected]] = {}
    for rejection in rejections:
        kinds.setdefault(_NUMBERS.sub("#", rejection.reason), []).append(rejection)
    return sorted(kinds.values(), key=len, reverse=True)


def refusal_kind_to_dict(refusals: Sequence[SignalRejected]) -> dict[str, object]:
    """One kind of refusal: its reason with '#' for the numbers, how often, the first instance."""
    first = refusals[0]
    return {
        "kind": _NUMBERS.sub("#", first.reason),
        "count": len(refusals),
        "first_reason": first.reason,
        "first_at": utc_text(first.ts_event),
    }


def result_to_dict(result: BacktestResult) -> dict[str, object]:
    """The JSON document of a backtest result."""
    stats = {key: json_value(getattr(result.stats, key)) for key in result.stats.to_dict()}
    return {
        "strategy": result.config.strategy,
        "symbol": result.symbol,
        "timeframe": result.timeframe,
        "start_cash": decimal_text(result.config.cash),
        "final_equity": decimal_text(result.final_equity),
        "final_cash": decimal_text(result.final_cash),
        "stats": stats,
        "trades": [trade_to_dict(trade) for trade in result.trades],
        "open_positions": [open_position_to_dict(held) for held in result.open_positions],
        "fills": len(result.fills),
        "orders": len(result.orders),
        "rejected_signals": len(result.rejections),
        "rejection_reasons": [
            refusal_kind_to_dict(refusals) for refusals in refusal_kinds(result.rejections)
        ],
        "account_events": [account_event_to_dict(event) for event in result.account_events],
        "adjustments": [
            {"at": utc_text(moment), "reason": reason} for moment, reason in result.adjustments
        ],
        "bars": result.bars,
        "signals": result.signals,
        "adjust": result.adjust,
        "prices": result.prices,
        "data_gaps": result.data_gaps.to_dict() if result.data_gaps is not None else None,
    }


def silence_words(result: BacktestResult) -> str:
    """Why a run whose strategy gave no signal at all has no trades: too few bars for its
    warm-up (the first bar it may decide on, as ``warmup`` counts it from the first bar the
    run loads), or none of its conditions met; empty when it gave a signal."""
    from paperdesk.engine.strategies import run_strategies

    if result.signals:
        return ""
    name = result.config.strategy
    first = int(run_strategies(result.config)[name].warmup) + 1  # the 1-based first bar
    if result.bars < first:
        return (
            f" {name} gave no signal: it can decide from the run's bar {first:,} on (its "
            f"warm-up counts from the first bar loaded) and the run has {result.bars:,} bar"
            f"{'' if result.bars == 1 else 's'}; start earlier (--from) or give more bars."
        )
    return (
        f" {name} gave no signal in the run's {result.bars:,} bars (it can decide from bar "
        f"{first:,} on)."
    )
