"""Which prices a symbol trades (``--adjust``), the adjusted frame and its exact bars, and the
refusals: no factor file, a malformed one, a non-equity."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from paperdesk.config import Adjustment, SourceConfig
from paperdesk.data import instrument_for, load_bars
from paperdesk.data.adjustment import (
    adjusted_frame,
    portfolio_prices,
    price_adjustment,
)
from paperdesk.data.bar_convert import BarArrays, bar_at
from paperdesk.data.bundled import find_bundled
from paperdesk.data.corporate_actions import bundled_factor_file
from paperdesk.domain.errors import OptionError

D = Decimal
SPLIT_DIVIDEND = Adjustment.SPLIT_DIVIDEND


def spy_october_2013() -> pd.DataFrame:
    frame = load_bars(find_bundled("SPY", "1d"), symbol="SPY", timeframe="1d")
    return frame.loc["2013-10-07":"2013-10-11"]


def test_the_adjusted_frame_keeps_the_raw_prices_and_each_bars_exact_scale() -> None:
    raw = spy_october_2013()
    factor_file = bundled_factor_file("SPY")
    assert factor_file is not None
    frame = adjusted_frame(raw, factor_file, SPLIT_DIVIDEND)
    # spy.csv row 20131219,0.8646266,1,181.5 covers 2013-09-20..2013-12-19
    assert set(frame["price_scale"]) == {D("0.8646266")}
    assert frame["raw_open"].tolist() == raw["open"].tolist()
    assert frame["close"].iloc[0] == pytest.approx(167.42 * 0.8646266)
    bar = bar_at(frame, 1)  # 2013-10-08: open 167.45 raw
    assert bar.open == D("144.781724170")  # Lean's fill price (MANIFEST section A)
    assert BarArrays(frame, "SPY", "1d").bar(1) == bar
    last_close = D(repr(float(raw["close"].iloc[4])))  # 2013-10-11, raw
    assert BarArrays(frame, "SPY", "1d").close_price(4) == last_close * D("0.8646266")
    assert frame.attrs["adjustment"] == "split-dividend"


def test_a_split_scales_prices_down_and_volume_up_by_the_split_factor() -> None:
    raw = load_bars(find_bundled("AAPL", "1d"), symbol="AAPL", timeframe="1d")
    raw = raw.loc["2014-06-06":"2014-06-09"]
    factor_file = bundled_factor_file("AAPL")
    assert factor_file is not None
    frame = adjusted_frame(raw, factor_file, Adjustment.SPLIT)
    before, after = bar_at(frame, 0), bar_at(frame, 1)
    assert before.close == D("645.57") * D("0.0357143")  # the 7:1 split, in aapl.csv
    assert after.close == D("93.7") * D("0.25")  # the 4:1 split of 2020 still ahead
    assert frame["volume"].iloc[0] == pytest.approx(12116671 / 0.0357143)


def test_a_us_equity_with_a_factor_file_takes_the_runs_default() -> None:
    spy = instrument_for("SPY")
    chosen = price_adjustment("SPY", spy, None, None, default=SPLIT_DIVIDEND)
    assert (chosen.mode, chosen.defaulted, chosen.file_name) == (
        SPLIT_DIVIDEND,
        True,
        "spy.csv, bundled",
    )
    assert chosen.instrument(spy).tick_size == 0  # no price grid on adjusted prices
    assert portfolio_prices("SPY", spy, SourceConfig()).mode is Adjustment.RAW
    eurusd = instrument_for("EURUSD")
    assert price_adjustment("EURUSD", eurusd, None, None, default=SPLIT_DIVIDEND).mode == "raw"
    goog = instrument_for("GOOG")
    assert price_adjustment("GOOG", goog, None, None, default=SPLIT_DIVIDEND).mode == "raw"


@pytest.mark.parametrize(
    ("symbol", "mode", "message"),
    [
        ("GOOG", Adjustment.SPLIT, "--adjust split: no factor file is bundled for GOOG; give its "
         "Lean factor file with --factor-file FILE, or use --adjust raw"),
        ("EURUSD", SPLIT_DIVIDEND, "--adjust split-dividend applies to equities; EURUSD is forex "
         "(use --adjust raw)"),
    ],
)  # fmt: skip
def test_an_adjustment_that_cannot_be_made_is_refused(
    symbol: str, mode: Adjustment, message: str
) -> None:
    with pytest.raises(OptionError) as caught:
        price_adjustment(symbol, instrument_for(symbol), mode, None, default=SPLIT_DIVIDEND)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("20131219,0.8646266,1,181.5\n2014-01-01,1,1\n",
         "spy.csv line 2: not a factor row: '2014-01-01,1,1'"),
        ("20131219,abc,1\n", "spy.csv line 1: not a factor row: '20131219,abc,1'"),
        ("20131219\n", "spy.csv line 1: not a factor row: '20131219'"),
        ("", "no factor rows"),
        ("20131219,1,1\n20131219,1,1\n", "two rows share a date"),
    ],
)  # fmt: skip
def test_a_malformed_factor_file_is_named_with_its_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "spy.csv"
    path.write_text(text)
    with pytest.raises(OptionError) as caught:
        price_adjustment("SPY", instrument_for("SPY"), SPLIT_DIVIDEND, path, default=SPLIT_DIVIDEND)
    assert str(caught.value).startswith(f"--factor-file {path}: ")
    assert message in str(caught.value)


def test_a_missing_factor_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    with pytest.raises(OptionError, match=r"--factor-file: file not found: .*absent\.csv"):
        price_adjustment("SPY", instrument_for("SPY"), None, path, default=SPLIT_DIVIDEND)


def test_a_factor_file_for_a_forex_pair_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "eurusd.csv"
    path.write_text("20501231,1,1,0\n")
    with pytest.raises(OptionError, match="--factor-file applies to equities; EURUSD is forex"):
        price_adjustment("EURUSD", instrument_for("EURUSD"), None, path, default=SPLIT_DIVIDEND)


def test_hourly_bars_take_the_factor_of_their_new_york_trade_date() -> None:
    raw = load_bars(find_bundled("AAPL", "1h"), symbol="AAPL", timeframe="1h")
    raw = raw.loc["2014-06-06T19:00:00Z":"2014-06-09T13:00:00Z"]
    factor_file = bundled_factor_file("AAPL")
    assert factor_file is not None
    frame = adjusted_frame(raw, factor_file, Adjustment.SPLIT)
    last_before, first_after = bar_at(frame, 0), bar_at(frame, 1)
    assert last_before.close == D("645.57") * D("0.0357143")  # 15:00 ET on 2014-06-06
    assert first_after.open == D("92.69") * D("0.25")  # 09:30 ET on the split day
    # the series is continuous across the split: the jump is gone (23.06 -> 23.17)
    assert abs(first_after.open - last_before.close) < D("0.2")
