"""Paper trading a portfolio of two symbols whose entries are routed on the same bar, with no
exposure cap and 60% sizing: the second entry's cash check counts the first, still working, so
it is sized at the signal to the cash left and fills as routed, as the backtest kernel does
(the same bars fed to a kernel fill alike)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from test_paper_working_entries import CASH, _compared, exact_rows, kernel_fills, paper_run
from test_paper_working_entries import write_slices as slices

from paperdesk.config import RiskConfig, SizingConfig
from paperdesk.store import Database

D = Decimal
NO_CAP = RiskConfig(exposure_cap_percent=None)
SIXTY = SizingConfig(percent=D(60))


def test_paper_trading_sizes_the_second_entry_to_the_cash_the_first_leaves(
    database: Database, tmp_path: Path
) -> None:
    files = slices(tmp_path)
    service, pid = paper_run(database, files, NO_CAP, SIXTY)
    fills = service.fills(pid)

    closes = {symbol: exact_rows(path)[0][4] for symbol, path in files.items()}
    spy = (CASH * D("0.6") / closes["SPY"]).to_integral_value(ROUND_FLOOR)
    aapl = ((CASH - spy * closes["SPY"]) / closes["AAPL"]).to_integral_value(ROUND_FLOOR)
    assert aapl < CASH * D("0.6") / closes["AAPL"] - 1  # the cash left, not 60% of equity
    routed = {order.symbol: order.quantity for order in service.orders(pid)}
    assert routed == {f.symbol: f.quantity for f in fills} == {"SPY": spy, "AAPL": aapl}
    assert _compared(fills) == _compared(kernel_fills(files, NO_CAP, SIXTY))
