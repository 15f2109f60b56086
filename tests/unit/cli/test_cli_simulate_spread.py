"""``paperdesk simulate --spread-pips N``: the backtest's option, with its meaning (a forex
pair's limits trade the ask or the bid, its market-like fills pay half the spread) and its
validation (the same error lines); the fills themselves are compared with the engine's venue in
tests/unit/plans/test_simulator_spread_matches_engine.py."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of

from paperdesk.data import find_bundled, load_bars

pytestmark = pytest.mark.usefixtures("paper_home")

ENTERED = "2018-03-01T02:00:00Z"
HALF_PIP = Decimal("0.00005")


def _plan(tmp_path: Path, row: str) -> str:
    path = tmp_path / "plan.csv"
    path.write_text(
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n" + row + "\n",
        encoding="utf-8",
    )
    return str(path)


def _trade(plan: str, tmp_path: Path, *options: str) -> dict[str, str]:
    args = ("simulate", plan, "--timeframe", "1h", "--slippage-bps", "0", *options)
    document = json_of(*args, "--out", str(tmp_path / "out"))
    [trade] = document["trades"]
    return {**trade, "spread_pips": document["spread_pips"]}


def test_a_forex_plan_pays_the_spread(tmp_path: Path) -> None:
    hours = load_bars(find_bundled("EURUSD", "1h")).loc[ENTERED:]
    first = hours.iloc[0]
    opened = Decimal(str(first["open"]))
    market = _plan(tmp_path, f"EURUSD,buy,100000,{opened},1.22500,1.21500,{ENTERED}")
    plain = _trade(market, tmp_path, "--entry", "market")
    spread = _trade(market, tmp_path, "--entry", "market", "--spread-pips", "1")
    assert (plain["spread_pips"], spread["spread_pips"]) == (None, "1")
    assert Decimal(plain["entry_price"]) == opened
    assert Decimal(spread["entry_price"]) == opened + HALF_PIP  # the ask: half a pip above
    # a buy limit the hour's low reaches but its ask low does not waits for the ask
    limit = Decimal(str(first["low"])) + Decimal("0.00001")
    limited = _plan(tmp_path, f"EURUSD,buy,100000,{limit},1.22500,1.21500,{ENTERED}")
    assert _trade(limited, tmp_path)["entry_time"] == "2018-03-01T02:00:00+00:00"
    asks = (hours["low"].map(lambda low: Decimal(str(low))) + HALF_PIP).map(
        lambda ask: ask.quantize(Decimal("0.00001"), ROUND_CEILING)
    )
    reached = hours.index[asks <= limit][0]
    waited = _trade(limited, tmp_path, "--spread-pips", "1")
    assert waited["entry_time"] == reached.isoformat()
    assert waited["entry_time"] > "2018-03-01T02:00:00+00:00"


@pytest.mark.parametrize("value", ["-1", "0", "abc", "nan"])
def test_a_bad_spread_is_refused_as_the_backtest_refuses_it(tmp_path: Path, value: str) -> None:
    plan = _plan(tmp_path, f"EURUSD,buy,100000,1.21860,1.22500,1.21500,{ENTERED}")
    simulated = fails(
        "simulate", plan, "--timeframe", "1h", "--spread-pips", value, "--out", str(tmp_path / "x")
    )
    backtest = fails(
        "backtest", "-s", "sma-cross", "--symbol", "EURUSD", "--timeframe", "1h",
        "--spread-pips", value,
    )  # fmt: skip
    assert (
        simulated
        == backtest
        == (f"error: invalid value for --spread-pips: '{value}' (expected a number greater than 0)")
    )
    assert not (tmp_path / "x").exists()


def test_a_spread_on_a_plan_without_a_forex_pair_is_refused(tmp_path: Path) -> None:
    plan = _plan(tmp_path, f"SPY,buy,10,300,310,290,{ENTERED}")
    simulated = fails(
        "simulate", plan, "--timeframe", "1h", "--spread-pips", "1", "--out", str(tmp_path / "x")
    )
    backtest = fails("backtest", "-s", "sma-cross", "--symbol", "SPY", "--spread-pips", "1")
    assert simulated == backtest
    assert "--spread-pips applies to forex pairs; SPY is equity (use --slippage-bps)" in simulated
