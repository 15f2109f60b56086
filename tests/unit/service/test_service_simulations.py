"""The simulation service: a plan file read by the plans reader, bars loaded through the
DataManager on the ledger's database (bundled or imported), trades written to sim_trades.csv.
Runs on SQLite and PostgreSQL (the ``database`` fixture)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.domain import InvalidInputError
from paperdesk.service import Services
from paperdesk.service.simulations import EntryType, ExecutionMode, SimulationRequest
from paperdesk.settings import Settings
from paperdesk.store import Database

PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime
SPY,buy,10,167.32,168.00,166.50,2013-10-10T13:00:00Z
SPY,buy,10,165.00,165.20,164.60,2013-10-09T15:00:00Z
SPY,buy,10,167.43,170,166,2013-10-07T13:00:00Z
SPY,buy,10,400,410,390,2021-04-05T13:30:00Z
"""


@pytest.fixture
def services(database: Database, tmp_path: Path, clean_environment: pytest.MonkeyPatch) -> Services:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    return Services(Settings(), database=database)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_bundled_bars_give_the_hand_checked_trades(services: Services, tmp_path: Path) -> None:
    # The rows' outcomes are checked by hand from the bundled CSVs in
    # tests/unit/plans/test_simulator.py (same rows, same data): row 1 takes profit at 168.00
    # at 10-10 14:00Z, row 2 is the same-candle case the 1m bars resolve to the target at
    # 15:03Z, row 3 closes at the session's end in INTRADAY mode (19:00Z candle, 167.42),
    # row 4 has no candle. No costs: slippage 0, no commission.
    plan = write(tmp_path / "plan.csv", PLAN)
    request = SimulationRequest(
        plan, "1h", mode=ExecutionMode.INTRADAY, resolve_with="1m",
        entry=EntryType.MARKET, slippage_bps=Decimal(0),
    )  # fmt: skip
    report = services.simulations.simulate(request, tmp_path / "out")
    trades = rows_of(tmp_path / "out" / "sim_trades.csv")
    assert [row["outcome"] for row in trades] == ["TP", "TP", "EOD", "NO_DATA"]
    tp, resolved, eod, missing = trades
    assert (tp["exit_time"], tp["exit_price"], tp["pnl"]) == (
        "2013-10-10T14:00:00+00:00", "168.00", "6.80",
    )  # fmt: skip
    assert (resolved["exit_time"], resolved["resolution"], resolved["ambiguous"]) == (
        "2013-10-09T15:03:00+00:00", "lower-timeframe", "true",
    )  # fmt: skip
    assert (eod["exit_time"], eod["exit_price"], eod["pnl"]) == (
        "2013-10-07T20:00:00+00:00", "167.42", "-0.10",
    )  # fmt: skip
    assert missing["pnl"] == ""
    assert "no candle opens at or after 2021-04-05" in missing["reason"]
    summary = json.loads((tmp_path / "out" / "sim_summary.json").read_text(encoding="utf-8"))
    assert summary["summary"]["outcomes"]["TP"] == 2
    assert summary["summary"]["pnl"] == "8.70"  # 6.80 + 2.00 - 0.10
    assert summary["summary"]["same_candle"] == {
        "ambiguous": 1, "resolved_lower_timeframe": 1, "stop_loss_first": 0,
        "take_profit_first": 0,
    }  # fmt: skip
    assert summary["eod_close"] is True
    assert report.result.summary.pnl == Decimal("8.70")


def test_bars_imported_into_the_database_are_the_ones_simulated(
    services: Services, tmp_path: Path
) -> None:
    # ACME hours on Monday 2024-03-04 (the session opens 14:30Z in winter). A market buy at
    # 14:30Z enters at 100.00; candle 1 stays inside 99.50..101.00, candle 2 reaches 102.50 >=
    # the 102 target (its open 100.50 is below it): +2.00 x 10 = 20.00 without costs.
    bars = write(
        tmp_path / "acme.csv",
        "timestamp,open,high,low,close,volume\n"
        "2024-03-04T14:30:00Z,100.00,101.00,99.50,100.50,1000\n"
        "2024-03-04T15:30:00Z,100.50,102.50,100.20,102.00,1000\n"
        "2024-03-04T16:30:00Z,102.00,102.20,101.00,101.50,1000\n",
    )
    services.data.import_csv(bars, "ACME", "1h", asset_class="equity")
    plan = write(
        tmp_path / "plan.csv",
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n"
        "ACME,buy,10,100,102,99,2024-03-04T14:30:00Z\n",
    )
    request = SimulationRequest(plan, "1h", entry=EntryType.MARKET, slippage_bps=Decimal(0))
    [trade] = services.simulations.simulate(request).result.trades
    assert (trade.outcome.value, trade.exit_price, trade.pnl) == ("TP", Decimal("102"), Decimal(20))


def test_a_bad_plan_is_refused_naming_row_and_field_and_nothing_is_written(
    services: Services, tmp_path: Path
) -> None:
    plan = write(
        tmp_path / "plan.csv",
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n"
        "SPY,buy,10,167,170,166,2013-10-07T13:00:00Z\n"
        "SPY,buy,10,167,170,168,2013-10-07T13:00:00Z\n",
    )
    out = tmp_path / "out"
    with pytest.raises(InvalidInputError, match=r"row 2.*stop_loss"):
        services.simulations.simulate(SimulationRequest(plan, "1h"), out)
    assert not out.exists()


def test_a_resolving_timeframe_must_be_finer(services: Services, tmp_path: Path) -> None:
    plan = write(tmp_path / "plan.csv", PLAN)
    with pytest.raises(InvalidInputError, match="finer than --timeframe 1h"):
        services.simulations.simulate(SimulationRequest(plan, "1h", resolve_with="4h"))
