"""A raw-price paper portfolio holding AAPL through the 2014 (7:1) and 2020 (4:1) splits and the
2020-08-07 dividend: the ledger books each as a broker does, once, in the tick of the ex-date's
bar, with its audit entry and outbox entry; a retried or crashed tick does not book it twice.

Prices are the raw bundled Lean AAPL bars (``src/paperdesk/data/bundled/lean_AAPL_1d.csv``), the
actions the bundled factor file's (``factor_files/aapl.csv``). Every number is worked out by hand
below. The portfolio buys 10 shares once (buy-and-hold, fixed sizer), with no fees or slippage.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from ledger_support import after_close, check_ledger
from outbox_support import entries
from paperdesk.config import ExecutionConfig, RunConfig, SizingConfig, SourceConfig, StrategySpec
from paperdesk.live import BarSource, FixedClock, LiveRunner, TickStatus
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

D = Decimal
HISTORY = BarSource().history("AAPL", "1d", SourceConfig())
SETTINGS = RunConfig(
    strategies=(StrategySpec("buy-and-hold"),),
    symbols=("AAPL",),
    sizing=SizingConfig(method="fixed", quantity=D(10)),
    execution=ExecutionConfig(commission="none", slippage_bps=D(0)),
)


class InjectedCrashError(RuntimeError):
    pass


def _holding(database: Database, signal_day: str) -> tuple[PortfolioService, FixedClock, int]:
    """A portfolio whose buy-and-hold signal comes on ``signal_day``'s bar (it fills 10 shares at
    the next bar's open)."""
    clock = FixedClock(after_close(HISTORY, signal_day))
    service = PortfolioService(database, clock=clock)
    pid = service.create_portfolio("aapl", D(10000), settings=SETTINGS)
    (first,) = service.tick(pid, "AAPL")
    assert [s.accepted for s in first.signals] == [True]
    return service, clock, pid


def _actions(service: PortfolioService, pid: int) -> list[str]:
    return sorted(a.kind for a in service.audit(pid) if a.kind.startswith("corporate_action."))


def _published(database: Database, pid: int) -> list[dict[str, object]]:
    return [
        e.payload
        for e in entries(database)
        if e.portfolio_id == pid and e.kind == "corporate_action.applied"
    ]


def test_the_2020_dividend_and_4_for_1_split_reach_the_paper_ledger_once(
    database: Database,
) -> None:
    service, clock, pid = _holding(database, "2020-08-05")
    clock.set(after_close(HISTORY, "2020-08-31"))
    ticks = service.tick(pid, "AAPL")  # catches up 2020-08-06 .. 2020-08-31, one bar a tick
    assert [t.status for t in ticks] == [TickStatus.PROCESSED] * 18

    (fill,) = service.fills(pid)
    # bought 10 at the 2020-08-06 open 441.65: cost 4416.50
    assert (fill.quantity, fill.price) == (D(10), D("441.65"))
    detail = service.show(pid)
    (position,) = detail.positions
    # 2020-08-07 ex-dividend 0.82: 10 x 0.82 = 8.20 credited (no pay date: booked on the
    # ex-date); 2020-08-31 4-for-1: 40 shares, cost kept, average 4416.50 / 40 = 110.4125
    assert position.quantity == D(40)
    assert position.average_price == D("110.4125")
    summary = detail.summary
    assert summary.cash == D(10000) - D("4416.50") + D("8.20") == D("5591.70")
    # marked at the 2020-08-31 close 129.04: 40 x 129.04 = 5161.60
    assert summary.equity == D("5591.70") + D("5161.60") == D("10753.30")
    # unrealized 5161.60 - 4416.50 = 745.10 (without the split: 10 x 129.04 - 4416.50 =
    # -3126.10, the kind of loss the issue found)
    assert position.unrealized_pnl == D("745.10")
    assert summary.realized_pnl == D("8.20")  # the dividend

    assert _actions(service, pid) == ["corporate_action.dividend", "corporate_action.split"]
    published = _published(database, pid)
    assert [(p["action"]["kind"], p["cash"]) for p in published] == [  # type: ignore[index]
        ("dividend", "8.20"),
        ("split", "0"),
    ]
    assert [t.status for t in service.tick(pid, "AAPL")] == [TickStatus.ALREADY_PROCESSED]
    assert len(_published(database, pid)) == 2
    assert _actions(service, pid) == ["corporate_action.dividend", "corporate_action.split"]
    check_ledger(database, pid)


def test_the_2014_7_for_1_split_by_hand(database: Database) -> None:
    service, clock, pid = _holding(database, "2014-06-04")
    clock.set(after_close(HISTORY, "2014-06-09"))
    service.tick(pid, "AAPL")  # 2014-06-05 (the fill), 06-06, 06-09 (the split)

    (fill,) = service.fills(pid)
    assert (fill.quantity, fill.price) == (D(10), D("646.25"))  # the 2014-06-05 open
    detail = service.show(pid)
    (position,) = detail.positions
    assert position.quantity == D(70)  # 10 x 7
    assert position.average_price == D("6462.50") / 70  # 646.25 / 7 = 92.32142857...
    assert detail.summary.cash == D(10000) - D("6462.50") == D("3537.50")
    # 70 x the 2014-06-09 close 93.70 = 6559.00
    assert detail.summary.equity == D("3537.50") + D("6559.00") == D("10096.50")
    assert _actions(service, pid) == ["corporate_action.split"]
    check_ledger(database, pid)


def test_a_tick_that_crashes_after_booking_the_split_books_it_once_when_retried(
    database: Database,
) -> None:
    service, clock, pid = _holding(database, "2020-08-26")
    clock.set(after_close(HISTORY, "2020-08-28"))
    service.tick(pid, "AAPL")  # the fill on 2020-08-27 at 508.50, then 08-28
    clock.set(after_close(HISTORY, "2020-08-31"))

    def crash(stage: str) -> None:
        if stage == "before-commit":
            raise InjectedCrashError(stage)

    failing = LiveRunner(database, source=service.source, clock=clock, failpoint=crash)
    with pytest.raises(InjectedCrashError):
        failing.tick(pid, "AAPL")
    assert service.show(pid).positions[0].quantity == D(10)  # rolled back whole
    assert _published(database, pid) == []

    assert [t.status for t in service.tick(pid, "AAPL")] == [TickStatus.PROCESSED]
    assert [t.status for t in service.tick(pid, "AAPL")] == [TickStatus.ALREADY_PROCESSED]
    (position,) = service.show(pid).positions
    assert position.quantity == D(40)  # 10 x 4, once
    assert position.average_price == D("5085.00") / 40 == D("127.125")
    assert len(_published(database, pid)) == 1
    assert _actions(service, pid) == ["corporate_action.split"]
    check_ledger(database, pid)


def test_a_resting_order_is_canceled_across_the_split_with_its_reason(
    database: Database,
) -> None:
    from paperdesk.domain import OrderStatus, OrderType, Side
    from paperdesk.service.portfolios import OrderRequest

    service, clock, pid = _holding(database, "2020-08-26")
    clock.set(after_close(HISTORY, "2020-08-28"))
    service.tick(pid, "AAPL")
    request = OrderRequest(
        "AAPL", Side.SELL, D(10), order_type=OrderType.LIMIT, limit_price=D("600")
    )
    (order,) = service.place_order(pid, request)
    clock.set(after_close(HISTORY, "2020-08-31"))
    service.tick(pid, "AAPL")

    (canceled,) = [o for o in service.orders(pid) if o.order_id == order.order_id]
    assert canceled.status is OrderStatus.CANCELED
    (entry,) = [a for a in service.audit(pid) if a.kind == "order.canceled"]
    assert "4-for-1 split of AAPL" in entry.details["reason"]
    assert service.show(pid).positions[0].quantity == D(40)
    check_ledger(database, pid)


def test_the_history_is_the_raw_one() -> None:
    """The premise: the bundled bars jump at the split (raw prices, not adjusted)."""
    closes = HISTORY["close"]
    assert closes[pd.Timestamp("2020-08-28", tz="UTC")] == 499.23
    assert closes[pd.Timestamp("2020-08-31", tz="UTC")] == 129.04
