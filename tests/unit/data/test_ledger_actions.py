"""Exact split and dividend terms from Lean factor files, as Lean derives them (bundled AAPL
factor file; the AIG one in ``tests/fixtures/corporate_actions/``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from paperdesk.data import instrument_for
from paperdesk.data.corporate_actions import FactorFile, bundled_factor_file, ledger_actions_for

D = Decimal
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "corporate_actions"


def test_the_aapl_factor_file_gives_its_splits_and_dividends() -> None:
    factor_file = bundled_factor_file("AAPL")
    assert factor_file is not None
    actions = factor_file.ledger_actions()
    splits = [(a.ex_date, a.shares_after, a.shares_before) for a in actions if a.kind == "split"]
    assert splits == [
        (date(2000, 6, 21), 2, 1),
        (date(2005, 2, 28), 2, 1),
        (date(2014, 6, 9), 7, 1),  # row 20140606: 0.0357143 / 0.25 = 1/7
        (date(2020, 8, 31), 4, 1),  # row 20200828 (a Friday): 0.25 / 1; ex-date the Monday
    ]
    dividends = {a.ex_date: a.distribution for a in actions if a.kind == "dividend"}
    # row 20200806,0.9949942,0.25,455.61 then 20200828,0.9967882: Lean's Dividend.Create
    # round(455.61 - 455.61 x 0.9949942 / 0.9967882, 2) = round(0.81998..., 2) = 0.82
    assert dividends[date(2020, 8, 7)] == D("0.82")
    assert dividends[date(2014, 5, 8)] == D("3.29")  # 592.33 x (1 - 0.8961764 / 0.9011818)
    assert dividends[date(2014, 8, 7)] == D("0.47")  # 94.97 x (1 - 0.9011818 / 0.9056639)


def test_a_reverse_split_turns_twenty_shares_into_one() -> None:
    actions = FactorFile.read(FIXTURES / "aig.csv").ledger_actions()
    (reverse,) = [a for a in actions if a.kind == "split" and a.ex_date.year == 2009]
    assert (reverse.ex_date, reverse.shares_after, reverse.shares_before) == (
        date(2009, 7, 1),
        1,
        20,
    )
    assert reverse.reference_price == D("1.13")
    assert reverse.price_after_split == D("22.60")


def test_only_us_equities_with_a_bundled_file_get_actions() -> None:
    assert ledger_actions_for(instrument_for("AAPL"))
    assert ledger_actions_for(instrument_for("EURUSD")) == ()
    assert ledger_actions_for(instrument_for("BTCUSD")) == ()
