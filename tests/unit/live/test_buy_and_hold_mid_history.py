"""buy-and-hold enters on the first bar it sees: in a replay portfolio that starts mid-history
and in a backtest that starts there, with the same fill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from ledger_support import check_ledger, position_of, spy_history
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import Side
from paperdesk.live import BarSource, TickStatus
from paperdesk.service.backtests import run_backtest
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

HISTORY = spy_history()
START = date(2020, 1, 2)


def _replay_from_start(database: Database) -> tuple[PortfolioService, int]:
    """A buy-and-hold portfolio replaying bundled SPY from START (22 years into its data)."""
    service = PortfolioService(database, source=BarSource())
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold"),),
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=START),
    )
    return service, service.create_portfolio("hold", Decimal(10000), settings=settings)


def test_buy_and_hold_buys_on_the_first_bar_of_a_replay_started_mid_history(
    database: Database,
) -> None:
    service, pid = _replay_from_start(database)
    first = position_of(HISTORY, START.isoformat())

    (entry,) = service.tick(pid, "SPY")
    assert [(s.strategy, s.direction, s.accepted) for s in entry.signals] == [
        ("buy-and-hold", 1, True)
    ]
    ticks = [service.tick(pid, "SPY")[0] for _ in range(3)]
    assert all(t.status is TickStatus.PROCESSED and not t.signals for t in ticks)  # only once

    (fill,) = service.fills(pid)
    assert fill.side is Side.BUY
    assert pd.Timestamp(fill.ts) == HISTORY.index[first + 1]  # the next bar's open
    assert service.show(pid).positions[0].quantity == fill.quantity
    check_ledger(database, pid)


def test_a_backtest_from_mid_history_buys_the_same_as_the_replay(database: Database) -> None:
    config = RunConfig(
        strategy="buy-and-hold",
        symbol="SPY",
        start=START,
        cash=Decimal(10000),
        source=SourceConfig(adjust="raw"),  # the replay's prices (a portfolio's default)
    )
    result = run_backtest(config)  # bundled SPY, cut to start at START
    service, pid = _replay_from_start(database)
    service.tick(pid, "SPY")
    service.tick(pid, "SPY")

    (backtest_fill,) = result.fills
    (paper_fill,) = service.fills(pid)
    assert (backtest_fill.ts, backtest_fill.price, backtest_fill.quantity) == (
        paper_fill.ts,
        paper_fill.price,
        paper_fill.quantity,
    )
