"""A backtest on raw bundled AAPL books the 2014 dividends and 7-for-1 split on its ledger, so
the result is the real one (on main it showed the split as a 62% loss).

Prices: ``src/paperdesk/data/bundled/lean_AAPL_1d.csv`` (raw Lean bars); actions: the bundled
factor file ``factor_files/aapl.csv``. The numbers are worked out by hand below.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig, SourceConfig
from paperdesk.domain import Side
from paperdesk.service.backtests import run_backtest

D = Decimal
YEAR_2014 = {"symbol": "AAPL", "start": date(2014, 1, 1), "end": date(2014, 12, 31)}
NO_COSTS = ExecutionConfig(commission="none", slippage_bps=D(0))
RAW = SourceConfig(adjust="raw")  # raw prices: the ledger books the splits and dividends


def test_buy_and_hold_through_2014_books_four_dividends_and_the_split_by_hand() -> None:
    config = RunConfig(
        strategy="buy-and-hold",
        sizing=SizingConfig(method="fixed", quantity=D(10)),
        execution=NO_COSTS,
        source=RAW,
        **YEAR_2014,
    )
    result = run_backtest(config)

    (fill,) = result.fills
    # the signal on the 2014-01-02 bar fills at the 2014-01-03 open 553.00: cost 5530.00
    assert (fill.side, fill.quantity, fill.price) == (Side.BUY, D(10), D("553.0"))
    # dividends (ex-date, a share): 02-06 3.05 and 05-08 3.29 on 10 shares = 30.50 + 32.90;
    # the 7-for-1 split on 06-09 makes 70 shares; 08-07 and 11-06 0.47 on 70 = 32.90 + 32.90
    assert result.final_cash == D(10000) - D("5530.00") + D("30.50") + D("32.90") + D("32.90") + D(
        "32.90"
    )
    assert result.final_cash == D("4599.20")
    # marked at the 2014-12-31 close 110.38: 70 x 110.38 = 7726.60
    assert result.final_equity == D("4599.20") + D("7726.60") == D("12325.80")
    (position,) = result.open_positions
    assert (position.quantity, position.average_price) == (D(70), D("79"))  # 5530.00 / 70
    # buy and hold is measured on split-adjusted closes: 553.13 on 01-02 to 110.38 x 7
    assert round(result.stats.buy_and_hold_return_pct, 6) == round(
        (110.38 * 7 / 553.13 - 1) * 100, 6
    )
    curve = result.equity_curve
    assert curve.min() > 9000  # no 62% drop on the split day


def test_the_event_kernel_and_the_default_engine_agree_when_actions_apply() -> None:
    """A run with corporate actions inside it takes the event kernel (the fast path does not
    book them), so both engine choices give the same exact result."""
    from paperdesk.data import instrument_for
    from paperdesk.data.corporate_actions import ledger_actions_for
    from paperdesk.engine.backtest import simulate
    from paperdesk.engine.strategies import run_strategies
    from paperdesk.service.backtests import load_run_bars

    config = RunConfig(strategy="sma-cross", **YEAR_2014)
    bars = load_run_bars(config)
    instrument = instrument_for("AAPL")
    strategy = run_strategies(config)["sma-cross"]
    actions = ledger_actions_for(instrument)
    auto = simulate(bars, strategy, config, instrument, corporate_actions=actions)
    event = simulate(bars, strategy, config, instrument, engine="event", corporate_actions=actions)
    unbooked = simulate(bars, strategy, config, instrument)
    assert auto.final_equity == event.final_equity
    assert [f.price for f in auto.fills] == [f.price for f in event.fills]
    # without the actions the 7:1 split reads as a loss of most of the account
    assert unbooked.final_equity < D(4000) < D(10000) < auto.final_equity


def test_bars_already_adjusted_book_no_actions() -> None:
    from paperdesk.data import instrument_for
    from paperdesk.data.corporate_actions import adjust, bundled_factor_file, ledger_actions_for
    from paperdesk.engine.backtest import simulate
    from paperdesk.engine.strategies import run_strategies
    from paperdesk.service.backtests import load_run_bars

    config = RunConfig(strategy="buy-and-hold", execution=NO_COSTS, **YEAR_2014)
    factor_file = bundled_factor_file("AAPL")
    assert factor_file is not None
    adjusted = adjust(load_run_bars(config), factor_file, "split", timeframe="1d")
    instrument = instrument_for("AAPL")
    strategy = run_strategies(config)["buy-and-hold"]
    result = simulate(
        adjusted, strategy, config, instrument, corporate_actions=ledger_actions_for(instrument)
    )
    (fill,) = result.fills
    (position,) = result.open_positions
    assert position.quantity == fill.quantity  # no split booked on split-adjusted prices


def test_hourly_bars_book_the_split_at_the_ex_dates_first_bar() -> None:
    """``lean_AAPL_1h.csv``: the 2020-08-28 15:00 ET bar closes at 499.23, the 2020-08-31 09:00
    ET bar (09:30-10:00) opens at 127.67; the split lands between them."""
    config = RunConfig(
        strategy="buy-and-hold",
        symbol="AAPL",
        timeframe="1h",
        start=date(2020, 8, 24),
        end=date(2020, 9, 4),
        sizing=SizingConfig(method="fixed", quantity=D(10)),
        execution=NO_COSTS,
        source=RAW,
    )
    result = run_backtest(config)

    (fill,) = result.fills
    # the first bar (2020-08-24 09:00 ET) signals; the next bar opens at 507.29: cost 5072.90
    assert (fill.quantity, fill.price) == (D(10), D("507.29"))
    assert result.final_cash == D(10000) - D("5072.90") == D("4927.10")
    (position,) = result.open_positions
    assert position.quantity == D(40)
    assert position.average_price == D("5072.90") / 40 == D("126.8225")
    # marked at the 2020-09-04 15:00 ET close 120.96: 40 x 120.96 = 4838.40
    assert result.final_equity == D("4927.10") + D("4838.40") == D("9765.50")


def test_the_kernel_debits_a_short_the_dividend_before_the_ex_dates_fills() -> None:
    from paperdesk.data import instrument_for
    from paperdesk.data.bar_convert import BarArrays
    from paperdesk.data.corporate_actions import ledger_actions_for
    from paperdesk.domain import CorporateActionApplied, OrderFilled, OrderIntent
    from paperdesk.engine.wiring import build_kernel
    from paperdesk.service.backtests import load_run_bars

    config = RunConfig(
        strategy="buy-and-hold",
        symbol="AAPL",
        start=date(2020, 8, 4),
        end=date(2020, 8, 10),
        risk=RiskConfig(allow_short=True),
        execution=NO_COSTS,
    )
    instrument = instrument_for("AAPL")
    kernel = build_kernel(
        config,
        {"AAPL": instrument},
        None,
        corporate_actions={"AAPL": ledger_actions_for(instrument)},
    )
    feed = BarArrays(load_run_bars(config), "AAPL", "1d")
    first = feed.bar(0)  # 2020-08-04
    kernel.on_bar(first, (), 0)
    kernel.submit_order(OrderIntent("AAPL", Side.SELL, D(10)), first.ts_close, price=first.close)
    events = [kernel.on_bar(feed.bar(row), (), row) for row in range(1, feed.length)]

    # sold short 10 at the 2020-08-05 open 437.75: cash 10000 + 4377.50
    (filled,) = [e for e in events[0] if isinstance(e, OrderFilled)]
    assert (filled.fill.quantity, filled.fill.price) == (D(10), D("437.75"))
    # the 2020-08-07 bar opens with the dividend: 10 x 0.82 = 8.20 owed to the lender
    (dividend,) = [e for e in events[2] if isinstance(e, CorporateActionApplied)]
    assert events[2][0] is dividend
    assert (dividend.quantity_before, dividend.cash) == (D(-10), D("-8.20"))
    assert kernel.ledger.cash == D(10000) + D("4377.50") - D("8.20") == D("14369.30")
    assert kernel.ledger.realized_pnl == D("-8.20")
    assert not any(isinstance(e, CorporateActionApplied) for e in events[1] + events[3])
    kernel.ledger.check_invariants()
