"""Export and import of paper portfolios whose books a split or dividend touched, in the cases
the import once rebuilt differently from the portfolio: a fill on the ex-date's own daily bar
(the portfolio books the action at that bar's open, before its fills), and a portfolio on
adjusted prices (which books no action: its prices have them already).

Bars: the bundled raw Lean AAPL daily bars (the 2020-08-07 dividend, the 2020-08-31 4-for-1
split); actions: the bundled factor file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledger_support import check_ledger
from paperdesk.config import (
    Adjustment,
    ExecutionConfig,
    RunConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.live import TickStatus
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database


def _settings(
    replay_from: date, timeframe: str = "1d", adjust: Adjustment = Adjustment.RAW
) -> RunConfig:
    return RunConfig(
        strategies=(StrategySpec("buy-and-hold"),),
        symbols=("AAPL",),
        timeframe=timeframe,
        source=SourceConfig("replay", replay_from=replay_from, adjust=adjust),
        execution=ExecutionConfig(commission="per-share:0.005:min=1"),
    )


def _ticks(service: PortfolioService, pid: int, count: int) -> None:
    for _ in range(count):
        assert service.tick(pid, "AAPL")[-1].status is TickStatus.PROCESSED


def _round_trip(database: Database, tmp_path: Path, original: int) -> int:
    export_portfolio(database, original, tmp_path / "export")
    return import_portfolio(
        database, tmp_path / "export", name="copy", attachments_home=tmp_path / "imports"
    ).portfolio_id


def test_a_buy_filled_on_the_ex_date_bar_imports_without_the_dividend(
    database: Database, tmp_path: Path
) -> None:
    # the signal on 2020-08-06, the buy at the open of 2020-08-07: the dividend's ex-date,
    # booked before that bar's fills on no position, so no dividend is paid to it
    service = PortfolioService(database)
    original = service.create_portfolio(
        "original", Decimal(10000), settings=_settings(date(2020, 8, 6))
    )
    _ticks(service, original, 3)
    (held,) = service.fills(original)
    assert held.ts.date() == date(2020, 8, 7)
    assert not [a for a in service.audit(original) if a.kind.startswith("corporate_action")]

    copy = _round_trip(database, tmp_path, original)
    assert service.show(copy).summary.cash == service.show(original).summary.cash
    assert service.show(copy).positions == service.show(original).positions
    check_ledger(database, copy)

    _ticks(service, original, 20)  # through the 2020-08-31 split
    _ticks(service, copy, 20)
    assert service.show(copy).summary.cash == service.show(original).summary.cash
    assert service.show(copy).positions == service.show(original).positions
    check_ledger(database, copy)


@pytest.mark.parametrize(
    ("timeframe", "replay_from", "filled"),
    [
        ("1w", date(2020, 7, 27), date(2020, 8, 3)),  # the week of 2020-08-03
        ("2w", date(2020, 7, 13), date(2020, 7, 27)),  # weeks counted in twos from 1970-01-05
        # sessions counted in threes from 1970-01-02: 2020-08-05, 06 and 07 make one bar
        ("3d", date(2020, 7, 31), date(2020, 8, 5)),
    ],
)
def test_a_buy_filled_on_the_weekly_bar_of_the_ex_date_imports_without_the_dividend(
    database: Database, tmp_path: Path, timeframe: str, replay_from: date, filled: date
) -> None:
    # the buy fills at the open of the bar whose last session is the dividend's ex-date
    # (2020-08-07): booked at that bar's open, before the buy
    service = PortfolioService(database)
    original = service.create_portfolio(
        "original", Decimal(10000), settings=_settings(replay_from, timeframe)
    )
    _ticks(service, original, 2)
    (held,) = service.fills(original)
    assert held.ts.date() == filled
    assert not [a for a in service.audit(original) if a.kind.startswith("corporate_action")]

    copy = _round_trip(database, tmp_path, original)
    assert service.show(copy).summary.cash == service.show(original).summary.cash
    assert service.show(copy).positions == service.show(original).positions
    check_ledger(database, copy)


def test_a_portfolio_on_adjusted_prices_imports_without_splits_or_dividends(
    database: Database, tmp_path: Path
) -> None:
    # split- and dividend-adjusted prices: the portfolio held AAPL through the 2020-08-07
    # dividend and the 2020-08-31 split and booked neither; the import must not either
    service = PortfolioService(database)
    settings = _settings(date(2020, 8, 3), adjust=Adjustment.SPLIT_DIVIDEND)
    original = service.create_portfolio("original", Decimal(10000), settings=settings)
    _ticks(service, original, 25)
    assert not [a for a in service.audit(original) if a.kind.startswith("corporate_action")]

    copy = _round_trip(database, tmp_path, original)
    assert service.show(copy).summary.cash == service.show(original).summary.cash
    assert service.show(copy).positions == service.show(original).positions
    check_ledger(database, copy)
