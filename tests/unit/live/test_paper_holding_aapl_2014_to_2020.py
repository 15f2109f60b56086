"""A raw-price replay portfolio that buys 10 AAPL before the 2014 7-for-1 split and holds them
through the 2020 4-for-1 split, booking all 25 quarterly dividends in between, on the paper path
(replay clock, runner, kernel, ledger writer), every number worked out by hand below.

Prices are the raw bundled Lean bars (``src/paperdesk/data/bundled/lean_AAPL_1d.csv``); the
actions are those of the bundled factor file (``factor_files/aapl.csv``), derived as Lean's
``FactorFileRow.GetSplit``/``GetDividend`` do and as ``FactorFile.ledger_actions`` documents:

* a row ``YYYYMMDD,price factor,split factor,reference price`` is dated the last session before
  the ex-date; the ex-date is the next XNYS session;
* a split: 1 share becomes split factor / next split factor shares
  (0.0357143 -> 0.25 is 1 -> 7; 0.25 -> 1 is 1 -> 4); the quantity is multiplied, the cost kept,
  the average price divided;
* a dividend: reference price x (1 - price factor / next price factor), rounded half up to the
  cent; credited as quantity x amount on the ex-date (factor files carry no pay date).

Speed, honestly. Ticking every one of the 1,572 daily bars from 2014-06-04 to 2020-08-31 (one
transaction each) took 60 s on SQLite here, with the same cash (4652.60) and equity (40783.80)
at the end as this test. The books of a buy-and-hold position change only on the fill and on
ex-dates, and the kernel books every action whose ex-date falls after the previous bar it saw
and on or before the current one. So the replay here serves the real raw daily bars of the days
that matter (everything up to the 2014 split, each dividend's ex-date, 2020-08-28 and 2020-08-31)
and skips the days in between: each action is still booked on its own ex-date bar, in its own
tick, as in the full run. 31 ticks, about a second per database. The last test checks that
premise in the suite: July-August 2020 served every day and served on the action days only give
the same books and the same audit entries.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ledger_support import check_ledger
from outbox_support import entries
from paperdesk.config import (
    ExecutionConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.live import BarSource, FixedClock, TickStatus
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

D = Decimal
CENT = D("0.01")
STARTED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # every bundled bar has closed by then

# Each dividend between the two splits, from the factor file: (the row's date, its reference
# price = the raw close that day, its price factor, the next row's price factor, the amount
# worked out by hand = reference x (1 - factor / next factor), rounded half up to the cent),
# and its ex-date, the next session. All 25 are paid on 70 shares (after 2014's 7-for-1).
DIVIDENDS = (
    # row date  ex-date       reference  factor       next factor  amount
    ("20140806", "2014-08-07", "94.97", "0.9011818", "0.9056639", "0.47"),  # 94.97 x 0.00495
    ("20141105", "2014-11-06", "108.86", "0.9056639", "0.9095911", "0.47"),  # x 0.00432
    ("20150204", "2015-02-05", "119.56", "0.9095911", "0.9131808", "0.47"),  # x 0.00393
    ("20150506", "2015-05-07", "125.01", "0.9131808", "0.9169952", "0.52"),  # x 0.00416
    ("20150805", "2015-08-06", "115.4", "0.9169952", "0.9211460", "0.52"),  # x 0.00451
    ("20151104", "2015-11-05", "122", "0.9211460", "0.9250890", "0.52"),  # x 0.00426
    ("20160203", "2016-02-04", "96.35", "0.9250890", "0.9301088", "0.52"),  # x 0.00540
    ("20160504", "2016-05-05", "94.19", "0.9301088", "0.9357717", "0.57"),  # x 0.00605
    ("20160803", "2016-08-04", "105.79", "0.9357717", "0.9408410", "0.57"),  # x 0.00539
    ("20161102", "2016-11-03", "111.59", "0.9408410", "0.9456714", "0.57"),  # x 0.00511
    ("20170208", "2017-02-09", "132.04", "0.9456714", "0.9497715", "0.57"),  # x 0.00432
    ("20170510", "2017-05-11", "153.26", "0.9497715", "0.9536918", "0.63"),  # x 0.00411
    ("20170809", "2017-08-10", "161.06", "0.9536918", "0.9574369", "0.63"),  # x 0.00391
    ("20171109", "2017-11-10", "175.88", "0.9574369", "0.9608787", "0.63"),  # x 0.00358
    ("20180208", "2018-02-09", "155.15", "0.9608787", "0.9647964", "0.63"),  # x 0.00406
    ("20180510", "2018-05-11", "190.04", "0.9647964", "0.9685167", "0.73"),  # x 0.00384
    ("20180809", "2018-08-10", "208.88", "0.9685167", "0.9719134", "0.73"),  # x 0.00349
    ("20181107", "2018-11-08", "209.95", "0.9719134", "0.9753046", "0.73"),  # x 0.00348
    ("20190207", "2019-02-08", "170.94", "0.9753046", "0.9794875", "0.73"),  # x 0.00427
    ("20190509", "2019-05-10", "200.72", "0.9794875", "0.9832594", "0.77"),  # x 0.00384
    ("20190808", "2019-08-09", "203.43", "0.9832594", "0.9869953", "0.77"),  # x 0.00379
    ("20191106", "2019-11-07", "257.24", "0.9869953", "0.9899586", "0.77"),  # x 0.00299
    ("20200206", "2020-02-07", "325.21", "0.9899586", "0.9923080", "0.77"),  # x 0.00237
    ("20200507", "2020-05-08", "303.74", "0.9923080", "0.9949942", "0.82"),  # x 0.00270
    ("20200806", "2020-08-07", "455.61", "0.9949942", "0.9967882", "0.82"),  # x 0.00180
)
SPLITS = (("2014-06-09", 7), ("2020-08-31", 4))
EX_DATES = [ex_date for _, ex_date, *_ in DIVIDENDS]
# served: every bar up to the first split, each dividend's ex-date, the last bar before the
# 2020 split and the split day (the history ends there, so the replay finishes on it)
SERVED_AFTER_2014_SPLIT = {*EX_DATES, "2020-08-28", "2020-08-31"}


class ActionDaysSource(BarSource):
    """The raw bundled AAPL daily bars of the days whose books change (see the docstring)."""

    def history(self, symbol: str, timeframe: str, settings: SourceConfig) -> pd.DataFrame:
        full = super().history(symbol, timeframe, settings)
        days = full.index.strftime("%Y-%m-%d")
        keep = (full.index <= pd.Timestamp("2014-06-09", tz="UTC")) | days.isin(
            sorted(SERVED_AFTER_2014_SPLIT)
        )
        return full[keep]


SETTINGS = RunConfig(
    strategies=(StrategySpec("buy-and-hold"),),
    symbols=("AAPL",),
    sizing=SizingConfig(method="fixed", quantity=D(10)),
    execution=ExecutionConfig(commission="none", slippage_bps=D(0)),
    source=SourceConfig("replay", replay_from=date(2014, 6, 4), replay_interval="1s"),
)


def test_every_dividend_amount_is_the_factor_file_arithmetic() -> None:
    """The hand amounts above are reference x (1 - factor / next factor) to the cent, half up;
    and they are what the ledger is given (``FactorFile.ledger_actions``)."""
    from paperdesk.data.corporate_actions import bundled_factor_file

    for _, _, reference, factor, following, amount in DIVIDENDS:
        exact = D(reference) - D(reference) * (D(factor) / D(following))
        assert exact.quantize(CENT, ROUND_HALF_UP) == D(amount)
    factor_file = bundled_factor_file("AAPL")
    assert factor_file is not None
    booked = {
        (a.ex_date.isoformat(), a.kind, a.distribution)
        for a in factor_file.ledger_actions()
        if date(2014, 6, 6) <= a.ex_date <= date(2020, 8, 31)
    }
    assert booked == {(ex, "dividend", D(amount)) for _, ex, *_, amount in DIVIDENDS} | {
        (ex, "split", D(0)) for ex, _ in SPLITS
    }
    assert sum(D(amount) for *_, amount in DIVIDENDS) == D("15.93")


def test_holding_aapl_through_both_splits_and_25_dividends_by_hand(database: Database) -> None:
    clock = FixedClock(STARTED)
    service = PortfolioService(database, source=ActionDaysSource(), clock=clock)
    pid = service.create_portfolio("aapl", D(10000), settings=SETTINGS)

    (first,) = service.tick(pid, "AAPL")  # the replay clock's first bar: 2014-06-04, the buy
    assert first.ts_bar == datetime(2014, 6, 4, tzinfo=UTC)
    assert [s.accepted for s in first.signals] == [True]

    clock.set(STARTED + timedelta(days=1))  # the replay clock is far ahead: every bar is due
    ticks = service.tick(pid, "AAPL")  # one transaction per bar, in order
    served = [t.ts_bar.date().isoformat() for t in ticks if t.ts_bar is not None]
    assert served == ["2014-06-05", "2014-06-06", "2014-06-09", *EX_DATES, "2020-08-28",
                      "2020-08-31"]  # fmt: skip
    assert {t.status for t in ticks} == {TickStatus.PROCESSED}
    by_day = {t.ts_bar.date().isoformat(): t for t in ticks if t.ts_bar is not None}

    (fill,) = service.fills(pid)
    # 10 shares at the 2014-06-05 open 646.25: cost 6462.50
    assert (fill.quantity, fill.price) == (D(10), D("646.25"))
    cash_after_buy = D(10000) - D("6462.50")
    assert by_day["2014-06-06"].cash == cash_after_buy == D("3537.50")
    # 2014-06-06 close 645.57: 10 x 645.57 = 6455.70
    assert by_day["2014-06-06"].equity == D("3537.50") + D("6455.70") == D("9993.20")
    # 2014-06-09, ex 7-for-1: 70 shares, close 93.70: 70 x 93.70 = 6559.00
    assert by_day["2014-06-09"].equity == D("3537.50") + D("6559.00") == D("10096.50")

    # each dividend credits 70 x its amount on its ex-date bar: the cash after each, in order
    cash = cash_after_buy
    for _, ex_date, *_, amount in DIVIDENDS:
        cash += 70 * D(amount)
        assert by_day[ex_date].cash == cash, ex_date
    # 70 x 15.93 = 1115.10 in all
    assert cash == D("3537.50") + D("1115.10") == D("4652.60")
    # 2020-08-28, the last bar before the 4-for-1: 70 x 499.23 = 34946.10
    assert by_day["2020-08-28"].equity == D("4652.60") + D("34946.10") == D("39598.70")

    # the chosen date, 2020-08-31 (ex 4-for-1): 280 shares at the close 129.04 = 36131.20
    detail = service.show(pid)
    (position,) = detail.positions
    assert position.quantity == 10 * 7 * 4 == 280
    # the cost is kept across both splits: 6462.50 / 70 = 92.3214..., then / 4
    assert position.average_price == D("6462.50") / 70 / 4
    assert position.average_price.quantize(D("0.000001")) == D("23.080357")  # 6462.50 / 280
    summary = detail.summary
    assert summary.cash == D("4652.60")
    assert summary.equity == D("4652.60") + D("36131.20") == D("40783.80")
    assert by_day["2020-08-31"].equity == D("40783.80")
    assert summary.realized_pnl == D("1115.10")  # the dividends
    assert position.unrealized_pnl == D("36131.20") - D("6462.50") == D("29668.70")

    # one audit entry and one outbox event per action, each on its own ex-date
    audit = [a for a in service.audit(pid) if a.kind.startswith("corporate_action.")]
    assert Counter(a.kind for a in audit) == {
        "corporate_action.dividend": 25,
        "corporate_action.split": 2,
    }
    assert sorted(a.details["ex_date"] for a in audit) == sorted(
        [*EX_DATES, *(ex for ex, _ in SPLITS)]
    )
    splits = sorted(
        (a.details["ex_date"], a.details["quantity_before"], a.details["quantity_after"])
        for a in audit
        if a.kind == "corporate_action.split"
    )
    assert splits == [("2014-06-09", "10", "70"), ("2020-08-31", "70", "280")]
    published = [
        e.payload
        for e in entries(database)
        if e.portfolio_id == pid and e.kind == "corporate_action.applied"
    ]
    assert [(p["action"]["ex_date"], p["action"]["kind"], p["cash"]) for p in published] == [  # type: ignore[index]
        ("2014-06-09", "split", "0"),
        *((ex, "dividend", str(70 * D(amount))) for _, ex, *_, amount in DIVIDENDS),
        ("2020-08-31", "split", "0"),
    ]

    # the replay is over: a further tick changes nothing and books nothing again
    (after,) = service.tick(pid, "AAPL")
    assert after.status is TickStatus.REPLAY_FINISHED
    assert len([e for e in entries(database) if e.kind == "corporate_action.applied"]) == 27
    assert service.show(pid).summary.cash == D("4652.60")
    check_ledger(database, pid)


class DaysSource(BarSource):
    """The raw bundled AAPL daily bars up to ``last``, leaving out those after ``gap_from``
    except ``kept``."""

    def __init__(self, last: str, gap_from: str, kept: frozenset[str]) -> None:
        super().__init__()
        self.last, self.gap_from, self.kept = last, gap_from, kept

    def history(self, symbol: str, timeframe: str, settings: SourceConfig) -> pd.DataFrame:
        full = super().history(symbol, timeframe, settings)
        full = full[full.index <= pd.Timestamp(self.last, tz="UTC")]
        days = full.index.strftime("%Y-%m-%d")
        return full[(full.index < pd.Timestamp(self.gap_from, tz="UTC")) | days.isin(self.kept)]


def _replayed(
    database: Database, source: BarSource
) -> tuple[int, object, list[tuple[object, ...]]]:
    """Replay 10 AAPL bought on 2020-07-01's signal to the end of ``source``: (bars served,
    the books, the corporate-action audit entries)."""
    settings = SETTINGS.with_changes(
        source=SETTINGS.source.with_changes(replay_from=date(2020, 7, 1))
    )
    clock = FixedClock(STARTED)
    service = PortfolioService(database, source=source, clock=clock)
    pid = service.create_portfolio("aapl", D(10000), settings=settings)
    served = len(service.tick(pid, "AAPL"))
    clock.set(STARTED + timedelta(days=1))
    served += len([t for t in service.tick(pid, "AAPL") if t.status is TickStatus.PROCESSED])
    check_ledger(database, pid)
    detail = service.show(pid)
    summary = detail.summary
    (position,) = detail.positions
    books = (position.quantity, position.average_price, summary.cash, summary.equity)
    actions = [
        (a.kind, a.message, sorted(a.details.items()))
        for a in service.audit(pid)
        if a.kind.startswith("corporate_action.")
    ]
    return served, books, actions


def test_skipping_the_days_between_ex_dates_books_what_the_full_daily_replay_books(
    database: Database,
) -> None:
    """The premise of the six-year test, checked on a shorter stretch: every daily bar of
    2020-07-01 .. 2020-08-31, against the bars of the signal (07-01), the fill (07-02), the
    08-07 dividend and the 08-31 split only (43 bars served against 4)."""
    every_day = DaysSource("2020-08-31", "2099-01-01", frozenset())
    full_served, full_books, full_actions = _replayed(database, every_day)
    action_days = DaysSource("2020-08-31", "2020-07-03", frozenset({"2020-08-07", "2020-08-31"}))
    sparse_served, sparse_books, sparse_actions = _replayed(database, action_days)
    assert (full_served, sparse_served) == (43, 4)
    # 10 at the 2020-07-02 open 367.88 = 3678.80 (average 367.88 / 4 = 91.97 after the split);
    # cash 10000 - 3678.80 + 10 x 0.82 = 6329.40; equity + 40 x the 08-31 close 129.04 = 5161.60
    assert full_books == (D(40), D("91.97"), D("6329.40"), D("6329.40") + D("5161.60"))
    assert sparse_books == full_books
    assert [kind for kind, *_ in full_actions] == [
        "corporate_action.dividend",
        "corporate_action.split",
    ]
    assert sparse_actions == full_actions
