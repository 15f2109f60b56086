"""The time guardrails of a trade plan in a paper portfolio: a row's trade is closed once it has
been held ``max_hold_days`` (the row's own, else the setting's), and an INTRADAY row's at the end
of the session it was entered in (``PlanSettings.eod_close_intraday``).

The executor records one *hold* per placed row, in the same transaction as its orders (the
portfolio's per-symbol state store, under the key ``HOLDS``); the reconciler
(``paperdesk reconcile ID``, run hourly or at the end of the day) closes each hold past its
deadline, in one transaction with the portfolio locked:

- an entry that ended without a fill (canceled, expired, rejected) drops its hold;
- an entry whose bracket leg filled (stop-loss or take-profit) drops it: the trade is over;
- a filled entry past its deadline (first fill + max hold days, counted from the fill's real
  time: the session's open for a fill stamped with a daily bar's 00:00 label; for an INTRADAY
  row the session close of the day it filled, whichever comes first): its working legs (and any rest
  of the entry) are canceled and a market order closes what the row still holds (the row's
  filled quantity, at most the position), filled at the next price like any order.

A hold is dropped in the transaction that closes it, so running the reconciler twice (or two
at once: the portfolio is locked) never closes a row twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from paperdesk.domain import OrderType, Side, Timeframe
from paperdesk.plans.settings import hold_deadline

if TYPE_CHECKING:
    from paperdesk.domain import Order
    from paperdesk.service.order_desk import OrderDesk

HOLDS = "plan:holds"  # the state store's key (not a strategy name: those have no colon)
SessionClose = Callable[[str, datetime], datetime]


@dataclass(frozen=True, slots=True)
class PlanHold:
    """One placed row's time limits: its entry's client order id, the row and plan date (to
    say which), the days it may be held and whether it closes at its session's end."""

    entry: str
    row: int
    plan_date: str
    max_hold_days: Decimal
    eod_close: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry,
            "row": self.row,
            "plan_date": self.plan_date,
            "max_hold_days": format(self.max_hold_days, "f"),
            "eod_close": self.eod_close,
        }

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> PlanHold:
        return cls(
            str(document["entry"]),
            int(document["row"]),
            str(document["plan_date"]),
            Decimal(str(document["max_hold_days"])),
            bool(document["eod_close"]),
        )


@dataclass(frozen=True, slots=True)
class ClosedHold:
    """A hold the reconciler ended: why, and the order that closes the trade (None when the
    trade had already ended or never started)."""

    symbol: str
    row: int
    plan_date: str
    entry: str
    reason: str
    order_id: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "row": self.row,
            "plan_date": self.plan_date,
            "entry": self.entry,
            "reason": self.reason,
            "order_id": self.order_id,
        }


def record_holds(desk: OrderDesk, holds: Sequence[tuple[str, PlanHold]]) -> None:
    """Add ``(symbol, hold)`` pairs to the portfolio's holds (inside the desk's transaction);
    a hold for an entry already held is not added twice."""
    by_symbol: dict[str, list[PlanHold]] = {}
    for symbol, hold in holds:
        by_symbol.setdefault(symbol, []).append(hold)
    for symbol, added in by_symbol.items():
        kept = _holds(desk, symbol)
        known = {hold.entry for hold in kept}
        kept.extend(hold for hold in added if hold.entry not in known)
        _save(desk, symbol, kept)


def close_expired_holds(
    desk: OrderDesk, symbols: Sequence[str], session_close: SessionClose
) -> list[ClosedHold]:
    """End every hold of ``symbols`` whose trade is over or past its deadline (module
    docstring), at the desk's time; the orders go into the desk's events."""
    closed: list[ClosedHold] = []
    for symbol in symbols:
        holds = _holds(desk, symbol)
        if not holds:
            continue
        kept: list[PlanHold] = []
        for hold in holds:
            ended = _end(desk, symbol, hold, session_close)
            if ended is None:
                kept.append(hold)
            else:
                closed.append(ended)
        if len(kept) != len(holds):
            _save(desk, symbol, kept)
    return closed


def _end(
    desk: OrderDesk, symbol: str, hold: PlanHold, session_close: SessionClose
) -> ClosedHold | None:
    def ended(reason: str, order_id: str | None = None) -> ClosedHold:
        return ClosedHold(symbol, hold.row, hold.plan_date, hold.entry, reason, order_id)

    entry = desk.existing_order(hold.entry)  # as stored: a finished order leaves the book
    if entry is None:
        return ended("its entry order is not in the ledger")
    if entry.filled_quantity == 0:
        if entry.status.is_open:
            return None  # not entered yet: the clock starts at the fill
        return ended(f"the entry {entry.order_id} ended unfilled ({entry.status.value})")
    legs = [desk.stored_order(child) for child in entry.children]
    exited = [leg for leg in legs if leg.filled_quantity > 0]
    if exited:
        names = ", ".join(f"{leg.role.value} {leg.order_id}" for leg in exited)
        return ended(f"exited by its bracket ({names})")
    first_fill = desk.first_fill_at(entry.order_id) or entry.ts_updated or entry.ts_submitted
    deadline, said = _deadline(
        desk, symbol, hold, _filled_at(desk, symbol, first_fill), session_close
    )
    if desk.at < deadline:
        return None
    # the orders say which plan row closed them; the hold carries its date and row already
    reason = f"trade plan {hold.plan_date} row {hold.row}: {said}"
    for order in (*legs, entry):  # asked each time: canceling one leg may end its sibling
        if desk.is_working(order.order_id):
            desk.cancel(order.order_id, reason)
    return ended(said, _close(desk, symbol, entry, reason))


def _deadline(
    desk: OrderDesk,
    symbol: str,
    hold: PlanHold,
    first_fill: datetime,
    session_close: SessionClose,
) -> tuple[datetime, str]:
    deadline = hold_deadline(first_fill, hold.max_hold_days)
    said = f"max hold {hold.max_hold_days} days reached ({deadline.isoformat()})"
    if hold.eod_close:
        close = session_close(desk.instrument(symbol).calendar, first_fill)
        if close < deadline:
            return close, f"INTRADAY: closed at the session's end ({close.isoformat()})"
    return deadline, said


def _filled_at(desk: OrderDesk, symbol: str, stamped: datetime) -> datetime:
    """When the entry really filled: a fill on a daily (or longer) bar is stamped with the
    bar's label (00:00 UTC for an equity day), so the hold counts from the moment its session
    opened (``daily_bar_start``), not hours before it; an intraday bar's stamp is its real
    open already."""
    from paperdesk.data.calendars import daily_bar_start

    if Timeframe.parse(desk.state.settings.bar_timeframe).is_intraday:
        return stamped
    return daily_bar_start(desk.instrument(symbol).calendar, stamped)


def _close(desk: OrderDesk, symbol: str, entry: Order, reason: str) -> str | None:
    """A market order closing what the row holds, at most the position; None when the
    position is already flat or on the other side."""
    from paperdesk.service.order_requests import OrderRequest

    held = desk.state.kernel.position(symbol).quantity
    long_entry = entry.side is Side.BUY
    if (long_entry and held <= 0) or (not long_entry and held >= 0):
        return None
    quantity = min(entry.filled_quantity, abs(held))
    request = OrderRequest(
        symbol=symbol,
        side=Side.SELL if long_entry else Side.BUY,
        quantity=quantity,
        order_type=OrderType.MARKET,
        reason=reason,
        strategy="plan",
    )
    placed = desk.place(request)
    return placed[0].order_id if placed else None


def _holds(desk: OrderDesk, symbol: str) -> list[PlanHold]:
    stored = desk.repository.strategy_state(desk.portfolio_id, HOLDS, symbol)
    return [PlanHold.of(item) for item in stored.get("holds", [])]


def _save(desk: OrderDesk, symbol: str, holds: Sequence[PlanHold]) -> None:
    document = {"holds": [hold.as_dict() for hold in holds]}
    desk.repository.writer.strategy_state(desk.portfolio_id, HOLDS, symbol, document, desk.at)
