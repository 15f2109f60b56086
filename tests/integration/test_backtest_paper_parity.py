"""A backtest and a replayed paper run over the same bars with the same strategy and settings
produce the same fills (order, time, side, price, quantity, fee) and the same round trips.

Both see the same history: the data file starts where the backtest starts, and the replay serves
it from its first bar, so the strategy is computed over the same bars in both runs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from ledger_support import check_ledger, spy_slice
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    AccountConfig,
    ExecutionConfig,
    MarkPrice,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.data import find_bundled, find_bundled_quotes, instrument_for
from paperdesk.domain import Fill, OrderType, Side, Trade
from paperdesk.engine.backtest import simulate
from paperdesk.live import TickStatus
from paperdesk.service.backtests import load_run_bars, run_backtest
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
    "sma-cross, level mode after 30 bars": (
        "sma-cross",
        {"fast": 5, "slow": 20, "mode": "level", "min_bars": 30},
        SizingConfig(),
        RiskConfig(),
        ExecutionConfig(),
    ),
    "macd-cross, first-value EMA seed after 60 bars, shorts": (
        "macd-cross",
        {"ema_seed": "first", "min_bars": 60},
        SizingConfig(),
        RiskConfig(allow_short=True),
        ExecutionConfig(),
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


def test_a_backtest_and_a_replayed_paper_run_agree_across_a_split_and_a_dividend(
    database: Database,
) -> None:
    """Bundled raw AAPL from 2020-08-05 to 2020-09-04: buy-and-hold buys on the first bar, the
    2020-08-07 dividend (0.82) and the 2020-08-31 4-for-1 split are booked by both runs alike."""
    start, end = date(2020, 8, 5), date(2020, 9, 4)
    execution = ExecutionConfig(commission="per-share:0.005:min=1")
    config = RunConfig(
        strategy="buy-and-hold", symbol="AAPL", start=start, end=end, execution=execution,
        source=SourceConfig(adjust="raw"),  # raw prices: the ledger books the actions
    )  # fmt: skip
    backtest = run_backtest(config)
    bars = load_run_bars(config)

    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold"),),
        symbols=("AAPL",),
        source=SourceConfig("replay", replay_from=start),
        execution=execution,
    )
    pid = service.create_portfolio("parity", Decimal(10000), settings=settings)
    for _ in range(len(bars)):
        assert service.tick(pid, "AAPL")[-1].status is TickStatus.PROCESSED

    assert len(backtest.fills) == 1
    assert _fills(service.fills(pid)) == _fills(backtest.fills)
    (position,) = service.show(pid).positions
    (bought,) = backtest.fills
    assert position.quantity == bought.quantity * 4  # held through the split
    summary = service.show(pid).summary
    assert summary.cash == backtest.final_cash
    assert summary.equity == backtest.final_equity
    # the dividend: 0.82 a share held before the split
    assert summary.cash == Decimal(10000) - bought.notional - bought.fee + bought.quantity * (
        Decimal("0.82")
    )


def aapl_slice(directory: Path, first: str, rows: int) -> Path:
    """A CSV of ``rows`` bundled (raw) AAPL daily bars starting at ``first``."""
    lines = find_bundled("AAPL", "1d").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    path = directory / "aapl.csv"
    path.write_text("\n".join([lines[0], *lines[start : start + rows]]) + "\n")
    return path


ADJUSTED_CASES: dict[str, tuple[str, str, int, SizingConfig, RiskConfig]] = {
    # bought the day before the 7:1 split of 2014-06-09, sold two bars after it
    "buy-and-hold across the split": (
        "buy-and-hold",
        "2014-06-05",
        6,
        SizingConfig(method="fixed", quantity=Decimal(300)),
        RiskConfig(max_holding_bars=2),
    ),
    "macd-cross, spring to autumn 2014": (
        "macd-cross", "2014-03-03", 150, SizingConfig(), RiskConfig(),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(ADJUSTED_CASES))
def test_a_portfolio_on_adjusted_prices_fills_as_the_adjusted_backtest(
    database: Database, tmp_path: Path, case: str
) -> None:
    strategy, first, rows, sizing, risk = ADJUSTED_CASES[case]
    path = aapl_slice(tmp_path, first, rows)
    execution = ExecutionConfig(commission="per-share:0.005:min=1")
    config = RunConfig(
        strategy=strategy, data=path, symbol="AAPL", timeframe="1d", cash=Decimal(10000),
        sizing=sizing, risk=risk, execution=execution,
        source=SourceConfig(adjust="split-dividend"),  # a --data file is raw unless told
    )  # fmt: skip
    backtest = run_backtest(config)
    assert backtest.adjust == "split-dividend"

    service = PortfolioService(database)
    source = SourceConfig(
        "replay", files={"AAPL": str(path)}, replay_from=date.fromisoformat(first),
        adjust="split-dividend",
    )  # fmt: skip
    settings = RunConfig(
        strategies=(StrategySpec(strategy),), symbols=("AAPL",), source=source,
        sizing=sizing, risk=risk, execution=execution,
    )  # fmt: skip
    pid = service.create_portfolio("adjusted", Decimal(10000), settings=settings)
    assert service.show(pid).settings.source.adjust == "split-dividend"
    served = 0
    while service.tick(pid, "AAPL")[-1].status is TickStatus.PROCESSED:
        served += 1

    assert served == rows
    assert len(backtest.fills) >= 2
    assert any(fill.price != fill.price.quantize(Decimal("0.01")) for fill in backtest.fills)


# ---------------------------------------------------------------------- quoted minute bars
QUOTED_FIRST, QUOTED_ROWS = "2013-10-07T13:30:00Z", 150  # Lean's SPY minutes from 09:30 ET
QUOTED_CASES: dict[str, tuple[str, dict[str, object], ExecutionConfig]] = {
    "sma-cross on quotes, marked at the mid": (
        "sma-cross",
        {"fast": 5, "slow": 12},
        ExecutionConfig(commission="per-share:0.005:min=1", mark=MarkPrice.MID),
    ),
    "macd-cross with ATR brackets on quotes": (
        "macd-cross",
        {"fast": 6, "slow": 13, "signal": 4, "stop_atr": 1.0, "target_atr": 1.5},
        ExecutionConfig(),
    ),
}


def _minute_slices(directory: Path) -> tuple[Path, Path]:
    """``QUOTED_ROWS`` bundled SPY trade minutes from ``QUOTED_FIRST``, and their quotes."""
    quotes = find_bundled_quotes("SPY", "1m")
    assert quotes is not None
    written = []
    for source, name in ((find_bundled("SPY", "1m"), "spy_1m.csv"), (quotes, "quotes.csv")):
        lines = source.read_text().splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(QUOTED_FIRST))
        path = directory / name
        path.write_text("\n".join([lines[0], *lines[start : start + QUOTED_ROWS]]) + "\n")
        written.append(path)
    return written[0], written[1]


@pytest.mark.parametrize("case", list(QUOTED_CASES))
def test_with_quotes_a_backtest_and_a_replayed_paper_run_fill_alike(
    database: Database, tmp_path: Path, case: str
) -> None:
    strategy, params, execution = QUOTED_CASES[case]
    trades, quotes = _minute_slices(tmp_path)
    config = RunConfig(
        strategy=strategy,
        params=params,
        data=trades,
        quotes=quotes,
        symbol="SPY",
        timeframe="1m",
        cash=Decimal(10000),
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
        timeframe="1m",
        source=SourceConfig(
            "replay",
            files={"SPY": str(trades)},
            quote_files={"SPY": str(quotes)},
            replay_from=date(2013, 10, 7),
        ),
        execution=execution,
    )
    pid = service.create_portfolio("parity", Decimal(10000), settings=settings)
    served = 0
    while service.tick(pid, "SPY")[-1].status is TickStatus.PROCESSED:
        served += 1

    assert served == len(bars) == QUOTED_ROWS
    assert len(backtest.fills) >= 4, "the run must trade for the comparison to mean something"
    # market orders fill at the next bar's ask open (buys) or bid open (sells), unslipped
    market = {o.order_id for o in backtest.orders if o.order_type is OrderType.MARKET}
    opens = bars[["ask_open", "bid_open"]]
    for fill in backtest.fills:
        assert fill.slippage == 0
        if fill.order_id in market:
            ask, bid = opens.loc[pd.Timestamp(fill.ts)]
            assert float(fill.price) == (ask if fill.side is Side.BUY else bid)
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


# ------------------------------------------- quotes + session + adjustment + target-percent
COMBINED_FIRST, COMBINED_ROWS = "2013-10-07T19:00:00Z", 575  # 15:00 ET to the next day 11:00
COMBINED_CASES: dict[str, ExecutionConfig] = {
    "regular session, marked at the trade close": ExecutionConfig(
        commission="per-share:0.005:min=1:max-pct=0.5", session="regular"
    ),
    "regular session, marked at the mid": ExecutionConfig(
        commission="per-share:0.005:min=1:max-pct=0.5", session="regular", mark=MarkPrice.MID
    ),
    "extended session, marked at the mid": ExecutionConfig(
        commission="per-share:0.005:min=1:max-pct=0.5", session="extended", mark=MarkPrice.MID
    ),
}


def _combined_slices(directory: Path) -> tuple[Path, Path]:
    """Bundled SPY trade minutes (post-market, pre-market and regular) and their quotes."""
    quotes = find_bundled_quotes("SPY", "1m")
    assert quotes is not None
    trades_lines = find_bundled("SPY", "1m").read_text().splitlines()
    start = next(i for i, line in enumerate(trades_lines) if line.startswith(COMBINED_FIRST))
    chosen = trades_lines[start : start + COMBINED_ROWS]
    last = chosen[-1].split(",")[0]
    quote_lines = quotes.read_text().splitlines()
    kept = [line for line in quote_lines[1:] if COMBINED_FIRST <= line.split(",")[0] <= last]
    trades, quoted = directory / "spy_1m.csv", directory / "quotes.csv"
    trades.write_text("\n".join([trades_lines[0], *chosen]) + "\n")
    quoted.write_text("\n".join([quote_lines[0], *kept]) + "\n")
    return trades, quoted


@pytest.mark.parametrize("case", list(COMBINED_CASES))
def test_quotes_session_adjustment_and_target_percent_together_fill_alike(
    database: Database, tmp_path: Path, case: str
) -> None:
    execution = COMBINED_CASES[case]
    trades, quotes = _combined_slices(tmp_path)
    params: dict[str, object] = {"fast": 5, "slow": 12}
    sizing = SizingConfig(method="target-percent", percent=Decimal(50))
    risk = RiskConfig(exposure_cap_percent=None)
    config = RunConfig(
        strategy="sma-cross", params=params, data=trades, quotes=quotes, symbol="SPY",
        timeframe="1m", cash=Decimal(100000), sizing=sizing, risk=risk, execution=execution,
        source=SourceConfig(adjust="split-dividend"),
    )  # fmt: skip
    backtest = run_backtest(config)
    assert backtest.adjust == "split-dividend"

    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", params),),
        symbols=("SPY",),
        timeframe="1m",
        source=SourceConfig(
            "replay",
            files={"SPY": str(trades)},
            quote_files={"SPY": str(quotes)},
            replay_from=date(2013, 10, 7),
            adjust="split-dividend",
        ),
        sizing=sizing, risk=risk, execution=execution,
    )  # fmt: skip
    pid = service.create_portfolio("combined", Decimal(100000), settings=settings)
    served = 0
    while service.tick(pid, "SPY")[-1].status is TickStatus.PROCESSED:
        served += 1

    assert served == COMBINED_ROWS
    assert len(backtest.fills) >= 4, "the run must trade for the comparison to mean something"
    # adjusted quotes: fills are off the raw cent grid; a fill on a quoted bar has no slippage
    assert any(fill.price != fill.price.quantize(Decimal("0.01")) for fill in backtest.fills)
    bars = load_run_bars(config)
    quoted = {ts for ts, ask in bars["ask_open"].items() if not pd.isna(ask)}
    assert all(f.slippage == 0 for f in backtest.fills if pd.Timestamp(f.ts) in quoted)
    assert _fills(service.fills(pid)) == _fills(backtest.fills)
    assert _trades(service.trades(pid)) == _trades(backtest.trades)
    summary = service.show(pid).summary
    assert summary.cash == backtest.final_cash
    assert summary.equity == backtest.final_equity
    check_ledger(database, pid)


def test_a_futures_account_across_a_split_agrees_in_backtest_and_paper(database: Database) -> None:
    """Raw AAPL as a futures contract (multiplier 1, margin 100) through the 2020-08-31 4-for-1
    split: both runs hold 4 x the contracts, block their margin and end with the same books."""
    start, end = date(2020, 8, 25), date(2020, 9, 4)
    sizing = SizingConfig(method="fixed", quantity=Decimal(10))
    execution = ExecutionConfig(commission="per-contract:1", slippage_bps=Decimal(0))
    account = AccountConfig(kind="futures", multiplier=Decimal(1), initial_margin=Decimal(100))
    config = RunConfig(
        strategy="buy-and-hold", symbol="AAPL", start=start, end=end, sizing=sizing,
        execution=execution, account=account, source=SourceConfig(adjust="raw"),
    )  # fmt: skip
    backtest = run_backtest(config)
    bars = load_run_bars(config)

    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold"),), symbols=("AAPL",),
        source=SourceConfig("replay", replay_from=start), sizing=sizing, execution=execution,
        account=account,
    )  # fmt: skip
    pid = service.create_portfolio("futures split", Decimal(10000), settings=settings)
    for _ in range(len(bars)):
        assert service.tick(pid, "AAPL")[-1].status is TickStatus.PROCESSED

    (bought,) = backtest.fills
    assert _fills(service.fills(pid)) == _fills(backtest.fills)
    (position,) = service.show(pid).positions
    assert position.quantity == bought.quantity * 4 == 40
    summary = service.show(pid).summary
    assert summary.positions_value == 40 * 100  # the margin of every contract after the split
    assert summary.cash == backtest.final_cash
    assert summary.equity == backtest.final_equity
    # no split jump: equity is the cash paid in plus what the price made
    last_close = Decimal(str(bars["close"].iloc[-1]))
    assert summary.equity == Decimal(10000) - bought.fee + 40 * (last_close - bought.price / 4)
    with database.dry_transaction() as repository:  # stored: cash before the variation
        row = repository.portfolio(pid)
        assert row.cash == row.starting_cash + row.realized_pnl - row.fees_paid - 40 * 100
