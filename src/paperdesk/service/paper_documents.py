"""JSON documents for paper portfolios: exact Decimals as strings, times as ISO-8601 UTC.

Shared by the CLI's ``--json`` output and the ``state.json`` export, so a script sees the same
shapes everywhere.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from paperdesk.domain import Fill, Order, Trade
from paperdesk.domain.ticks import BarTick, SignalOutcome
from paperdesk.service.documents import decimal_text, utc_text
from paperdesk.service.views import (
    AuditView,
    EquityView,
    FeedHealth,
    PortfolioDetail,
    PortfolioSummary,
    PositionView,
    SignalView,
    TickRunView,
)

if TYPE_CHECKING:
    from paperdesk.service.performance_views import SignalDetail

Document = dict[str, Any]


def money(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def moment(value: datetime | None) -> str | None:
    return None if value is None else utc_text(value)


def summary_document(summary: PortfolioSummary) -> Document:
    return {
        "id": summary.id,
        "name": summary.name,
        "status": summary.status,
        "base_currency": summary.base_currency,
        "starting_cash": decimal_text(summary.starting_cash),
        "cash": decimal_text(summary.cash),
        "positions_value": decimal_text(summary.positions_value),
        "equity": decimal_text(summary.equity),
        "realized_pnl": decimal_text(summary.realized_pnl),
        "fees_paid": decimal_text(summary.fees_paid),
        "realized_pnl_net": decimal_text(summary.realized.net),
        "unrealized_pnl": decimal_text(summary.unrealized_pnl),
        "total_pnl": decimal_text(summary.total_pnl),
        "created_at": utc_text(summary.ts_created),
    }


def position_document(position: PositionView) -> Document:
    return {
        "symbol": position.symbol,
        "quantity": decimal_text(position.quantity),
        "average_price": decimal_text(position.average_price),
        "cost": decimal_text(position.cost),
        "last_price": decimal_text(position.last_price),
        "market_value": decimal_text(position.market_value),
        "unrealized_pnl": decimal_text(position.unrealized_pnl),
        "opened_at": moment(position.ts_opened),
    }


def order_document(order: Order) -> Document:
    return {
        "order_id": order.order_id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "type": order.order_type.value,
        "quantity": decimal_text(order.quantity),
        "limit_price": money(order.limit_price),
        "stop_price": money(order.stop_price),
        "time_in_force": order.time_in_force.value,
        "role": order.role.value,
        "parent_id": order.parent_id,
        "status": order.status.value,
        "filled_quantity": decimal_text(order.filled_quantity),
        "average_price": money(order.average_price),
        "submitted_at": utc_text(order.ts_submitted),
        "expires_at": moment(order.ts_expire),
        "updated_at": moment(order.ts_updated),
        "strategy": order.strategy,
        "reason": order.reason,
    }


def fill_document(fill: Fill) -> Document:
    return {
        "order_id": fill.order_id,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "quantity": decimal_text(fill.quantity),
        "price": decimal_text(fill.price),
        "fee": decimal_text(fill.fee),
        "slippage": decimal_text(fill.slippage),
        "filled_at": utc_text(fill.ts),
    }


def trade_document(trade: Trade) -> Document:
    return {
        "symbol": trade.symbol,
        "side": trade.direction,
        "quantity": decimal_text(trade.quantity),
        "entry_price": decimal_text(trade.entry_price),
        "exit_price": decimal_text(trade.exit_price),
        "entry_at": utc_text(trade.ts_entry),
        "exit_at": utc_text(trade.ts_exit),
        "gross_pnl": decimal_text(trade.gross_pnl),
        "fees": decimal_text(trade.fees),
        "pnl": decimal_text(trade.pnl),
        "strategy": trade.strategy,
        "exit_reason": trade.exit_reason,
    }


def signal_document(signal: SignalView) -> Document:
    return {
        "id": signal.id,
        "strategy": signal.strategy,
        "symbol": signal.symbol,
        "candle_at": utc_text(signal.ts_bar),
        "direction": signal.direction,
        "confidence": signal.confidence,
        "stop": money(signal.stop),
        "target": money(signal.target),
        "reason": signal.reason,
        "status": signal.status,
        "rejection": signal.rejection,
    }


def signal_detail_document(detail: SignalDetail) -> Document:
    """``signal_document`` with the keys the API's ``GET /portfolios/{id}/signals`` gives the
    same things, their values alike: ``ts`` (the bar, as ``candle_at``), ``decision`` (as
    ``status``), ``decision_reason`` (as ``rejection``), ``entry`` (the close of the signal's
    bar, ``null`` when the bars are gone) and ``reward_to_risk``. The CLI's keys stay, so a
    script reading either set reads this one."""
    signal = detail.signal
    document = signal_document(signal)
    return document | {
        "ts": document["candle_at"],
        "decision": signal.status,
        "decision_reason": signal.rejection,
        "entry": money(detail.entry),
        "reward_to_risk": detail.reward_to_risk,
    }


def audit_document(entry: AuditView) -> Document:
    return {
        "id": entry.id,
        "recorded_at": utc_text(entry.ts_recorded),
        "at": utc_text(entry.ts_event),
        "kind": entry.kind,
        "message": entry.message,
        "details": entry.details,
        "tick_id": entry.tick_id,
    }


def equity_document(point: EquityView) -> Document:
    return {
        "at": utc_text(point.ts),
        "cash": decimal_text(point.cash),
        "positions_value": decimal_text(point.positions_value),
        "equity": decimal_text(point.equity),
        "realized_pnl": decimal_text(point.realized_pnl),
        "unrealized_pnl": decimal_text(point.unrealized_pnl),
        "fees_paid": decimal_text(point.fees_paid),
    }


def tick_run_document(run: TickRunView) -> Document:
    return {
        "id": run.id,
        "strategy": run.strategy,
        "symbol": run.symbol,
        "candle_at": utc_text(run.ts_bar),
        "outcome": run.outcome,
        "summary": run.summary,
        "recorded_at": utc_text(run.ts_recorded),
    }


def detail_document(detail: PortfolioDetail) -> Document:
    """The portfolio, its settings, positions and open orders; a live portfolio's feeds too."""
    document: Document = {
        "portfolio": summary_document(detail.summary),
        "settings": detail.settings.to_json(),
        "positions": [position_document(p) for p in detail.positions],
        "open_orders": [order_document(o) for o in detail.open_orders],
    }
    if detail.feeds:
        document["feeds"] = [feed_document(f) for f in detail.feeds]
    return document


def feed_document(feed: FeedHealth) -> Document:
    """A live portfolio's feed of one symbol: ok, stale or failing, since when and why."""
    return {
        "symbol": feed.symbol,
        "state": feed.state,
        "since": moment(feed.since),
        "last_bar_close": moment(feed.last_bar_close),
        "age_seconds": None if feed.age_seconds is None else str(feed.age_seconds),
        "reason": feed.reason,
    }


def outcome_document(outcome: SignalOutcome) -> Document:
    return {
        "strategy": outcome.strategy,
        "direction": outcome.direction,
        "confidence": outcome.confidence,
        "reason": outcome.reason,
        "decision": "accepted" if outcome.accepted else "rejected",
        "rejection": outcome.rejection,
    }


def tick_document(tick: BarTick) -> Document:
    return {
        "portfolio_id": tick.portfolio_id,
        "symbol": tick.symbol,
        "status": tick.status.value,
        "message": tick.message,
        "dry_run": tick.dry_run,
        "strategies": list(tick.strategies),
        "candle_at": moment(tick.ts_bar),
        "candle_close_at": moment(tick.ts_bar_close),
        "close": money(tick.close),
        "signals": [outcome_document(s) for s in tick.signals],
        "orders": [order_document(o) for o in tick.orders],
        "fills": [fill_document(f) for f in tick.fills],
        "cash": money(tick.cash),
        "equity": money(tick.equity),
        "behind": tick.behind,
    }
