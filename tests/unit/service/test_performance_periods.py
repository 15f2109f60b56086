"""The exact P&L by period (total, last day, month) and the pips of forex round trips, on
hand-made snapshots and trades whose answers are worked out in the comments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import Side
from paperdesk.domain.portfolio import Trade
from paperdesk.domain.records import EquityView
from paperdesk.service.performance_periods import breakdown, total_pips, trade_pips

PIP = Decimal("0.0001")


def snapshot(ts: datetime, equity: str) -> EquityView:
    value = Decimal(equity)
    zero = Decimal(0)
    return EquityView(ts, value, zero, value, zero, zero, zero)


def trade(symbol: str, side: Side, entry: str, exit_price: str) -> Trade:
    moment = datetime(2020, 1, 2, tzinfo=UTC)
    return Trade(
        symbol, side, Decimal(1000), Decimal(entry), Decimal(exit_price), moment, moment,
        Decimal(0), Decimal(0),
    )  # fmt: skip


def pip_size(symbol: str) -> Decimal | None:
    return PIP if symbol == "EURUSD" else None


def test_months_and_the_last_day_start_where_the_period_before_ended() -> None:
    equity = [
        snapshot(datetime(2020, 1, 30, 21, tzinfo=UTC), "10100"),
        snapshot(datetime(2020, 1, 31, 21, tzinfo=UTC), "10200"),
        snapshot(datetime(2020, 2, 3, 15, tzinfo=UTC), "10150"),
        snapshot(datetime(2020, 2, 3, 21, tzinfo=UTC), "10180.5"),
    ]
    result = breakdown(equity, [], Decimal(10000), pip_size)
    january, february = result.months
    # January: 10000 (the cash) -> 10200 = +200, +2 %
    assert (january.label, january.start_equity, january.end_equity) == ("2020-01", 10000, 10200)
    assert january.pnl == Decimal(200)
    assert january.return_pct == 2.0
    # February: 10200 -> 10180.5 = -19.5, -19.5 / 10200 = -0.191176470...% -> -0.191176
    assert february.pnl == Decimal("-19.5")
    assert february.return_pct == -0.191176
    # the last day, 2020-02-03, starts at the last equity before it (10200 on Jan 31)
    assert result.day is not None
    assert (result.day.label, result.day.start_equity, result.day.pnl) == (
        "2020-02-03", Decimal(10200), Decimal("-19.5"),
    )  # fmt: skip
    assert result.total.pnl == Decimal("180.5")
    assert result.total_pips is None  # no forex round trip


def test_before_the_first_snapshot_the_total_is_zero_and_there_is_no_day() -> None:
    result = breakdown([], [], Decimal(5000), pip_size)
    assert result.total.pnl == 0
    assert result.day is None
    assert result.months == ()


def test_a_start_at_zero_has_no_percentage() -> None:
    only = [snapshot(datetime(2020, 1, 2, tzinfo=UTC), "5")]
    result = breakdown(only, [], Decimal(0), pip_size)
    assert result.total.pnl == 5
    assert result.total.return_pct is None


def test_pips_are_signed_by_the_trades_direction() -> None:
    # long 1.1000 -> 1.1025: +25 pips; short 1.1000 -> 1.1025: -25; short 1.2050 -> 1.2000: +50
    assert trade_pips(trade("EURUSD", Side.BUY, "1.1000", "1.1025"), PIP) == 25
    assert trade_pips(trade("EURUSD", Side.SELL, "1.1000", "1.1025"), PIP) == -25
    trades = [
        trade("EURUSD", Side.BUY, "1.1000", "1.1025"),
        trade("EURUSD", Side.SELL, "1.2050", "1.2000"),
        trade("SPY", Side.BUY, "300", "310"),  # not forex: no pips
    ]
    assert total_pips(trades, pip_size) == Decimal(75)


def test_before_the_first_forex_round_trip_the_pips_are_undefined_not_zero() -> None:
    assert total_pips([], pip_size) is None
    assert total_pips([trade("SPY", Side.BUY, "300", "310")], pip_size) is None
