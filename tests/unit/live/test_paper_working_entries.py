"""Paper trading a portfolio of two symbols whose entries are routed on the same bar: the second
entry's risk rules count the first, still working, as the backtest kernel does (the same bars
fed to a kernel fill alike)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ledger_support import check_ledger
from paperdesk.config import RiskConfig, RunConfig, SizingConfig, SourceConfig, StrategySpec
from paperdesk.data import find_bundled, instrument_for
from paperdesk.domain import Bar, Direction, Fill, Signal
from paperdesk.engine.wiring import build_kernel
from paperdesk.live import TickStatus
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

D = Decimal
FIRST, ROWS = date(2019, 1, 2), 3
SYMBOLS = ("SPY", "AAPL")  # ticked in this order: SPY's entry is working when AAPL's is routed
CASH, PERCENT, CAP = D(10_000), D(50), D(80)
SIZING = SizingConfig(percent=PERCENT)


def write_slices(directory: Path) -> dict[str, Path]:
    """Each symbol's bundled daily bars from ``FIRST`` on, ``ROWS`` of them, in its own file."""
    files = {}
    for symbol in SYMBOLS:
        lines = find_bundled(symbol, "1d").read_text().splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(FIRST.isoformat()))
        path = files[symbol] = directory / f"{symbol.lower()}.csv"
        path.write_text("\n".join([lines[0], *lines[start : start + ROWS]]) + "\n")
    return files


def exact_rows(path: Path) -> list[tuple[datetime, Decimal, Decimal, Decimal, Decimal, Decimal]]:
    """The file's bars with their prices read exactly from the text."""
    rows = []
    for line in path.read_text().splitlines()[1:]:
        stamp, *values = line.split(",")
        opened = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
        open_, high, low, close, volume = (D(value) for value in values)
        rows.append((opened, open_, high, low, close, volume))
    return rows


def paper_run(
    database: Database, files: dict[str, Path], risk: RiskConfig, sizing: SizingConfig = SIZING
) -> tuple[PortfolioService, int]:
    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold"),),
        symbols=SYMBOLS,
        source=SourceConfig(
            "replay", files={s: str(p) for s, p in files.items()}, replay_from=FIRST
        ),
        sizing=sizing,
        risk=risk,
    )
    pid = service.create_portfolio("working entries", CASH, settings=settings)
    for _ in range(ROWS):
        for symbol in SYMBOLS:
            assert service.tick(pid, symbol)[-1].status is TickStatus.PROCESSED
    check_ledger(database, pid)
    return service, pid


def kernel_fills(
    files: dict[str, Path], risk: RiskConfig, sizing: SizingConfig = SIZING
) -> list[Fill]:
    """The same bars, in the same order, through the kernel a backtest runs on."""
    config = RunConfig(strategy="buy-and-hold", symbol="SPY", cash=CASH, sizing=sizing, risk=risk)
    kernel = build_kernel(config, {s: instrument_for(s) for s in SYMBOLS}, None)
    feeds = {symbol: exact_rows(path) for symbol, path in files.items()}
    for row in range(ROWS):
        for symbol in SYMBOLS:
            opened, open_, high, low, close, volume = feeds[symbol][row]
            end = opened + timedelta(days=1)
            bar = Bar(symbol, "1d", opened, end, open_, high, low, close, volume)
            signals = [Signal("buy-and-hold", symbol, Direction.LONG, end)] if row == 0 else []
            kernel.on_bar(bar, signals, row)
    return list(kernel.ledger.fills)


def _compared(fills: list[Fill]) -> list[tuple[object, ...]]:
    return [(f.symbol, f.side, f.quantity, f.price, f.fee) for f in fills]


def test_paper_trading_counts_the_working_entry_of_another_symbol_under_the_exposure_cap(
    database: Database, tmp_path: Path
) -> None:
    files = write_slices(tmp_path)
    risk = RiskConfig(exposure_cap_percent=CAP)
    service, pid = paper_run(database, files, risk)
    fills = service.fills(pid)

    closes = {symbol: exact_rows(path)[0][4] for symbol, path in files.items()}
    spy = (CASH * PERCENT / 100 / closes["SPY"]).to_integral_value(rounding="ROUND_FLOOR")
    room = CASH * CAP / 100 - spy * closes["SPY"]
    aapl = (room / closes["AAPL"]).to_integral_value(rounding="ROUND_FLOOR")
    assert {f.symbol: f.quantity for f in fills} == {"SPY": spy, "AAPL": aapl}
    assert _compared(fills) == _compared(kernel_fills(files, risk))


def test_paper_trading_counts_a_symbol_with_a_working_entry_as_an_open_position(
    database: Database, tmp_path: Path
) -> None:
    files = write_slices(tmp_path)
    risk = RiskConfig(exposure_cap_percent=None, max_open_positions=1)
    service, pid = paper_run(database, files, risk)
    fills = service.fills(pid)

    assert [f.symbol for f in fills] == ["SPY"]
    assert [order.symbol for order in service.orders(pid)] == ["SPY"]  # refused when routed
    [refused] = [signal for signal in service.signals(pid) if signal.symbol == "AAPL"]
    assert refused.rejection == (
        "0 positions are open plus 1 with a working entry (SPY) and the maximum is 1; "
        "not opening AAPL"
    )
    assert _compared(fills) == _compared(kernel_fills(files, risk))
