"""The worker ticks every symbol a portfolio trades: the watched ones and those it holds or has
working orders in outside its watch list (a portfolio without one trades what it is asked
to), so a manual bracket's stop is triggered by the worker, once. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from worker_fixtures import service, worker

from ledger_support import check_ledger, set_watch_list
from paperdesk.config import RunConfig
from paperdesk.data.clock import FixedClock
from paperdesk.domain import InvalidInputError, OptionError, OrderRole, OrderStatus, Side
from paperdesk.service.order_requests import OrderRequest
from paperdesk.store import Database

CASH = Decimal(10000)
STOP = Decimal("392.00")  # SPY: 3/16 low 395.08, 3/17 low 393.30, 3/18 low 390.865


def _after_close(day: int) -> datetime:
    """Five minutes after the New York close (20:00 UTC in March 2021): a round that ticks."""
    return datetime(2021, 3, day, 20, 5, tzinfo=UTC)


def test_a_manual_bracket_without_a_watch_list_exits_at_its_stop_once(database: Database) -> None:
    clock = FixedClock(datetime(2021, 3, 15, 22, 0, tzinfo=UTC))
    portfolios = service(database, clock)
    portfolio_id = portfolios.create_portfolio("manual", CASH, settings=RunConfig(symbols=()))
    buy = OrderRequest("SPY", Side.BUY, Decimal(5), stop_loss=STOP, take_profit=Decimal(420))
    entry, stop_loss, _ = portfolios.place_order(portfolio_id, buy)

    rounds = []
    for day in (16, 17, 18, 18, 19, 22):  # the 18th twice: a second worker's round
        clock.set(_after_close(day))
        rounds.append(worker(database, clock).run_round())

    due = [[done.symbols for done in report.portfolios] for report in rounds]
    assert due == [[["SPY"]], [["SPY"]], [["SPY"]], [], [[]], [[]]]  # flat: nothing to tick
    fills = portfolios.fills(portfolio_id)
    assert [(fill.order_id, fill.side, fill.quantity) for fill in fills] == [
        (entry.order_id, Side.BUY, Decimal(5)),
        (stop_loss.order_id, Side.SELL, Decimal(5)),
    ]
    assert fills[1].ts.date().isoformat() == "2021-03-18"  # the first bar whose low reaches it
    assert portfolios.order(portfolio_id, stop_loss.order_id).status is OrderStatus.FILLED
    assert portfolios.show(portfolio_id).positions == ()
    (trade,) = portfolios.trades(portfolio_id)
    assert trade.quantity == Decimal(5)
    check_ledger(database, portfolio_id)


def test_a_watch_list_and_an_order_outside_it_are_both_ticked(database: Database) -> None:
    clock = FixedClock(datetime(2021, 3, 15, 22, 0, tzinfo=UTC))
    portfolios = service(database, clock)
    portfolio_id = portfolios.create_portfolio("both", CASH, settings=RunConfig(symbols=()))
    (order,) = portfolios.place_order(portfolio_id, OrderRequest("AAPL", Side.BUY, Decimal(3)))
    # a watch list without the ordered symbol is refused now (its strategies would not watch
    # it), but a ledger written before that rule may hold one: put it there as it would be
    with pytest.raises(OptionError, match="still has positions or open orders in AAPL"):
        portfolios.edit_portfolio(
            portfolio_id, lambda current: current.with_changes(symbols=("SPY",))
        )
    set_watch_list(database, portfolio_id, ("SPY",))
    assert portfolios.show(portfolio_id).settings.symbols == ("SPY",)

    clock.set(_after_close(16))
    (done,) = worker(database, clock).run_round().portfolios

    assert done.symbols == ["SPY", "AAPL"]
    assert done.errors == []
    runs = portfolios.tick_runs(portfolio_id)
    ticked = sorted((run.symbol, run.ts_bar.date().isoformat()) for run in runs)
    assert ticked == [("AAPL", "2021-03-16"), ("SPY", "2021-03-16")]
    filled = portfolios.order(portfolio_id, order.order_id)
    assert (filled.status, filled.role) == (OrderStatus.FILLED, OrderRole.ENTRY)
    assert [p.symbol for p in portfolios.show(portfolio_id).positions] == ["AAPL"]
    check_ledger(database, portfolio_id)

    with pytest.raises(InvalidInputError, match="does not watch MSFT"):  # neither watched nor held
        portfolios.tick(portfolio_id, "MSFT")
