"""Executing a trade plan into a paper portfolio (issue 13, items 3-4): bracket orders through the
order checks, one transaction, idempotent per (plan date, row), also when two processes run the
same plan at once; and the reconciler."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import OrderRole, OrderStatus, OrderType, Side
from paperdesk.plans.problems import PlanError
from paperdesk.plans.settings import EntryType, ExecutionMode, PlanSettings
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database
from quiet_strategy import QUIET
from table_dump import dump_all_tables

# lean_SPY_1d.csv: 2021-03-01 close 389.58; 2021-03-02 open 389.87, low 386.0, close 386.54
# lean_AAPL_1d.csv: 2021-03-01 close 127.79; 2021-03-02 open 128.42, low 125.01, close 125.12
PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime
SPY,buy,10,389.58,400,380,0.8,1.0,2021-03-02T14:30:00Z
AAPL,buy,20,127.79,135,120,0.6,1.5,2021-03-02T14:30:00Z
"""


@pytest.fixture
def services(database: Database, clean_environment: pytest.MonkeyPatch) -> Services:
    return Services(Settings(), database=database)


def replay_portfolio(services: Services) -> int:
    """SPY and AAPL replayed from 2021-03-01, that day's bar processed (the market time is
    its close)."""
    settings = RunConfig(
        symbols=("SPY", "AAPL"),
        source=SourceConfig("replay", replay_from=date(2021, 3, 1)),
        **QUIET,
    )
    portfolio = services.portfolios.create_portfolio("plans", Decimal(100_000), settings=settings)
    services.portfolios.tick(portfolio, "SPY")
    services.portfolios.tick(portfolio, "AAPL")
    return portfolio


def write_plan(tmp_path: Path, text: str = PLAN) -> Path:
    path = tmp_path / "trade_plan.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_is_placed_as_bracket_orders(services: Services, tmp_path: Path) -> None:
    portfolio = replay_portfolio(services)
    result = services.plans.execute(portfolio, write_plan(tmp_path))
    assert result.plan_date == date(2021, 3, 2)
    assert result.placed == 2
    orders = services.portfolios.orders(portfolio)
    entries = {o.client_order_id: o for o in orders if o.role is OrderRole.ENTRY}
    spy = entries["plan-20210302-r1"]
    assert spy.symbol == "SPY"
    assert spy.order_type is OrderType.LIMIT
    assert spy.limit_price == Decimal("389.58")
    assert spy.quantity == Decimal(10)
    children = {o.role: o for o in orders if o.parent_id == spy.order_id}
    assert children[OrderRole.STOP_LOSS].stop_price == Decimal(380)
    assert children[OrderRole.TAKE_PROFIT].limit_price == Decimal(400)
    assert entries["plan-20210302-r2"].symbol == "AAPL"


def test_running_a_plan_twice_places_nothing_twice(services: Services, tmp_path: Path) -> None:
    portfolio = replay_portfolio(services)
    plan = write_plan(tmp_path)
    services.plans.execute(portfolio, plan)
    before = services.portfolios.orders(portfolio)
    again = services.plans.execute(portfolio, plan)
    assert again.placed == 0
    assert [row.status for row in again.rows] == ["already placed", "already placed"]
    assert services.portfolios.orders(portfolio) == before


def test_a_market_entry_per_setting(services: Services, tmp_path: Path) -> None:
    portfolio = replay_portfolio(services)
    settings = PlanSettings(entry_type=EntryType.MARKET)
    services.plans.execute(portfolio, write_plan(tmp_path), settings=settings)
    entries = [o for o in services.portfolios.orders(portfolio) if o.role is OrderRole.ENTRY]
    assert {o.order_type for o in entries} == {OrderType.MARKET}


def test_a_mode_filters_before_placing(services: Services, tmp_path: Path) -> None:
    # CONSERVATIVE ranks SPY (strength 0.8) before AAPL (0.6); with a 3% cap on 100,000
    # (3,000) SPY's 10 x 389.58 = 3,895.80 does not fit, AAPL's 20 x 127.79 = 2,555.80 does
    portfolio = replay_portfolio(services)
    result = services.plans.execute(
        portfolio,
        write_plan(tmp_path),
        mode=ExecutionMode.CONSERVATIVE,
        settings=PlanSettings(exposure_cap=Decimal("0.03")),
    )
    assert [(row.ticker, row.status) for row in result.rows] == [
        ("SPY", "not kept"),
        ("AAPL", "placed"),
    ]


@pytest.mark.parametrize(
    ("line", "field", "expected"),
    [
        # not a symbol of the portfolio (it trades SPY and AAPL)
        ("MSFT,buy,1,10,,,0.5,1,2021-03-02", "ticker", "a symbol portfolio 1 trades: AAPL, SPY"),
        ("SPY,buy,-5,389.58,,,0.5,1,2021-03-02", "qty", "above 0"),
        ("SPY,buy,1,389.58,,390,0.5,1,2021-03-02", "stop_loss", "below the entry price"),
        # the portfolio's current day is 2021-03-01: it takes entries up to 2021-03-05
        ("SPY,buy,1,389.58,,,0.5,1,2021-02-26", "entry_datetime", "from 2021-03-01 to 2021-03-05"),
        ("SPY,buy,1,389.58,,,0.5,1,2021-03-10", "entry_datetime", "from 2021-03-01 to 2021-03-05"),
        # 2021-03-05 is four days on, not "its next trading day" (03-02), as it was called
        (
            "SPY,buy,1,389.58,,,0.5,1,2021-03-10",
            "entry_datetime",
            "2021-03-05 (UTC): the portfolio's current day and the four days after it",
        ),
        # a short sale in a long-only book: the portfolio's own checks refuse it
        ("AAPL,sell,5,127.79,,,0.5,1,2021-03-02", "order", "refused by the portfolio"),
    ],
)
def test_a_bad_row_places_nothing(
    services: Services, database: Database, tmp_path: Path, line: str, field: str, expected: str
) -> None:
    portfolio = replay_portfolio(services)
    before = dump_all_tables(database.url)
    with pytest.raises(PlanError) as caught:
        services.plans.execute(portfolio, write_plan(tmp_path, PLAN + line + "\n"))
    assert [(p.row, p.field) for p in caught.value.problems] == [(3, field)]
    assert expected in caught.value.problems[0].expected
    assert dump_all_tables(database.url) == before


def test_skip_bad_rows_places_the_rest_and_reports_the_skipped(
    services: Services, tmp_path: Path
) -> None:
    portfolio = replay_portfolio(services)
    plan = PLAN + "AAPL,sell,5,127.79,,,0.5,1,2021-03-02\nSPY,buy,-1,389.58,,,,,\n"
    result = services.plans.execute(portfolio, write_plan(tmp_path, plan), skip_bad_rows=True)
    assert result.placed == 2
    assert sorted((p.row, p.field) for p in result.skipped) == [(3, "order"), (4, "qty")]
    assert [row.status for row in result.rows] == ["placed", "placed", "skipped"]


def test_concurrent_runs_place_each_row_once(
    database_url: str, tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    setup = Database(database_url)
    portfolio = replay_portfolio(Services(Settings(), database=setup))
    plan = write_plan(tmp_path)
    runners = 4
    start = threading.Barrier(runners)
    placed: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        own = Database(database_url)  # each runner its own connections, as a process would
        try:
            start.wait()
            placed.append(Services(Settings(), database=own).plans.execute(portfolio, plan).placed)
        except BaseException as error:
            errors.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(placed) == [0] * (runners - 1) + [2]
    orders = Services(Settings(), database=setup).portfolios.orders(portfolio)
    entries = [o.client_order_id for o in orders if o.role is OrderRole.ENTRY]
    assert sorted(entries) == ["plan-20210302-r1", "plan-20210302-r2"]
    setup.close()


def test_reconcile_marks_to_the_latest_close_and_appends_to_the_ledger(
    services: Services, tmp_path: Path
) -> None:
    portfolio = replay_portfolio(services)
    services.plans.execute(
        portfolio, write_plan(tmp_path, PLAN.splitlines()[0] + "\n" + PLAN.splitlines()[1] + "\n")
    )
    services.portfolios.tick(portfolio, "SPY")  # 2021-03-02: low 386.0 reaches the 389.58 limit
    filled = [o for o in services.portfolios.orders(portfolio) if o.status is OrderStatus.FILLED]
    assert [o.client_order_id for o in filled] == ["plan-20210302-r1"]
    curve_before = len(services.portfolios.equity_curve(portfolio))
    result = services.plans.reconcile(portfolio)
    assert len(services.portfolios.equity_curve(portfolio)) == curve_before + 1
    # marked at SPY's 2021-03-02 close from the data file, 386.54
    assert result.marks == {"SPY": Decimal("386.54")}
    assert result.point.positions_value == Decimal(10) * Decimal("386.54")
    cash = services.portfolios.show(portfolio).summary.cash
    assert result.point.equity == cash + Decimal("3865.40")


# The time guardrails in a paper portfolio (service/plan_holds.py). SPY's 10 @ 389.58 fills on
# 2021-03-02 (low 386.0) with levels 420 / 360 that March never reaches; AAPL's 20 @ 127.79
# fills the same day and its stop 120 is hit on 03-04 (low 118.615).
HOLD_PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,max_hold_days,entry_datetime
SPY,buy,10,389.58,420,360,1,2021-03-02T14:30:00Z
AAPL,buy,20,127.79,135,120,,2021-03-02T14:30:00Z
"""


def tick_both(services: Services, portfolio: int) -> None:
    services.portfolios.tick(portfolio, "SPY")
    services.portfolios.tick(portfolio, "AAPL")


def test_reconcile_closes_a_row_held_past_its_max_hold_days(
    services: Services, tmp_path: Path
) -> None:
    portfolio = replay_portfolio(services)
    services.plans.execute(portfolio, write_plan(tmp_path, HOLD_PLAN))
    tick_both(services, portfolio)  # 03-02: both entries fill
    spy_fill = next(f for f in services.portfolios.fills(portfolio) if f.symbol == "SPY")
    assert services.plans.reconcile(portfolio).closed == ()  # 03-02's close: within a day
    tick_both(services, portfolio)  # 03-03's close: SPY's day is over, AAPL's 3 days are not
    result = services.plans.reconcile(portfolio)
    [closed] = result.closed
    assert (closed.symbol, closed.row, closed.plan_date) == ("SPY", 1, "2021-03-02")
    # the fill is stamped with the daily bar's label (00:00 UTC); the hold counts from the
    # moment it filled, the session's open at 14:30 UTC
    assert spy_fill.ts == datetime(2021, 3, 2, tzinfo=UTC)
    deadline = datetime(2021, 3, 2, 14, 30, tzinfo=UTC) + timedelta(days=1)
    # the date and row are the hold's fields, not repeated in its reason (the CLI printed
    # "SPY plan 2021-03-02 row 1: trade plan 2021-03-02 row 1: max hold ..."); the orders
    # name the plan row
    assert closed.reason == f"max hold 1 days reached ({deadline.isoformat()})"
    orders = {o.order_id: o for o in services.portfolios.orders(portfolio)}
    exit_order = orders[closed.order_id]
    assert exit_order.reason == f"trade plan 2021-03-02 row 1: {closed.reason}"
    assert (exit_order.side, exit_order.order_type, exit_order.quantity) == (
        Side.SELL, OrderType.MARKET, Decimal(10),
    )  # fmt: skip
    entry = next(o for o in orders.values() if o.client_order_id == "plan-20210302-r1")
    assert {orders[leg].status for leg in entry.children} == {OrderStatus.CANCELED}
    # a second reconcile closes nothing twice; the next bar fills the close at its open
    assert services.plans.reconcile(portfolio).closed == ()
    tick_both(services, portfolio)  # 03-04: SPY sold at the open; AAPL stopped out
    assert "SPY" not in {p.symbol for p in services.portfolios.show(portfolio).positions}
    sold = next(f for f in services.portfolios.fills(portfolio) if f.order_id == closed.order_id)
    # at 03-04's open 381.22 less the default 5 bps (381.0294), a sell rounded down to the tick
    assert (sold.price, sold.slippage) == (Decimal("381.02"), Decimal("0.20"))
    # AAPL ended by its own bracket: its hold is dropped, nothing is placed for it
    [aapl] = services.plans.reconcile(portfolio).closed
    assert (aapl.symbol, aapl.order_id) == ("AAPL", None)
    assert aapl.reason.startswith("exited by its bracket (stop_loss ")
    assert services.plans.reconcile(portfolio).closed == ()


def test_a_half_day_hold_on_daily_bars_counts_from_the_sessions_open(
    services: Services, tmp_path: Path
) -> None:
    # filled at 03-02's open (14:30 UTC), a 0.5-day hold ends at 03-03 02:30 UTC: not at the
    # reconcile after 03-02's close (21:00, 6.5 hours held), as it did when it counted from the
    # bar's 00:00 label (deadline 12:00, before the session opened)
    portfolio = replay_portfolio(services)
    half = HOLD_PLAN.splitlines()[0] + "\nSPY,buy,10,389.58,420,360,0.5,2021-03-02T14:30:00Z\n"
    services.plans.execute(portfolio, write_plan(tmp_path, half))
    services.portfolios.tick(portfolio, "SPY")  # 03-02: filled at the open
    assert services.plans.reconcile(portfolio).closed == ()
    services.portfolios.tick(portfolio, "SPY")  # 03-03's close: past 02:30
    [closed] = services.plans.reconcile(portfolio).closed
    assert closed.reason == "max hold 0.5 days reached (2021-03-03T02:30:00+00:00)"


def test_an_intraday_row_is_closed_at_the_end_of_its_session(
    services: Services, tmp_path: Path
) -> None:
    portfolio = replay_portfolio(services)
    intraday = (
        "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime\n"
        "SPY,buy,10,389.58,420,360,0.8,1.0,2021-03-02T14:30:00Z\n"
    )
    services.plans.execute(portfolio, write_plan(tmp_path, intraday), mode=ExecutionMode.INTRADAY)
    services.portfolios.tick(portfolio, "SPY")  # 03-02: filled; the portfolio's clock at close
    [closed] = services.plans.reconcile(portfolio).closed
    assert closed.reason.startswith("INTRADAY: closed at the session")
    assert closed.order_id is not None


def test_an_entry_that_never_filled_drops_its_hold(services: Services, tmp_path: Path) -> None:
    portfolio = replay_portfolio(services)
    never = HOLD_PLAN.splitlines()[0] + "\nSPY,buy,10,300,420,250,1,2021-03-02T14:30:00Z\n"
    services.plans.execute(portfolio, write_plan(tmp_path, never))
    tick_both(services, portfolio)
    tick_both(services, portfolio)
    assert services.plans.reconcile(portfolio).closed == ()  # still working: the clock waits
    [entry] = [o for o in services.portfolios.orders(portfolio) if o.role is OrderRole.ENTRY]
    services.portfolios.cancel_order(portfolio, entry.order_id)
    [closed] = services.plans.reconcile(portfolio).closed
    assert closed.reason == f"the entry {entry.order_id} ended unfilled (canceled)"
    assert closed.order_id is None
    assert services.plans.reconcile(portfolio).closed == ()
