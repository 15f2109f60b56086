"""Split and dividend adjustment with Lean factor files, checked on real raw AAPL and SPY bars."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from paperdesk.data import FactorFile, adjust, bundled_factor_file, find_bundled, load_bars
from paperdesk.data.corporate_actions import FACTOR_FILE_DIRECTORY, trade_dates
from paperdesk.domain import DataError, InvalidInputError


@pytest.fixture(scope="module")
def aapl_factors() -> FactorFile:
    factors = bundled_factor_file("AAPL")
    assert factors is not None
    return factors


@pytest.fixture(scope="module")
def aapl_daily() -> pd.DataFrame:
    return load_bars(find_bundled("AAPL", "1d"))


def test_read_parses_lean_columns(aapl_factors: FactorFile) -> None:
    assert aapl_factors.symbol == "AAPL"
    first, last = aapl_factors.rows[0], aapl_factors.rows[-1]
    assert (first.date, first.price_factor, first.split_factor, first.reference_price) == (
        date(1998, 1, 2),
        0.8613657,
        0.00892857,
        1.0,
    )
    assert (last.date, last.price_factor, last.split_factor) == (date(2050, 12, 31), 1.0, 1.0)
    assert len(aapl_factors.rows) == 41
    assert sorted(path.name for path in FACTOR_FILE_DIRECTORY.glob("*.csv")) == [
        "aapl.csv",
        "spy.csv",
    ]
    assert bundled_factor_file("GOOG") is None  # class C factors do not fit btpy_GOOG (class A)


def test_splits_found_in_the_file(aapl_factors: FactorFile) -> None:
    splits = [(s.last_raw_date, round(1 / s.ratio, 3)) for s in aapl_factors.splits()]
    assert splits == [
        (date(2000, 6, 20), 2.0),
        (date(2005, 2, 25), 2.0),
        (date(2014, 6, 6), 7.0),
        (date(2020, 8, 28), 4.0),
    ]


def test_reference_prices_are_raw_closes_on_the_row_dates(
    aapl_factors: FactorFile, aapl_daily: pd.DataFrame
) -> None:
    checked = 0
    for row in aapl_factors.rows[1:-1]:  # first: placeholder 1; last: 2050 sentinel
        close = aapl_daily.loc[pd.Timestamp(row.date, tz="UTC"), "close"]
        assert close == pytest.approx(row.reference_price, abs=0.006), row
        checked += 1
    assert checked == 39


@pytest.mark.parametrize("mode", ["split", "split_and_dividend"])
def test_aapl_splits_disappear_after_adjustment(
    aapl_factors: FactorFile, aapl_daily: pd.DataFrame, mode: str
) -> None:
    raw_returns = aapl_daily["close"].pct_change()
    assert raw_returns.loc["2014-06-09"] == pytest.approx(93.70 / 645.57 - 1)  # about -85.5%
    assert raw_returns.loc["2020-08-31"] == pytest.approx(129.04 / 499.23 - 1, abs=1e-3)
    adjusted = adjust(aapl_daily, aapl_factors, mode)  # type: ignore[arg-type]
    returns = adjusted["close"].pct_change()
    assert abs(returns.loc["2014-06-09"]) < 0.05
    assert abs(returns.loc["2020-08-31"]) < 0.05
    assert abs(returns.loc["2000-06-21"]) < 0.15
    assert abs(returns.loc["2005-02-28"]) < 0.05
    # only the real 2000-09-29 profit-warning crash (-52%) remains beyond 25%
    assert list(returns[returns.abs() > 0.25].index.date) == [date(2000, 9, 29)]
    assert list(raw_returns[raw_returns.abs() > 0.25].index.date) == [
        date(2000, 6, 21),
        date(2000, 9, 29),
        date(2005, 2, 28),
        date(2014, 6, 9),
        date(2020, 8, 31),
    ]
    assert adjusted["close"].iloc[-1] == aapl_daily["close"].iloc[-1]  # today's price is raw
    assert adjusted.attrs["adjustment"] == mode
    assert adjusted.attrs["symbol"] == "AAPL"
    assert (adjusted["ts_close"] == aapl_daily["ts_close"]).all()
    assert (
        aapl_daily.loc[pd.Timestamp("2014-06-06", tz="UTC"), "close"] == 645.57
    )  # the input is not modified


def test_split_adjustment_values(aapl_factors: FactorFile, aapl_daily: pd.DataFrame) -> None:
    adjusted = adjust(aapl_daily, aapl_factors, "split")
    before = pd.Timestamp("2014-06-06", tz="UTC")
    assert adjusted.loc[before, "close"] == pytest.approx(645.57 / 28)
    assert adjusted.loc[before, "volume"] == pytest.approx(aapl_daily.loc[before, "volume"] * 28)
    on = pd.Timestamp("2014-06-09", tz="UTC")
    assert adjusted.loc[on, "close"] == pytest.approx(93.70 / 4)
    after = pd.Timestamp("2020-08-31", tz="UTC")
    assert adjusted.loc[after, "close"] == aapl_daily.loc[after, "close"]
    for column in ("high", "low", "open"):
        assert adjusted.loc[before, column] == pytest.approx(aapl_daily.loc[before, column] / 28)


def test_hourly_bars_use_the_new_york_trade_date(aapl_factors: FactorFile) -> None:
    hourly = load_bars(find_bundled("AAPL", "1h")).loc["2014-06-05":"2014-06-10"]
    assert set(trade_dates(hourly).date) == {
        date(2014, 6, 5),
        date(2014, 6, 6),
        date(2014, 6, 9),
        date(2014, 6, 10),
    }
    adjusted = adjust(hourly, aapl_factors, "split")
    assert adjusted["close"].pct_change().abs().max() < 0.03
    assert hourly["close"].pct_change().abs().max() > 0.8


def test_spy_dividend_factor_matches_the_manifest() -> None:
    spy = load_bars(find_bundled("SPY", "1d"))
    factors = bundled_factor_file("spy")
    assert factors is not None
    assert factors.splits() == []
    adjusted = adjust(spy, factors, "split_and_dividend")
    day = pd.Timestamp("2013-10-07", tz="UTC")
    assert adjusted.loc[day, "close"] == pytest.approx(spy.loc[day, "close"] * 0.8646266)
    assert adjust(spy, factors, "split")["close"].equals(spy["close"])
    dividends = [a for a in factors.actions() if a.kind == "dividend"]
    assert dividends
    assert all(0.97 < a.ratio < 1 for a in dividends)


def test_parse_skips_lean_invalid_rows_and_rejects_garbage(tmp_path: Path) -> None:
    parsed = FactorFile.parse(
        ["20010101,0.9,inf,1", "20020101,0.9,1e+07", "20030101,0,1,1", "20040101,0.95,0.5,10", ""],
        "X",
    )
    assert [row.date for row in parsed.rows] == [date(2004, 1, 1)]
    bad = tmp_path / "bad.csv"
    bad.write_text("2004-01-01,abc\n")
    with pytest.raises(DataError, match="line 1"):
        FactorFile.read(bad)
    with pytest.raises(DataError, match="not found"):
        FactorFile.read(tmp_path / "missing.csv")
    with pytest.raises(InvalidInputError):
        adjust(load_bars(find_bundled("SPY", "1d")).iloc[:5], parsed, "total")  # type: ignore[arg-type]
