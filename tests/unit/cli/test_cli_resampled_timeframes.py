"""backtest and create-portfolio take a timeframe resampled from the bundled bars."""

from __future__ import annotations

import json

import pytest
from paper_cli_helpers import json_of, ok

pytestmark = pytest.mark.usefixtures("paper_home")


# 2019 (bars cut by their labels): the trading weeks that start on Mondays 7 January to
# 30 December (the week of 31 December 2018 is labelled in 2018), 12 months, and two 4h bars
# in each of the 252 sessions but one in the three that close at 13:00 (3 Jul, 29 Nov, 24 Dec)
@pytest.mark.parametrize(("timeframe", "bars"), [("1w", 52), ("1mo", 12), ("4h", 2 * 252 - 3)])
def test_backtest_on_a_resampled_timeframe(timeframe: str, bars: int) -> None:
    result = ok("backtest", "-s", "buy-and-hold", "--symbol", "SPY", "--timeframe", timeframe,
                "--from", "2019-01-01", "--to", "2019-12-31", "--json")  # fmt: skip
    document = json.loads(result.stdout)
    assert document["timeframe"] == timeframe
    assert document["bars"] == bars


def test_a_portfolio_on_weekly_bars() -> None:
    document = json_of("create-portfolio", "Weekly", "10000", "--symbol", "SPY",
                       "--timeframe", "1w")  # fmt: skip
    assert document["settings"]["timeframe"] == "1w"
