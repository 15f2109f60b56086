"""Audit entries: one human-readable, machine-parsable row per state change (store-only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from paperdesk.domain import (
    CashCheck,
    CashOverdrawn,
    CorporateActionApplied,
    MarginCalled,
    Order,
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    SignalAccepted,
    SignalRejected,
)
from paperdesk.domain.account_words import fill_words, margin_call_words, overdraft_words
from paperdesk.domain.currencies import money_text
from paperdesk.store.models import AuditRow


def describe_order(order: Order) -> str:
    """``buy 10 SPY limit 300.50 (entry, O1)``: the type's word once, each price after its own
    (``stop 400 limit 401`` for a stop-limit order; the type was also repeated before them:
    ``limit limit 300.50``)."""
    prices = []
    if order.stop_price is not None:
        prices.append(f"stop {order.stop_price}")
    if order.limit_price is not None:
        prices.append(f"limit {order.limit_price}")
    terms = " ".join(prices) or order.order_type.value
    return (
        f"{order.side.value} {order.quantity} {order.symbol} {terms}"
        f" ({order.role.value}, {order.order_id})"
    )


def _order_details(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "type": order.order_type.value,
        "quantity": str(order.quantity),
        "status": order.status.value,
        "role": order.role.value,
        "strategy": order.strategy,
    }


AuditedEvent = (
    OrderEvent
    | SignalRejected
    | SignalAccepted
    | MarginCalled
    | CashOverdrawn
    | CorporateActionApplied
)


def _corporate_action_entry(
    event: CorporateActionApplied, currency: str | None
) -> tuple[str, str, dict[str, Any]]:
    action, position = event.action, event.position
    details: dict[str, Any] = {
        "symbol": action.symbol,
        "action": action.kind,
        "ex_date": action.ex_date.isoformat(),
        "reference_price": str(action.reference_price),
        "quantity_before": str(event.quantity_before),
        "quantity_after": str(position.quantity),
        "average_price_before": str(event.average_price_before),
        "average_price_after": str(position.average_price),
        "cash": str(event.cash),
        "realized_pnl": str(event.realized_pnl),
    }
    if action.kind == "split":
        details["shares_after"], details["shares_before"] = (
            action.shares_after,
            action.shares_before,
        )
        message = (
            f"{action.description} (ex {action.ex_date}): {event.quantity_before} shares at "
            f"average {event.average_price_before} became {position.quantity} at average "
            f"{position.average_price}"
        )
        if event.cash:
            message += f"; fraction paid in cash {money_text(event.cash, currency)}"
        return "corporate_action.split", message, details
    details["distribution"] = str(action.distribution)
    verb = "credited" if event.cash >= 0 else "debited (short)"
    message = (
        f"{action.description} (ex {action.ex_date}, booked on the ex-date): "
        f"{event.quantity_before} shares, {verb} {money_text(abs(event.cash), currency)}"
    )
    return "corporate_action.dividend", message, details


def _margin_call_text(event: MarginCalled, currency: str | None) -> str:
    """The margin call's reason with its money by the money rule (the reason as stored when
    it is not the words ``margin_call_words`` gives for the event's numbers)."""
    if event.reason != margin_call_words(str(event.equity), str(event.requirement), event.symbols):
        return event.reason
    equity, requirement = (
        money_text(event.equity, currency),
        money_text(event.requirement, currency),
    )
    return margin_call_words(equity, requirement, event.symbols)


def _overdraft_text(event: CashOverdrawn, currency: str | None, filled: OrderFilled | None) -> str:
    """The overdraft's reason with the fill's fee and the cash left by the money rule: the
    words ``overdraft_words`` gives for the fill that overdrew (found in the same unit's
    events) under the event's cash check, once they reproduce the stored reason; else the
    reason as stored. An event without its cash check (recorded before it carried one) is
    tried with the cash check off and on, which is all its words tell apart."""
    if filled is None or filled.fill.ts != event.ts_event:
        return event.reason
    fill, role = filled.fill, filled.order.role

    def words(fee: str, cash: str, cash_check: CashCheck) -> str:
        what = fill_words(fill.side.value, str(fill.quantity), fill.symbol, str(fill.price), fee)
        return overdraft_words(what, cash, cash_check, role)

    checks = (CashCheck.OFF, CashCheck.TRIM) if event.cash_check is None else (event.cash_check,)
    for cash_check in checks:
        if words(str(fill.fee), str(event.cash), cash_check) == event.reason:
            fee = money_text(fill.fee, currency)
            return words(fee, money_text(event.cash, currency), cash_check)
    return event.reason


def event_entry(
    event: AuditedEvent,
    currency: str | None,
    filled: Mapping[str, OrderFilled] | None = None,
) -> tuple[str, str, dict[str, Any]]:
    """(kind, message, details) for one order event, signal rejection, account event or
    corporate action. The message shows money (fees, cash, equity) by the money rule with the
    book's ``currency``; the details keep the exact strings. ``filled``: the last fill of each
    order among the same unit's events (an overdraft's words name its fill)."""
    if isinstance(event, CorporateActionApplied):
        return _corporate_action_entry(event, currency)
    if isinstance(event, MarginCalled):
        called: dict[str, Any] = {
            "equity": str(event.equity),
            "requirement": str(event.requirement),
            "symbols": list(event.symbols),
            "reason": event.reason,
        }
        return "account.margin_called", _margin_call_text(event, currency), called
    if isinstance(event, CashOverdrawn):
        overdrawn: dict[str, Any] = {
            "order_id": event.order_id,
            "symbol": event.symbol,
            "cash": str(event.cash),
            "reason": event.reason,
        }
        if event.cash_check is not None:
            overdrawn["cash_check"] = event.cash_check.value
        message = _overdraft_text(event, currency, (filled or {}).get(event.order_id))
        return "account.cash_overdrawn", message, overdrawn
    if isinstance(event, SignalAccepted):  # audited only when the router changed something
        accepted = event.signal
        notes = "; ".join(event.notes)
        adjusted: dict[str, Any] = {
            "strategy": accepted.strategy,
            "symbol": accepted.symbol,
            "direction": int(accepted.direction),
            "notes": list(event.notes),
        }
        return "signal.adjusted", f"{accepted.strategy} {accepted.symbol}: {notes}", adjusted
    if isinstance(event, SignalRejected):
        signal = event.signal
        details: dict[str, Any] = {
            "strategy": signal.strategy,
            "symbol": signal.symbol,
            "direction": int(signal.direction),
            "reason": event.reason,
        }
        return "signal.rejected", f"{signal.strategy} {signal.symbol}: {event.reason}", details
    order = event.order
    details = _order_details(order)
    if isinstance(event, OrderFilled):
        fill = event.fill
        details |= {"price": str(fill.price), "fee": str(fill.fee), "filled": str(fill.quantity)}
        message = f"filled {fill.side.value} {fill.quantity} {fill.symbol} at {fill.price}"
        fee = money_text(fill.fee, currency)
        return "order.filled", message + f" fee {fee} ({order.order_id})", details
    if isinstance(event, OrderRejected):
        details["reason"] = event.reason
        return "order.rejected", f"rejected {describe_order(order)}: {event.reason}", details
    if isinstance(event, OrderCanceled):
        details["reason"] = event.reason
        return "order.canceled", f"canceled {describe_order(order)} {event.reason}".strip(), details
    if isinstance(event, OrderExpired):
        return "order.expired", f"expired {describe_order(order)}", details
    if isinstance(event, OrderModified):
        message = f"modified {describe_order(order)}"
        if event.reason:
            details["reason"] = event.reason
            message += f": {event.reason}"
        return "order.modified", message, details
    assert isinstance(event, OrderAccepted)
    return "order.accepted", f"accepted {describe_order(order)}", details


def audit_rows(
    portfolio_id: int,
    events: Iterable[AuditedEvent],
    recorded_at: datetime,
    tick_id: int | None,
    currency: str | None,
) -> list[AuditRow]:
    values = audit_values(portfolio_id, events, recorded_at, tick_id, currency)
    return [AuditRow(**row) for row in values]


def audit_values(
    portfolio_id: int,
    events: Iterable[AuditedEvent],
    recorded_at: datetime,
    tick_id: int | None,
    currency: str | None,
) -> list[dict[str, Any]]:
    """The audit rows of ``events`` as column values (for a Core insert), their messages'
    money in the book's ``currency``."""
    rows = []
    filled: dict[str, OrderFilled] = {}
    for event in events:
        if isinstance(event, OrderFilled):
            filled[event.order.order_id] = event
        kind, message, details = event_entry(event, currency, filled)
        rows.append(
            audit_entry(portfolio_id, kind, message, event.ts_event, recorded_at, details, tick_id)
        )
    return rows


def audit_row(
    portfolio_id: int,
    kind: str,
    message: str,
    at: datetime,
    recorded_at: datetime,
    details: dict[str, Any] | None = None,
    tick_id: int | None = None,
) -> AuditRow:
    return AuditRow(**audit_entry(portfolio_id, kind, message, at, recorded_at, details, tick_id))


def audit_entry(
    portfolio_id: int,
    kind: str,
    message: str,
    at: datetime,
    recorded_at: datetime,
    details: dict[str, Any] | None = None,
    tick_id: int | None = None,
) -> dict[str, Any]:
    """``audit_row``'s columns (for a Core insert)."""
    return {
        "portfolio_id": portfolio_id,
        "tick_id": tick_id,
        "recorded_at": recorded_at,
        "at": at,
        "kind": kind,
        "message": message,
        "details": {
            key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in (details or {}).items()
        },
    }
