"""Futures accounting on real bundled data, computed by hand: margin blocked per contract,
variation P&L into cash at every close, equity = cash + blocked margin, a margin call."""

from __future__ import annotations

from decimal import Decimal

import pytest
from account_support import index_bars, index_instrument
from engine_builders import Scripted

from paperdesk.config import AccountConfig, ExecutionConfig, RiskConfig, RunConfig, SizingConfig
from paperdesk.data.bar_convert import BarArrays
from paperdesk.domain import Direction, MarginCalled, OptionError, Signal
from paperdesk.engine.backtest import simulate
from paperdesk.engine.wiring import build_kernel

D = Decimal


def futures_config(
    cash: str = "10000",
    contracts: str = "2",
    multiplier: str = "10",
    maintenance: str = "2500",
    allow_short: bool = False,
) -> RunConfig:
    return RunConfig(
        cash=D(cash),
        sizing=SizingConfig(method="fixed", quantity=D(contracts)),
        risk=RiskConfig(exposure_cap_percent=None, allow_short=allow_short),
        execution=ExecutionConfig(commission="per-contract:2", slippage_bps=D(0)),
        account=AccountConfig(
            kind="futures",
            multiplier=D(multiplier),
            initial_margin=D(3000),
            maintenance_margin=D(maintenance),
        ),
    )


def test_a_futures_position_blocks_margin_and_settles_variation_into_cash_every_close() -> None:
    bars = index_bars()
    instrument = index_instrument()
    symbol = instrument.symbol
    kernel = build_kernel(futures_config(), {symbol: instrument}, None)
    feed = BarArrays(bars, symbol, "1d")

    def signal(row: int, direction: Direction) -> Signal:
        return Signal("hand", symbol, direction, feed.bar(row).ts_close)

    def at_close(row: int, *signals: Signal) -> tuple[Decimal, Decimal, Decimal]:
        bar = feed.bar(row)
        kernel.on_bar(bar, signals, row)
        point = kernel.equity_point(bar.ts_close)
        assert point.equity == point.cash + point.positions_value
        return point.cash, kernel.ledger.blocked_margin(), point.equity

    # row 0: long signal at the close; nothing held yet
    assert at_close(0, signal(0, Direction.LONG)) == (D(10000), D(0), D(10000))
    # row 1: buy 2 at the open 3604.08, fee 2 x 2 = 4, margin 2 x 3000 = 6000 blocked;
    # close 3614.34: variation 2 x (3614.34 - 3604.08) x 10 = 205.20
    # cash 10000 - 4 - 6000 + 205.20 = 4201.20; equity 4201.20 + 6000 = 10201.20
    assert at_close(1) == (D("4201.20"), D(6000), D("10201.20"))
    # row 2: close 3652.46: variation 2 x (3652.46 - 3614.34) x 10 = 762.40 -> 4963.60
    assert at_close(2) == (D("4963.60"), D(6000), D("10963.60"))
    # row 3: close 3650.24: variation 2 x (3650.24 - 3652.46) x 10 = -44.40 -> 4919.20
    assert at_close(3, signal(3, Direction.FLAT)) == (D("4919.20"), D(6000), D("10919.20"))
    # row 4: sell 2 at the open 3650.54: variation 2 x 0.30 x 10 = 6.00, margin released,
    # fee 4: 4919.20 + 6.00 + 6000 - 4 = 10921.20 (= 10000 + 2 x 46.46 x 10 - 8)
    assert at_close(4) == (D("10921.20"), D(0), D("10921.20"))
    trade = kernel.ledger.trades[-1]
    assert trade.pnl == D("921.20")  # 2 x (3650.54 - 3604.08) x 10 - 8 in fees
    assert kernel.ledger.realized_pnl == D("929.20")
    kernel.ledger.check_invariants()


def test_the_backtest_reports_the_same_futures_numbers_and_curve() -> None:
    result = simulate(
        index_bars(), Scripted({0: 1, 3: 0}), futures_config(), index_instrument(), engine="event"
    )
    assert result.final_equity == result.final_cash == D("10921.20")
    assert [t.pnl for t in result.trades] == [D("921.20")]
    assert sum(f.fee for f in result.fills) == D(8)  # per-contract:2, 2 contracts in and out
    curve = result.equity_curve.tolist()
    assert curve[:5] == pytest.approx([10000, 10201.20, 10963.60, 10919.20, 10921.20])
    assert result.account_events == ()


def test_equity_below_maintenance_liquidates_the_position_at_the_next_open_and_reports_it() -> None:
    # short 1 contract, multiplier 50, at row 1's open 3604.08 (fee 2); cash 4000
    # row 1 close 3614.34: equity 4000 - 2 - 10.26 x 50 = 3485.00 >= 2500 maintenance
    # row 2 close 3652.46: equity 3998 - 48.38 x 50 = 1579.00 < 2500 -> margin call
    # row 3: bought back at the open 3652.19: realized -48.11 x 50 = -2405.50, fees 4
    result = simulate(
        index_bars(),
        Scripted({0: -1}),
        futures_config("4000", "1", "50", allow_short=True),
        index_instrument(),
        engine="event",
    )
    (called,) = result.account_events
    assert isinstance(called, MarginCalled)
    assert (called.equity, called.requirement) == (D("1579.00"), D(2500))
    assert called.ts_event == index_bars().iloc[2]["ts_close"]
    assert "below the maintenance requirement 2500" in called.reason
    (trade,) = result.trades
    assert (trade.exit_price, trade.pnl) == (D("3652.19"), D("-2409.50"))
    assert trade.exit_reason.startswith("margin call: equity 1579.00")
    assert result.final_cash == result.final_equity == D("1590.50")  # 4000 - 2405.50 - 4


def test_no_margin_call_while_equity_covers_maintenance() -> None:
    # the same short with maintenance 1500 over rows 0-3: equity 1579.00 at row 2 and
    # 3998 - (3650.24 - 3604.08) x 50 = 1690.00 at row 3 both cover it
    result = simulate(
        index_bars(4),
        Scripted({0: -1}),
        futures_config("4000", "1", "50", maintenance="1500", allow_short=True),
        index_instrument(),
        engine="event",
    )
    assert result.account_events == ()
    assert result.trades == ()
    assert result.final_equity == D("1690.00")


def test_an_initial_margin_above_one_contracts_notional_is_refused_before_the_run() -> None:
    config = futures_config().model_copy(
        update={"account": AccountConfig(kind="futures", multiplier=D(1), initial_margin=D(4000))}
    )
    with pytest.raises(OptionError, match=r"--initial-margin: 4000 .*3604\.33 x multiplier 1"):
        simulate(index_bars(), Scripted({0: 1}), config, index_instrument(), engine="event")
