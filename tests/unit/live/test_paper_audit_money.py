"""A paper portfolio's audit sentences of its fill and its dividend show money by the one
money rule with the book's currency: they printed the Decimal as stored (``fee 200.000``,
``credited 1640.00``); the entries' details keep the exact strings."""

from __future__ import annotations

from decimal import Decimal

from ledger_support import after_close
from paperdesk.config import ExecutionConfig, RunConfig, SizingConfig, SourceConfig, StrategySpec
from paperdesk.live import BarSource, FixedClock
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

D = Decimal
HISTORY = BarSource().history("AAPL", "1d", SourceConfig())
SETTINGS = RunConfig(
    strategies=(StrategySpec("buy-and-hold"),),
    symbols=("AAPL",),
    sizing=SizingConfig(method="fixed", quantity=D(2000)),
    execution=ExecutionConfig(commission="per-share:0.100", slippage_bps=D(0)),
)


def test_a_fill_and_a_dividend_are_audited_with_money_by_the_money_rule(
    database: Database,
) -> None:
    clock = FixedClock(after_close(HISTORY, "2020-08-05"))
    service = PortfolioService(database, clock=clock)
    pid = service.create_portfolio("aapl", D(2000000), settings=SETTINGS)
    service.tick(pid, "AAPL")  # the buy-and-hold signal; it fills at the 2020-08-06 open
    clock.set(after_close(HISTORY, "2020-08-10"))
    service.tick(pid, "AAPL")  # 2020-08-07 ex-dividend 0.82 on 2000 shares
    entries = {entry.kind: entry for entry in service.audit(pid)}
    filled, dividend = entries["order.filled"], entries["corporate_action.dividend"]
    assert filled.message.endswith(" fee 200.00 (O1)")
    assert filled.message.startswith("filled buy 2000 AAPL at 441.65")
    assert D(filled.details["fee"]) == D(200)
    assert dividend.message.endswith(": 2000 shares, credited 1,640.00")
    assert dividend.details["cash"] == "1640.00"
