"""A portfolio's stored mark is the kernel's: the quote mid with ``--mark mid``, and the last
in-session mark after bars outside the regular session, so ``portfolio show``, the ``mark``
command's snapshot and the tick's own snapshot agree. Bundled SPY minutes and quotes of
2013-10-07 (rows trimmed in tmp_path)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from paperdesk.config import ExecutionConfig, MarkPrice, RunConfig, SourceConfig, StrategySpec
from paperdesk.data import find_bundled, find_bundled_quotes
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

FIRST, ROWS = "2013-10-07T13:30:00Z", 10


def _slice(source: Path, path: Path) -> Path:
    lines = source.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(FIRST))
    path.write_text("\n".join([lines[0], *lines[start : start + ROWS]]) + "\n")
    return path


def test_show_and_mark_use_the_mid_as_the_ticks_do(database: Database, tmp_path: Path) -> None:
    quotes_file = find_bundled_quotes("SPY", "1m")
    assert quotes_file is not None
    trades = _slice(find_bundled("SPY", "1m"), tmp_path / "spy_1m.csv")
    quotes = _slice(quotes_file, tmp_path / "quotes.csv")
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold"),),
        symbols=("SPY",),
        timeframe="1m",
        source=SourceConfig(
            "replay",
            files={"SPY": str(trades)},
            quote_files={"SPY": str(quotes)},
            replay_from=date(2013, 10, 7),
        ),
        execution=ExecutionConfig(mark=MarkPrice.MID),
    )
    service = PortfolioService(database)
    pid = service.create_portfolio("mid", Decimal(10000), settings=settings)
    for _ in range(5):
        service.tick(pid, "SPY")

    # the 09:34-09:35 bar closes at 167.50 (trade), its quote at bid 167.49 / ask 167.50
    bar = quotes.read_text().splitlines()[5].split(",")
    assert bar[0] == "2013-10-07T13:34:00Z"
    mid = (Decimal(bar[4]) + Decimal(bar[9])) / 2
    (position,) = service.show(pid).positions
    assert position.last_price == mid
    assert position.unrealized_pnl == position.quantity * (mid - position.average_price)
    snapshot = service.equity_curve(pid)[-1]
    assert service.show(pid).summary.equity == snapshot.equity
    assert service.mark_to_market(pid).equity == snapshot.equity


def test_after_the_close_show_keeps_the_last_in_session_mark(
    database: Database, tmp_path: Path
) -> None:
    """Trade minutes 15:55-16:05 New York on 2013-10-07, regular session: after the post-market
    bars, the position still marks at the 15:59-16:00 bar's close 167.42 (not 167.39)."""
    lines = find_bundled("SPY", "1m").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("2013-10-07T19:55"))
    trades = tmp_path / "spy_1m.csv"
    trades.write_text("\n".join([lines[0], *lines[start : start + 10]]) + "\n")
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold"),),
        symbols=("SPY",),
        timeframe="1m",
        source=SourceConfig("replay", files={"SPY": str(trades)}, replay_from=date(2013, 10, 7)),
    )
    service = PortfolioService(database)
    pid = service.create_portfolio("session", Decimal(10000), settings=settings)
    for _ in range(10):
        service.tick(pid, "SPY")

    (position,) = service.show(pid).positions
    assert position.last_price == Decimal("167.42")
    snapshot = service.equity_curve(pid)[-1]
    assert service.show(pid).summary.equity == snapshot.equity
    assert service.mark_to_market(pid).equity == snapshot.equity
