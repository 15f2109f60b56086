"""The walk-forward service (issue 13 item 6) on the real bundled SPY and AAPL hours of March
2021, on SQLite and PostgreSQL (the ``database`` fixture): the evidence folder of a month of
hand-made daily plans, the proof that no day's plan or simulation saw that day's data before
its session, the summary recomputed from ``all_trades.csv``, resuming after an interruption,
and refusing changed inputs."""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from paperdesk.domain.errors import InvalidInputError, OptionError
from paperdesk.plans.problems import PlanError
from paperdesk.plans.settings import ExecutionMode
from paperdesk.plans.simulator import simulate_plan
from paperdesk.service import Services
from paperdesk.service import walk_forward as walk_forward_module
from paperdesk.service.walk_forward import WalkForwardRequest, WalkForwardService
from paperdesk.settings import Settings
from paperdesk.store import Database

DAY_FILES = {
    "trade_plan.csv",
    "trade_plan_filtered.csv",
    "audit.json",
    "sim_trades.csv",
    "day_report.json",
}
CLOSED = {"TP", "SL", "TIMEOUT", "EOD"}
# March 2021 on the NYSE: 31 days less 8 weekend days, no holiday
MARCH_2021_SESSIONS = 23


@pytest.fixture
def services(database: Database, tmp_path: Path, clean_environment: pytest.MonkeyPatch) -> Services:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    return Services(Settings(), database=database)


def daily_closes(symbol: str) -> list[tuple[str, str]]:
    """(date, close) of the bundled daily file, read with the csv module as a person would."""
    name = f"lean_{symbol}_1d.csv"
    with resources.files("paperdesk.data.bundled").joinpath(name).open(encoding="utf-8") as f:
        return [(row["timestamp"][:10], row["close"]) for row in csv.DictReader(f)]


def write_plans(folder: Path, first: str, last: str) -> Path:
    """One hand-made plan per trading day: a long SPY and a long AAPL at the PREVIOUS day's
    close (the data the plan may use), target +0.6% / +1%, stop -0.6% / -1%."""
    folder.mkdir(parents=True, exist_ok=True)
    spy, aapl = daily_closes("SPY"), dict(daily_closes("AAPL"))
    for (_, previous), (day, _) in itertools.pairwise(spy):
        if not first <= day <= last:
            continue
        before = spy[[d for d, _ in spy].index(day) - 1][0]
        spy_close, aapl_close = Decimal(previous), Decimal(aapl[before])
        cent = Decimal("0.01")
        (folder / f"{day}.csv").write_text(
            "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
            f"SPY,buy,50,{spy_close},{(spy_close * Decimal('1.006')).quantize(cent)},"
            f"{(spy_close * Decimal('0.994')).quantize(cent)},0.6,1\n"
            f"AAPL,buy,100,{aapl_close},{(aapl_close * Decimal('1.01')).quantize(cent)},"
            f"{(aapl_close * Decimal('0.99')).quantize(cent)},0.5,1.5\n",
            encoding="utf-8",
        )
    return folder


def request_for(tmp_path: Path, plans: Path, first: str, last: str, **changes: Any) -> Any:
    base = WalkForwardRequest(
        out=tmp_path / "evidence",
        first=date.fromisoformat(first),
        last=date.fromisoformat(last),
        plans=plans,
        mode=ExecutionMode.INTRADAY,
        slippage_bps=Decimal(0),
    )
    return replace(base, **changes)


def strategy_request(tmp_path: Path, first: str, last: str, **changes: Any) -> Any:
    """A run whose plans ``sma-cross`` makes from SPY's daily bars, with ``changes``."""
    base = WalkForwardRequest(
        out=tmp_path / "evidence",
        first=date.fromisoformat(first),
        last=date.fromisoformat(last),
        strategy="sma-cross",
        symbols=("SPY",),
    )
    return replace(base, **changes)


def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_month_of_daily_plans_gives_a_complete_evidence_folder_whose_summary_matches_the_trades(
    services: Services, tmp_path: Path
) -> None:
    plans = write_plans(tmp_path / "plans", "2021-03-01", "2021-03-31")
    seen: list[tuple[int, int, str]] = []
    request = request_for(tmp_path, plans, "2021-03-01", "2021-03-31")
    report = services.walk_forward.run(request, lambda *step: seen.append(step))
    out = request.out
    days = sorted(path.name for path in (out / "days").iterdir())
    assert len(days) == MARCH_2021_SESSIONS == report.days
    assert (days[0], days[-1]) == ("2021-03-01", "2021-03-31")
    assert "2021-03-06" not in days  # a Saturday
    assert [step[0] for step in seen] == list(range(1, MARCH_2021_SESSIONS + 1))
    for day in days:
        assert {p.name for p in (out / "days" / day).iterdir()} == DAY_FILES
        # the plan as given, byte for byte
        assert (out / "days" / day / "trade_plan.csv").read_bytes() == (
            plans / f"{day}.csv"
        ).read_bytes()
    for name in ("all_trades.csv", "daily_equity.csv", "summary.json", "manifest.json"):
        assert (out / name).is_file()

    # the summary recomputed from all_trades.csv, independently of the service's arithmetic
    trades = table(out / "all_trades.csv")
    assert len(trades) == 2 * MARCH_2021_SESSIONS
    closed = [t for t in trades if t["outcome"] in CLOSED]
    pnl = sum((Decimal(t["pnl"]) for t in closed), Decimal(0))
    for t in closed:  # each trade's P&L from its prices (no fees, no slippage here)
        assert Decimal(t["pnl"]) == (Decimal(t["exit_price"]) - Decimal(t["entry_price"])) * (
            Decimal(t["qty"])
        )
        assert t["exit_time"][:10] == t["day"]  # INTRADAY: every trade closes the same day
    wins = sum(1 for t in closed if Decimal(t["pnl"]) > 0)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["trades"] == len(closed) > 0
    assert Decimal(summary["pnl"]) == pnl
    assert summary["wins"] == wins
    # the win rate is a percent (6 decimals), as every statistics' win_rate_pct; no fraction
    assert "win_rate" not in summary
    assert summary["win_rate_pct"] == round(wins / len(closed) * 100, 6)
    for outcome in ("TP", "SL", "TIMEOUT", "EOD", "NOT_FILLED", "NO_DATA"):
        assert summary["outcomes"][outcome] == sum(1 for t in trades if t["outcome"] == outcome)
    # the daily equity: the capital plus the P&L of the trades closed by each day
    equity = table(out / "daily_equity.csv")
    assert [row["date"] for row in equity] == days
    for row in equity:
        booked = sum((Decimal(t["pnl"]) for t in closed if t["day"] <= row["date"]), Decimal(0))
        assert Decimal(row["equity"]) == Decimal(100000) + booked
    assert Decimal(summary["final_equity"]) == Decimal(100000) + pnl
    # the maximum drawdown from the curve by hand (the service takes it from analytics)
    values = np.array([100000.0] + [float(row["equity"]) for row in equity])
    deepest = float((values / np.maximum.accumulate(values) - 1.0).min()) * 100.0
    assert summary["max_drawdown_pct"] == pytest.approx(deepest, abs=1e-6)
    assert None not in (summary["sharpe"], summary["cagr_pct"])


class SpyStrategy:
    """A vectorised-strategy stand-in that records the last bar it was given and asks for a
    long on it (stop -1%, target +1%), so every day has a plan to simulate."""

    name = "spy"

    def __init__(self) -> None:
        self.last_closes: list[datetime] = []

    def signals(self, bars: pd.DataFrame) -> pd.DataFrame:
        self.last_closes.append(bars["ts_close"].iloc[-1].to_pydatetime())
        close = float(bars["close"].iloc[-1])
        return pd.DataFrame(
            {
                "direction": np.array([1], dtype=np.int8),
                "confidence": [0.7],
                "stop": [close * 0.99],
                "target": [close * 1.01],
                "reason": ["spy"],
            },
            index=bars.index[-1:],
        )


def test_no_day_plan_or_simulation_uses_data_from_that_day_or_later(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = SpyStrategy()
    monkeypatch.setattr(walk_forward_module, "_strategy", lambda request: spy)
    given: list[dict[str, datetime]] = []

    def simulator(rows: Any, candles: Any, rules: Any, finer: Any = None) -> Any:
        given.append({ticker: bars[0].ts_open for ticker, bars in candles.items() if bars})
        for bars in candles.values():
            assert all(a.ts_open < b.ts_open for a, b in itertools.pairwise(bars))
        return simulate_plan(rows, candles, rules, finer)

    service = WalkForwardService(lambda: services.data, simulator=simulator)
    request = WalkForwardRequest(
        out=tmp_path / "evidence",
        first=date(2021, 3, 8),
        last=date(2021, 3, 12),
        strategy="spy",
        symbols=("SPY",),
        mode=ExecutionMode.INTRADAY,
    )
    service.run(request)
    # the plan of each day saw the daily bars up to the previous session's close, no later:
    # Friday 03-05 21:00Z for Monday 03-08, then each weekday's close
    previous_closes = [datetime(2021, 3, day, 21, tzinfo=UTC) for day in (5, 8, 9, 10, 11)]
    assert spy.last_closes == previous_closes
    # and the simulator's first candle of each day is that day's first session hour (Lean's
    # 09:00 New York label, holding 09:30-10:00; New York is UTC-5 until 03-14)
    assert [moment["SPY"] for moment in given] == [
        datetime(2021, 3, day, 14, tzinfo=UTC) for day in (8, 9, 10, 11, 12)
    ]
    for day, plan_made, first in zip((8, 9, 10, 11, 12), previous_closes, given, strict=True):
        report = json.loads(
            (request.out / "days" / f"2021-03-{day:02d}" / "day_report.json").read_text()
        )
        assert report["plan"]["last_daily_bar_close"] == {"SPY": plan_made.isoformat()}
        assert first["SPY"] > plan_made
    plan = table(request.out / "days" / "2021-03-08" / "trade_plan.csv")
    # the entry is the close of Friday 03-05, from the bundled daily file
    assert plan[0]["entry_price"] == dict(daily_closes("SPY"))["2021-03-05"]


def test_a_rerun_after_an_interruption_resumes_and_ends_byte_identical(
    services: Services, tmp_path: Path
) -> None:
    plans = write_plans(tmp_path / "plans", "2021-03-08", "2021-03-12")
    whole = request_for(tmp_path, plans, "2021-03-08", "2021-03-12", out=tmp_path / "whole")
    services.walk_forward.run(whole)

    class StopError(Exception):
        pass

    def stop_after_two(done: int, total: int, name: str) -> None:
        if done == 2:
            raise StopError(name)

    broken = replace(whole, out=tmp_path / "broken")
    with pytest.raises(StopError):
        services.walk_forward.run(broken, stop_after_two)
    assert sorted(p.name for p in (broken.out / "days").iterdir()) == ["2021-03-08", "2021-03-09"]
    assert not (broken.out / "summary.json").exists()
    report = services.walk_forward.run(broken)
    assert report.resumed == ("2021-03-08", "2021-03-09")
    assert report.simulated == ("2021-03-10", "2021-03-11", "2021-03-12")
    assert folder_bytes(broken.out) == folder_bytes(whole.out)


def test_changed_inputs_are_refused_unless_restart(services: Services, tmp_path: Path) -> None:
    plans = write_plans(tmp_path / "plans", "2021-03-08", "2021-03-09")
    request = request_for(tmp_path, plans, "2021-03-08", "2021-03-09")
    services.walk_forward.run(request)
    before = folder_bytes(request.out)
    with pytest.raises(OptionError, match="capital"):
        services.walk_forward.run(replace(request, capital=Decimal(50000)))
    with (plans / "2021-03-09.csv").open("a", encoding="utf-8") as handle:
        handle.write("SPY,sell,1,390,380,400,0.9,1\n")
    with pytest.raises(OptionError, match="plans"):
        services.walk_forward.run(request)
    assert folder_bytes(request.out) == before  # nothing changed
    report = services.walk_forward.run(replace(request, restart=True))
    assert report.simulated == ("2021-03-08", "2021-03-09")
    trades = table(request.out / "all_trades.csv")
    # the new row (row 3 of 03-09's plan, a short) was simulated after the restart
    last = sorted((t["day"], t["row"], t["side"]) for t in trades)[-1]
    assert last == ("2021-03-09", "3", "sell")
    assert len(trades) == 5


def test_a_run_stopped_by_a_bad_row_goes_on_with_skip_bad_rows_alone(
    services: Services, tmp_path: Path
) -> None:
    plans = write_plans(tmp_path / "plans", "2021-03-01", "2021-03-05")
    with (plans / "2021-03-04.csv").open("a", encoding="utf-8") as handle:
        handle.write("SPY,buy,-5,390,392,387,0.6,1\n")
    request = request_for(tmp_path, plans, "2021-03-01", "2021-03-05")
    with pytest.raises(InvalidInputError, match=r"row 3, qty"):
        services.walk_forward.run(request)
    # the days done read no bad row: each is what --skip-bad-rows would have made, so adding
    # the option resumes, and the evidence is the uninterrupted run's byte for byte
    skipping = replace(request, skip_bad_rows=True)
    report = services.walk_forward.run(skipping)
    assert report.resumed == ("2021-03-01", "2021-03-02", "2021-03-03")
    assert report.simulated == ("2021-03-04", "2021-03-05")
    fresh = services.walk_forward.run(replace(skipping, out=tmp_path / "fresh"))
    assert fresh.simulated == report.resumed + report.simulated
    assert folder_bytes(request.out) == folder_bytes(tmp_path / "fresh")
    # now a day done skipped a row: without the option that day would be refused, so no resume
    before = folder_bytes(request.out)
    with pytest.raises(
        OptionError, match=r"holds days that skipped bad plan rows \(2021-03-04: 1 row\)"
    ):
        services.walk_forward.run(request)
    # another change beside the option is refused as before, naming both
    with pytest.raises(OptionError, match=r"changed: capital, skip_bad_rows"):
        services.walk_forward.run(replace(request, capital=Decimal(50000)))
    assert folder_bytes(request.out) == before


def test_a_plan_entering_on_another_day_or_naming_an_unknown_ticker_is_refused(
    services: Services, tmp_path: Path
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "2021-03-09.csv").write_text(
        "ticker,side,qty,entry_price,entry_datetime\n"
        "SPY,buy,1,390,2021-03-10T15:00:00Z\n"
        "ZZZZ,buy,1,10,\n",
        encoding="utf-8",
    )
    request = request_for(tmp_path, plans, "2021-03-08", "2021-03-09")
    with pytest.raises(InvalidInputError, match=r"row 2, ticker: 'ZZZZ'") as caught:
        services.walk_forward.run(request)
    refused = f"trade plan {plans / '2021-03-09.csv'} refused, the walk-forward stopped before "
    assert str(caught.value).startswith(refused + "simulating 2021-03-09 (1 problem)")
    (plans / "2021-03-09.csv").write_text(
        "ticker,side,qty,entry_price,entry_datetime\nSPY,buy,1,390,2021-03-10T15:00:00Z\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match=r"row 1, entry_datetime"):
        services.walk_forward.run(replace(request, restart=True))
    # the day before the bad plan is complete; nothing of the bad day was written
    assert sorted(p.name for p in (request.out / "days").iterdir()) == ["2021-03-08"]


def test_refitted_parameters_are_chosen_in_sample_and_recorded_per_window(
    services: Services, tmp_path: Path
) -> None:
    request = strategy_request(
        tmp_path,
        "2021-03-01",
        "2021-03-10",
        params=(("mode", "level"),),
        symbols=("SPY", "AAPL"),
        mode=ExecutionMode.BALANCED,
        fit_window="90d",
        fit_params=(("fast", "5,10"), ("slow", "20,30")),
        refit_every=5,
    )
    report = services.walk_forward.run(request)
    fits = report.summary["fitted_parameters"]
    assert isinstance(fits, list)
    # 8 sessions in blocks of 5: 03-01..03-05 and 03-08..03-10
    assert [(f["out_of_sample_from"], f["out_of_sample_to"]) for f in fits] == [
        ("2021-03-01", "2021-03-05"),
        ("2021-03-08", "2021-03-10"),
    ]
    for window in fits:
        candidates = window["candidates"]
        assert [c["params"] for c in candidates] == [
            {"fast": "5", "slow": "20"},
            {"fast": "5", "slow": "30"},
            {"fast": "10", "slow": "20"},
            {"fast": "10", "slow": "30"},
        ]
        best = max(Decimal(c["pnl"]) for c in candidates)
        first_best = next(c for c in candidates if Decimal(c["pnl"]) == best)
        assert window["params"] == first_best["params"]
    # each window was fitted at its first day's plan time, on bars before it only
    assert fits[0]["in_sample_to"] == "2021-02-26T21:00:00+00:00"
    assert fits[1]["in_sample_to"] == "2021-03-05T21:00:00+00:00"
    day = json.loads((request.out / "days" / "2021-03-09" / "day_report.json").read_text())
    assert day["plan"]["fit"] == fits[1]


def test_a_fit_where_every_candidate_ties_says_so(services: Services, tmp_path: Path) -> None:
    # a one-day window holds one daily bar: no candidate can trade, every P&L is 0, and the
    # first combination is taken by the tie rule; the evidence says it was no fit
    request = strategy_request(
        tmp_path, "2021-03-01", "2021-03-02", fit_window="1d", fit_params=(("fast", "5,10"),)
    )
    report = services.walk_forward.run(request)
    [fit] = report.summary["fitted_parameters"]
    assert [c["pnl"] for c in fit["candidates"]] == ["0", "0"]
    assert fit["params"] == {"fast": "5"}
    assert fit["note"] == "a tie: every candidate's in-sample P&L is 0, so the first is used"
    day = json.loads((request.out / "days" / "2021-03-01" / "day_report.json").read_text())
    assert day["plan"]["fit"]["note"] == fit["note"]
    # a fit that chose (test_refitted_parameters_are_chosen_in_sample...) carries no note
    chosen = replace(request, out=tmp_path / "chosen", fit_window="90d")
    [window] = services.walk_forward.run(chosen).summary["fitted_parameters"]
    assert len({c["pnl"] for c in window["candidates"]}) == 2
    assert "note" not in window


def test_fitting_options_are_checked_before_anything_is_written(
    services: Services, tmp_path: Path
) -> None:
    base = strategy_request(
        tmp_path,
        "2021-03-01",
        "2021-03-02",
        symbols=("SPY", "AAPL"),
        fit_window="60d",
        fit_params=(("fast", "5,50"),),
    )
    with pytest.raises(InvalidInputError, match="fast"):  # fast 50 > slow 20
        services.walk_forward.run(base)
    with pytest.raises(OptionError, match="--fit-window: '60 weeks'"):
        services.walk_forward.run(replace(base, fit_window="60 weeks"))
    with pytest.raises(OptionError, match="both --fit-window"):
        services.walk_forward.run(replace(base, fit_params=()))
    assert not base.out.exists()


def test_a_fit_candidate_listed_twice_is_refused_as_the_sweep_refuses_it(
    services: Services, tmp_path: Path
) -> None:
    # fast=5,5 (or 5,05) would run one candidate twice; the sweep's check refuses it
    base = strategy_request(
        tmp_path, "2021-03-01", "2021-03-02", fit_window="60d", fit_params=(("fast", "5,5"),)
    )
    with pytest.raises(InvalidInputError, match=r"^parameter 'fast': '5' is listed twice; list"):
        services.walk_forward.run(base)
    spelled = replace(base, fit_params=(("fast", "5,10"), ("slow", "20,030,30")))
    with pytest.raises(
        InvalidInputError, match=r"parameter 'slow': '30' is the same value as '030' \(30\)"
    ):
        services.walk_forward.run(spelled)
    assert not base.out.exists()


def test_a_strategy_period_after_its_symbols_daily_bars_end_is_refused(
    services: Services, tmp_path: Path
) -> None:
    # the bundled SPY days end 2021-03-31: from 04-05 on no day has its previous session's bar
    request = strategy_request(tmp_path, "2021-04-05", "2021-04-30")
    with pytest.raises(OptionError, match=r"'SPY' \(no daily bar of the session before "):
        services.walk_forward.run(request)
    assert not request.out.exists()
    # 04-01's previous session is 03-31, the last bar: a run from 04-01 starts, and its later
    # days say why they have no plan
    report = services.walk_forward.run(replace(request, first=date(2021, 4, 1)))
    assert report.summary["rows"] == 0
    day = json.loads((request.out / "days" / "2021-04-05" / "day_report.json").read_text())
    assert day["plan"]["notes"]["SPY"].startswith("no daily bar of the session before 2021-04-05")


def test_a_trade_held_overnight_takes_its_room_under_the_next_day_cap(
    services: Services, tmp_path: Path
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    closes = dict(daily_closes("SPY"))
    header = "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
    # Monday: 200 SPY (about 77k of the 80k cap), levels far away: held past the day
    (plans / "2021-03-08.csv").write_text(
        header + f"SPY,buy,200,{closes['2021-03-05']},450,300,0.5,5\n", encoding="utf-8"
    )
    # Tuesday: 20 SPY more (about 7.7k): more than the room the open trade leaves
    (plans / "2021-03-09.csv").write_text(
        header + f"SPY,buy,20,{closes['2021-03-08']},450,300,0.5,5\n", encoding="utf-8"
    )
    request = request_for(
        tmp_path, plans, "2021-03-08", "2021-03-09", mode=ExecutionMode.BALANCED,
        entry=walk_forward_module.EntryType.MARKET,
    )  # fmt: skip
    services.walk_forward.run(request)
    (held,) = table(request.out / "days" / "2021-03-08" / "sim_trades.csv")
    assert held["outcome"] == "TIMEOUT"  # three days later, neither level reached
    assert held["exit_time"] > "2021-03-09T21"
    notional = Decimal(held["qty"]) * Decimal(held["entry_price"])
    report = json.loads((request.out / "days" / "2021-03-09" / "day_report.json").read_text())
    assert Decimal(report["open_exposure_at_plan"]) == notional
    assert report["open_trades_at_plan"] == 1
    audit = json.loads((request.out / "days" / "2021-03-09" / "audit.json").read_text())
    (decision,) = audit["rows"]
    assert decision["decision"] == "dropped"
    room = Decimal(100000) * Decimal("0.8") - notional
    assert Decimal(20) * Decimal(closes["2021-03-08"]) > room  # why it was dropped
    assert table(request.out / "days" / "2021-03-09" / "sim_trades.csv") == []
    equity = table(request.out / "daily_equity.csv")
    assert [row["open_trades"] for row in equity[:2]] == ["1", "1"]
    # the curve goes on to the held trade's exit, where its P&L is booked
    assert equity[-1]["date"] == held["exit_time"][:10]
    assert Decimal(equity[-1]["equity"]) == Decimal(100000) + Decimal(held["pnl"])
    assert Decimal(equity[-2]["equity"]) == Decimal(100000)


def test_minute_bars_decide_a_same_candle_exit_where_they_are_held(
    services: Services, tmp_path: Path
) -> None:
    # The simulator's hand-checked case (docs/simulator.md): a long entered at SPY's
    # 2013-10-09 15:00Z open, 165.00, target 165.20, stop 164.60: the hour touches both, and
    # the bundled minutes say 15:03Z reached the target first (+2.00 on 10 shares).
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "2013-10-09.csv").write_text(
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n"
        "SPY,buy,10,165.00,165.20,164.60,2013-10-09T15:00:00Z\n",
        encoding="utf-8",
    )
    request = request_for(  # no mode: a row without etth_days is not dropped
        tmp_path, plans, "2013-10-09", "2013-10-09", mode=None,
        entry=walk_forward_module.EntryType.MARKET,
    )  # fmt: skip
    services.walk_forward.run(request)
    (trade,) = table(request.out / "all_trades.csv")
    assert (trade["outcome"], trade["exit_time"], trade["pnl"]) == (
        "TP", "2013-10-09T15:03:00+00:00", "2.00",
    )  # fmt: skip
    assert trade["resolution"] == "lower-timeframe"
    report = json.loads((request.out / "days" / "2013-10-09" / "day_report.json").read_text())
    assert report["finer_bars"]["SPY"] > 0
    without = replace(request, out=tmp_path / "hours-only", resolve_with=None)
    services.walk_forward.run(without)
    (hourly,) = table(without.out / "all_trades.csv")
    assert (hourly["outcome"], hourly["resolution"]) == ("SL", "stop-loss-first")


def test_no_room_left_under_the_cap_drops_every_row_and_says_why() -> None:
    from paperdesk.domain import Side
    from paperdesk.plans.modes import filter_plan
    from paperdesk.plans.rows import PlanRow
    from paperdesk.plans.settings import PlanSettings
    from paperdesk.plans.wf_summary import AccountAt

    row = PlanRow(1, "SPY", Side.BUY, Decimal(1), Decimal(380), strength=Decimal("0.5"))
    rows = [replace(row, etth_days=Decimal(1))]
    # 80% of 100000 is 80000; open trades from earlier days already commit 80000
    full = AccountAt(Decimal(100000), Decimal(80000), 2)
    filtered = walk_forward_module._filtered(
        rows, ExecutionMode.INTRADAY, full, PlanSettings(), filter_plan
    )
    assert filtered.rows == ()
    (decision,) = filtered.audit()["rows"]  # type: ignore[misc]
    assert decision["decision"] == "dropped"
    assert "open trades from earlier days commit 80000" in decision["reason"]
    # 1 below the cap: a 380 row does not fit the 1 left, a 0.5 one would (greedy, keep)
    almost = AccountAt(Decimal(100000), Decimal(79999), 2)
    kept = walk_forward_module._filtered(
        rows, ExecutionMode.INTRADAY, almost, PlanSettings(), filter_plan
    )
    assert kept.rows == ()
    (refused,) = kept.audit()["rows"]  # type: ignore[misc]
    assert "is more than the 1.00000" in refused["reason"]
    cheap = [replace(rows[0], entry_price=Decimal("0.5"))]
    assert len(walk_forward_module._filtered(
        cheap, ExecutionMode.INTRADAY, almost, PlanSettings(), filter_plan
    ).rows) == 1  # fmt: skip


def test_a_row_without_its_entry_price_is_named_for_that_alone(
    services: Services, tmp_path: Path
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "2021-03-09.csv").write_text(
        "ticker,side,qty,entry_price\nSPY,buy,1,390\nAAPL,buy,5,\nZZZZ,buy,1,\n",
        encoding="utf-8",
    )
    request = request_for(tmp_path, plans, "2021-03-09", "2021-03-09")
    with pytest.raises(PlanError) as refused:
        services.walk_forward.run(request)
    named = [(p.row, p.field) for p in refused.value.problems]
    # AAPL has bars: only its empty entry price is wrong; ZZZZ has none and no entry price
    assert named == [(2, "entry_price"), (3, "ticker"), (3, "entry_price")]


def test_a_fit_scores_its_candidates_on_the_walk_forwards_own_costs(
    services: Services, tmp_path: Path
) -> None:
    def candidates(**costs: Any) -> dict[str, Decimal]:
        request = strategy_request(
            tmp_path / "_".join(costs) if costs else tmp_path,
            "2021-03-01",
            "2021-03-02",
            fit_window="180d",
            fit_params=(("fast", "3,5"), ("slow", "8,20")),
            slippage_bps=Decimal(0),
            **costs,
        )
        report = services.walk_forward.run(request)
        (window,) = report.summary["fitted_parameters"]
        return {json.dumps(c["params"]): Decimal(c["pnl"]) for c in window["candidates"]}

    free = candidates()
    charged = candidates(commission="percent:1")
    # a candidate that trades in the window pays 1% of each fill's notional: its in-sample P&L
    # falls; one that never traded pays nothing (before the fix every figure was the same)
    assert any(free[key] != 0 for key in free)
    for key, pnl in free.items():
        assert (charged[key] < pnl) if pnl != 0 else (charged[key] == 0)
