"""A backtest and a replayed paper run over the same bars with the same strategy and settings
produce the same fills (order, time, side, price, quantity, fee) and the same round trips.

Both see the same history: the data file starts where the backtest starts, and the replay serves
it from its first bar, so the strategy is computed over the same bars in both runs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledger_support import check_ledger, spy_slice
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    AccountConfig,
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.data import find_bundled, instrument_for
from paperdesk.domain import Fill, Trade
from paperdesk.engine.backtest import simulate
from paperdesk.live import TickStatus
from paperdesk.service.backtests import load_run_bars
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

FIRST, ROWS = date(2018, 1, 2), 150

Case = tuple[str, dict[str, object], SizingConfig, RiskConfig, ExecutionConfig]
CASES: dict[str, Case] = {
    "macd-cross, defaults": ("macd-cross", {}, SizingConfig(), RiskConfig(), ExecutionConfig()),
    "macd-cross, ATR brackets, max holding, daily loss limit": (
        "macd-cross",
        {"stop_atr": 0.5, "target_atr": 1.0},
        SizingConfig(method="risk", risk_percent=Decimal("2")),
        RiskConfig(max_holding_bars=3, daily_loss_limit_percent=Decimal("0.5")),
        ExecutionConfig(),
    ),
    "rsi-divergence, all-in at the fill": (
        "rsi-divergence",
        {},
        SizingConfig(percent=Decimal("100"), timing=SizeTiming.FILL),
        RiskConfig(exposure_cap_percent=None, allow_short=True),
        ExecutionConfig(commission="percent:0.1"),
    ),
    "sma-cross, fees, shorts, cooldown": (
        "sma-cross",
        {},
        SizingConfig(percent=Decimal("50")),
        RiskConfig(allow_short=True, cooldown_bars=3),
        ExecutionConfig(commission="per-share:0.005:min=1", slippage_bps=Decimal("2")),
    ),
}


def _fills(fills: tuple[Fill, ...] | list[Fill]) -> list[tuple[object, ...]]:
    return [(f.ts, f.side, f.quantity, f.price, f.fee, f.slippage) for f in fills]


def _trades(trades: tuple[Trade, ...] | list[Trade]) -> list[tuple[object, ...]]:
    return [
        (t.side, t.quantity, t.entry_price, t.exit_price, t.ts_entry, t.ts_exit, t.fees, t.pnl)
        for t in trades
    ]


@pytest.mark.parametrize("case", list(CASES))
def test_a_backtest_and_a_replayed_paper_run_fill_alike(
    database: Database, tmp_path: Path, case: str
) -> None:
    strategy, params, sizing, risk, execution = CASES[case]
    path = spy_slice(tmp_path, FIRST.isoformat(), ROWS)
    config = RunConfig(
        strategy=strategy,
        params=params,
        data=path,
        symbol="SPY",
        timeframe="1d",
        cash=Decimal(10000),
        sizing=sizing,
        risk=risk,
        execution=execution,
    )
    bars = load_run_bars(config)
    backtest = simulate(
        bars, create_strategy(strategy, params), config, instrument_for("SPY"), engine="event"
    )

    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec(strategy, params),),
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=FIRST),
        sizing=sizing,
        risk=risk,
        execution=execution,
    )
    pid = service.create_portfolio("parity", Decimal(10000), settings=settings)
    served = 0
    while service.tick(pid, "SPY")[-1].status is TickStatus.PROCESSED:
        served += 1

    assert served == len(bars) == ROWS
    assert len(backtest.fills) >= 4, "the run must trade for the comparison to mean something"
    assert _fills(service.fills(pid)) == _fills(backtest.fills)
    assert _trades(service.trades(pid)) == _trades(backtest.trades)
    summary = service.show(pid).summary
    assert summary.cash == backtest.final_cash
    assert summary.equity == backtest.final_equity
    check_ledger(database, pid)


INDEX = "2006-DAY-001"  # backtrader's 2006 index series, bundled (an index-future stand-in)
FUTURES_CASES = {
    # multiplier 10, margin 3000 per contract: no margin call
    "futures, multiplier 10": ("10000", "10"),
    # multiplier 50 on 4000 of cash: the April slide margin-calls a short (see the README)
    "futures, multiplier 50, margin calls": ("4000", "50"),
}


def _index_slice(directory: Path, rows: int) -> Path:
    lines = find_bundled(INDEX, "1d").read_text().splitlines()
    path = directory / "index.csv"
    path.write_text("\n".join(lines[: rows + 1]) + "\n")
    return path


@pytest.mark.parametrize("case", list(FUTURES_CASES))
def test_futures_accounting_fills_settles_and_margin_calls_alike_in_backtest_and_paper(
    database: Database, tmp_path: Path, case: str
) -> None:
    cash, multiplier = FUTURES_CASES[case]
    rows = 90
    path = _index_slice(tmp_path, rows)
    sizing = SizingConfig(method="fixed", quantity=Decimal(1))
    risk = RiskConfig(exposure_cap_percent=None, allow_short=True)
    execution = ExecutionConfig(commission="per-contract:2", slippage_bps=Decimal(0))
    account = AccountConfig(
        kind="futures",
        multiplier=Decimal(multiplier),
        initial_margin=Decimal(3000),
        maintenance_margin=Decimal(2500),
    )
    params = {"fast": 1, "slow": 15}
    config = RunConfig(
        strategy="sma-cross", params=params, data=path, symbol=INDEX, timeframe="1d",
        cash=Decimal(cash), sizing=sizing, risk=risk, execution=execution, account=account,
    )  # fmt: skip
    bars = load_run_bars(config)
    backtest = simulate(
        bars, create_strategy("sma-cross", params), config, instrument_for(INDEX), engine="event"
    )

    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", params),),
        symbols=(INDEX,),
        source=SourceConfig("replay", files={INDEX: str(path)}, replay_from=date(2006, 1, 2)),
        sizing=sizing, risk=risk, execution=execution, account=account,
    )  # fmt: skip
    pid = service.create_portfolio("futures parity", Decimal(cash), settings=settings)
    while service.tick(pid, INDEX)[-1].status is TickStatus.PROCESSED:
        pass

    assert len(backtest.fills) >= 4, "the run must trade for the comparison to mean something"
    assert _fills(service.fills(pid)) == _fills(backtest.fills)
    assert _trades(service.trades(pid)) == _trades(backtest.trades)
    summary = service.show(pid).summary
    assert summary.cash == backtest.final_cash
    assert summary.equity == backtest.final_equity
    # what is stored: positions, and cash before the open variation; the blocked margin is
    # derived from the positions (initial margin x contracts), so no column holds it
    with database.dry_transaction() as repository:
        row = repository.portfolio(pid)
        held = repository.positions(pid)
        blocked = sum((abs(p.quantity) for p in held), Decimal(0)) * 3000
        assert row.cash == row.starting_cash + row.realized_pnl - row.fees_paid - blocked
        assert summary.positions_value == blocked
        for snapshot in repository.equity(pid):
            assert snapshot.equity == snapshot.cash + snapshot.positions_value
        called = [a for a in repository.audit(pid) if a.kind == "account.margin_called"]
        published = [e for e in repository.outbox(portfolio_id=pid) if "margin" in e.kind]
    assert [a.ts_event for a in called] == [e.ts_event for e in backtest.account_events]
    assert len(published) == len(called)
    assert (len(called) > 0) is (multiplier == "50")
