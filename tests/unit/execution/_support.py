"""Builders shared by the execution tests: bars one day apart, managers, intents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.domain import Bar, Instrument, OrderIntent, OrderRole, OrderType, Side, TimeInForce
from paperdesk.execution import FeeModel, NoFee, NoSlippage, OrderManager, SlippageModel

SYMBOL = "AAA"
EQUITY = Instrument.equity(SYMBOL)
DAY_START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)  # bar 0 opens here, one bar per day
BAR_LENGTH = timedelta(hours=6, minutes=30)


def bar_open_time(index: int) -> datetime:
    return DAY_START + timedelta(days=index)


def make_bar(
    index: int,
    open_: str,
    high: str,
    low: str,
    close: str,
    volume: str = "1000000",
    symbol: str = SYMBOL,
) -> Bar:
    ts_open = bar_open_time(index)
    return Bar(
        symbol,
        "1d",
        ts_open,
        ts_open + BAR_LENGTH,
        Decimal(open_),
        Decimal(high),
        Decimal(low),
        Decimal(close),
        Decimal(volume),
    )


def before(index: int) -> datetime:
    """A submission time just before bar ``index`` opens (the previous bar's close)."""
    return bar_open_time(index) - timedelta(hours=17, minutes=30)


def session_close(calendar: str, ts: datetime) -> datetime:
    """21:00 UTC every day: the close at or after ``ts``."""
    close = ts.replace(hour=21, minute=0, second=0, microsecond=0)
    return close if close >= ts else close + timedelta(days=1)


def make_manager(
    *,
    fee_model: FeeModel | None = None,
    slippage_model: SlippageModel | None = None,
    volume_cap: Decimal | None = None,
    with_calendar: bool = True,
) -> OrderManager:
    return OrderManager(
        {SYMBOL: EQUITY, "EURUSD": Instrument.forex("EURUSD")},
        fee_model=fee_model or NoFee(),
        slippage_model=slippage_model or NoSlippage(),
        session_close=session_close if with_calendar else None,
        volume_cap=volume_cap,
    )


def make_intent(
    side: Side = Side.BUY,
    quantity: str = "10",
    order_type: OrderType = OrderType.MARKET,
    *,
    limit: str | None = None,
    stop: str | None = None,
    tif: TimeInForce = TimeInForce.GTC,
    role: OrderRole = OrderRole.ENTRY,
    stop_loss: str | None = None,
    take_profit: str | None = None,
    size_fraction: str | None = None,
    symbol: str = SYMBOL,
) -> OrderIntent:
    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return OrderIntent(
        symbol,
        side,
        Decimal(quantity),
        order_type,
        number(limit),
        number(stop),
        tif,
        role,
        number(stop_loss),
        number(take_profit),
        number(size_fraction),
    )
