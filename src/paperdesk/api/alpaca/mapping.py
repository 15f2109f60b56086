"""paperdesk's values as Alpaca's JSON documents (the tables in docs/alpaca.md).

Money and quantities go out as decimal strings, as Alpaca sends them; times as ISO-8601 UTC.
Alpaca names orders, assets and accounts by UUID while paperdesk numbers orders per portfolio
(``O1``...): the UUIDs are derived (UUIDv5) from the portfolio and the paperdesk id, so the same
order always has the same UUID and no mapping table is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from paperdesk.api.times import utc_text
from paperdesk.domain import AccountKind, AssetClass, Instrument, Order, OrderStatus
from paperdesk.service.alpaca_support import MarketClock
from paperdesk.service.instruments import instrument_of
from paperdesk.service.views import PortfolioDetail, PositionView

Document = dict[str, Any]
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "alpaca.paperdesk")  # paperdesk's own namespace
RATIO_PLACES = Decimal("1E-10")

# paperdesk order status -> Alpaca order status.
ORDER_STATUS: dict[OrderStatus, str] = {
    OrderStatus.PENDING: "held",  # a bracket's exit waiting for its entry to fill
    OrderStatus.ACCEPTED: "new",
    OrderStatus.PARTIALLY_FILLED: "partially_filled",
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "canceled",
    OrderStatus.EXPIRED: "expired",
    OrderStatus.REJECTED: "rejected",
}
# Alpaca's status of an order received but not routed yet (outside its market's session).
QUEUED = "accepted"
# Whether a symbol's market is closed at the time an answer describes.
ClosedMarket = Callable[[str], bool]
# Alpaca's "status" filter of GET /orders -> the paperdesk statuses it covers.
CLOSED_STATUSES = frozenset(s for s in OrderStatus if not s.is_open)


def order_uuid(portfolio_id: int, order_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"order:{portfolio_id}:{order_id}"))


def asset_uuid(symbol: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"asset:{symbol}"))


def account_uuid(portfolio_id: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"account:{portfolio_id}"))


def execution_uuid(portfolio_id: int, sequence: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"execution:{portfolio_id}:{sequence}"))


def money(value: Decimal | None) -> str | None:
    """A decimal string, never in exponent form (``1E-7`` goes out as ``0.0000001``)."""
    return None if value is None else format(value, "f")


def when(value: datetime | None) -> str | None:
    """A time as Alpaca writes it: ISO-8601 UTC with ``Z`` (``api.times``)."""
    return None if value is None else utc_text(value)


def asset_class(value: AssetClass) -> str:
    """Alpaca's asset class (``us_equity``, ``crypto``); other classes keep paperdesk's name,
    which Alpaca does not trade (alpaca-py cannot parse them)."""
    return {AssetClass.EQUITY: "us_equity", AssetClass.CRYPTO: "crypto"}.get(value, value.value)


def order_document(
    portfolio_id: int,
    order: Order,
    legs: list[Order] | None = None,
    closed: ClosedMarket | None = None,
) -> Document:
    """An Alpaca order; ``legs`` are a bracket's exits, shown nested under their entry.
    ``closed`` tells whether a symbol's market is closed now: a working order none of which
    has filled is then ``accepted`` (Alpaca's "received, not yet routed", as Alpaca shows an
    order queued for the open), else ``new``."""
    updated = order.ts_updated or order.ts_submitted
    status = order.status

    def at(wanted: OrderStatus) -> str | None:
        return when(updated) if status is wanted else None

    kind = order.order_type.value
    return {
        "id": order_uuid(portfolio_id, order.order_id),
        "client_order_id": order.client_order_id,
        "created_at": when(order.ts_submitted),
        "updated_at": when(updated),
        "submitted_at": when(order.ts_submitted),
        "filled_at": at(OrderStatus.FILLED),
        "expired_at": at(OrderStatus.EXPIRED),
        "expires_at": when(order.ts_expire),
        "canceled_at": at(OrderStatus.CANCELED),
        "failed_at": at(OrderStatus.REJECTED),
        "replaced_at": None,
        "replaced_by": None,
        "replaces": None,
        "asset_id": asset_uuid(order.symbol),
        "symbol": order.symbol,
        "asset_class": asset_class(instrument_of(order.symbol).asset_class),
        "notional": None,
        "qty": money(order.quantity),
        "filled_qty": money(order.filled_quantity),
        "filled_avg_price": money(order.average_price),
        "order_class": "bracket" if order.children or order.parent_id else "simple",
        "order_type": kind,
        "type": kind,
        "side": order.side.value,
        "time_in_force": order.time_in_force.value,
        "limit_price": money(order.limit_price),
        "stop_price": money(order.stop_price),
        "status": order_status(order, closed),
        "extended_hours": False,
        "legs": None
        if legs is None
        else [order_document(portfolio_id, leg, closed=closed) for leg in legs],
        "trail_percent": None,
        "trail_price": None,
        "hwm": None,
        "paperdesk_order_id": order.order_id,
    }


def order_status(order: Order, closed: ClosedMarket | None = None) -> str:
    """Alpaca's status of ``order``: ``accepted`` for a working, unfilled order while its
    market is ``closed`` (queued for the open), else the table's (``ORDER_STATUS``)."""
    queued = order.status is OrderStatus.ACCEPTED and not order.filled_quantity
    if queued and closed is not None and closed(order.symbol):
        return QUEUED
    return ORDER_STATUS[order.status]


def position_document(position: PositionView) -> Document:
    """An Alpaca position: signed quantity (negative when short), marked at the last close."""
    instrument = instrument_of(position.symbol)
    cost = position.cost
    ratio = position.unrealized_pnl / abs(cost) if cost else Decimal(0)
    quantity = position.quantity
    return {
        "asset_id": asset_uuid(position.symbol),
        "symbol": position.symbol,
        "exchange": "",
        "asset_class": asset_class(instrument.asset_class),
        "asset_marginable": False,
        "avg_entry_price": money(position.average_price),
        "qty": money(quantity),
        "qty_available": money(quantity),
        "side": "short" if quantity < 0 else "long",
        "market_value": money(position.market_value),
        "cost_basis": money(cost),
        "unrealized_pl": money(position.unrealized_pnl),
        "unrealized_plpc": money(ratio.quantize(RATIO_PLACES)),
        "current_price": money(position.last_price),
        "lastday_price": None,
        "change_today": None,
    }


def account_document(detail: PortfolioDetail) -> Document:
    """The portfolio as an Alpaca account. Buying power is what the portfolio's cash check
    lets a new buy spend: the cash in a cash (or futures) account, equity x leverage - gross
    exposure in a margin account (``routing.risk``'s rule, so never the negative cash of a
    margin loan), less what the entry orders still working will take (their notional, a
    contract's margin, plus estimated fees), as Alpaca's is reduced by open orders; shorting is
    enabled when the portfolio allows short sales. ``non_marginable_buying_power`` is the same
    in a cash (or futures) account, whose buying power is its cash: nothing can be bought on
    margin there. A margin account's stays its cash (paperdesk has no non-marginable
    securities: it buys every symbol at the account's leverage)."""
    summary = detail.summary
    positions = detail.positions
    account = detail.settings.account
    long_value = sum((p.market_value for p in positions if p.quantity > 0), Decimal(0))
    short_value = sum((p.market_value for p in positions if p.quantity < 0), Decimal(0))
    archived = summary.status == "archived"
    buying_power, multiplier, maintenance = summary.cash, Decimal(1), Decimal(0)
    non_marginable = summary.cash
    if account.kind is AccountKind.MARGIN:
        gross = sum((abs(p.market_value) for p in positions), Decimal(0))
        multiplier = account.leverage
        buying_power = summary.equity * multiplier - gross
        maintenance = gross * account.maintenance_percent / 100
    buying_power -= detail.working_entry_cost
    if account.kind is not AccountKind.MARGIN:
        non_marginable = buying_power
    return {
        "id": account_uuid(summary.id),
        "account_number": f"PD{summary.id}",
        "status": "INACTIVE" if archived else "ACTIVE",
        "crypto_status": "ACTIVE",
        "currency": summary.base_currency,
        "buying_power": money(buying_power),
        "regt_buying_power": money(buying_power),
        "daytrading_buying_power": "0",
        "non_marginable_buying_power": money(non_marginable),
        "cash": money(summary.cash),
        "accrued_fees": "0",
        "portfolio_value": money(summary.equity),
        "equity": money(summary.equity),
        "last_equity": money(summary.equity),
        "long_market_value": money(long_value),
        "short_market_value": money(short_value),
        "initial_margin": "0",
        "maintenance_margin": money(maintenance),
        "multiplier": money(multiplier),
        "pattern_day_trader": False,
        "trading_blocked": archived,
        "transfers_blocked": True,
        "account_blocked": archived,
        "trade_suspended_by_user": False,
        "shorting_enabled": detail.settings.risk.allow_short,
        "created_at": when(summary.ts_created),
        "daytrade_count": 0,
        "sma": "0",
    }


def asset_document(instrument: Instrument) -> Document:
    fractional = instrument.lot_size < 1
    return {
        "id": asset_uuid(instrument.symbol),
        "class": asset_class(instrument.asset_class),
        "exchange": "CRYPTO" if instrument.asset_class is AssetClass.CRYPTO else "",
        "symbol": instrument.symbol,
        "name": instrument.symbol,
        "status": "active",
        "tradable": True,
        "marginable": False,
        "shortable": instrument.asset_class is not AssetClass.CRYPTO,
        "easy_to_borrow": instrument.asset_class is not AssetClass.CRYPTO,
        "fractionable": fractional,
        "min_order_size": money(instrument.lot_size),
        "min_trade_increment": money(instrument.lot_size),
        "price_increment": money(instrument.tick_size),
    }


def clock_document(clock: MarketClock) -> Document:
    return {
        "timestamp": when(clock.timestamp),
        "is_open": clock.is_open,
        "next_open": when(clock.next_open),
        "next_close": when(clock.next_close),
    }
