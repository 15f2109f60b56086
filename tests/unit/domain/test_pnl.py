"""The one definition of realized P&L: gross, fees and net = gross - fees."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import Side, Trade
from paperdesk.domain.pnl import RealizedPnl

DAY = datetime(2024, 1, 2, tzinfo=UTC)


def trade(gross: str, fees: str) -> Trade:
    net = Decimal(gross) - Decimal(fees)
    one = Decimal(1)
    return Trade("SPY", Side.BUY, one, one, one, DAY, DAY, Decimal(fees), net)


def test_closed_trades_reconcile_gross_fees_and_net() -> None:
    trades = [trade("-256.45", "15.11445"), trade("230.62", "2"), trade("-736.53", "111.99")]
    total = RealizedPnl.of_trades(trades)
    assert total.gross == Decimal("-762.36")
    assert total.fees == Decimal("129.10445")
    assert total.net == sum(t.pnl for t in trades)  # the trades' net P&Ls add up to it
    assert total.net == total.gross - total.fees


def test_no_trades_is_zero_everywhere() -> None:
    total = RealizedPnl.of_trades([])
    assert (total.gross, total.fees, total.net) == (0, 0, 0)
