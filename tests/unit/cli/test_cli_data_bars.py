"""``paperdesk data import|list|check|backfill`` end to end: PAPERDESK_HOME in a temporary
directory, no DATABASE_URL (the SQLite file there), fake providers and no network."""

from __future__ import annotations

import json
import socket
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from market_fakes import FakeProvider, aggregator, bundled, utc
from paperdesk.cli import app, data_bars
from paperdesk.cli import data as data_cli
from paperdesk.data.backfill import ChunkReport
from paperdesk.data.clock import FixedClock
from paperdesk.service.market_data import MarketDataService

runner = CliRunner()
HEADER = "timestamp,open,high,low,close,volume\n"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "PAPERDESK_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["data", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def listed(where: str) -> list[dict[str, object]]:
    code, out, err = invoke("list", "--json")
    assert code == 0, err
    return [row for row in json.loads(out)["series"] if row["where"] == where]


def test_import_shows_the_report_and_list_shows_the_series(home: Path) -> None:
    path = home / "prices.csv"
    path.write_text(
        "Date,Time,Open,High,Low,Close,Volume\n"
        "2024-01-03,09:30,10,11,9,10.5,100\n"
        "2024-01-02,09:30,10.5,12,10,11,200\n"
    )
    code, out, err = invoke("import", str(path), "--symbol", "xyz", "--timeframe", "1h",
                            "--asset-class", "equity",
                            "--timezone", "America/New_York", "--sort")  # fmt: skip
    assert code == 0, err
    assert "Rows written" in out
    assert "2024-01-02 14:30 to 2024-01-03 14:30 (UTC)" in out
    assert [(row["symbol"], row["timeframe"], row["rows"]) for row in listed("store")] == [
        ("XYZ", "1h", 2)
    ]
    code, out, _ = invoke("list")
    assert code == 0
    assert "XYZ" in out
    assert "bundled" in out


def test_import_json_document(home: Path) -> None:
    path = home / "p.csv"
    path.write_text(HEADER + "2024-01-02,10,11,9,10.5,100\n")
    code, out, err = invoke("import", str(path), "--symbol", "ABC", "-t", "1d", "--json",
                            "--asset-class", "equity")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["imported"] is True
    assert (document["rows_written"], document["source"]) == (1, "csv:p.csv")


def test_a_rejected_file_prints_its_problems_and_writes_nothing(home: Path) -> None:
    rows = "".join(f"2024-01-{day:02d},10,9,11,10,1\n" for day in range(2, 30))  # high < low
    path = home / "bad.csv"
    path.write_text(HEADER + rows + "2024-01-30,nan,11,9,10,1\n")
    code, out, err = invoke("import", str(path), "--symbol", "BAD", "--timeframe", "1d",
                            "--asset-class", "equity")  # fmt: skip
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("error: bad.csv: rejected, nothing imported:")
    assert lines[1].startswith("  line 2 ")
    assert sum(line.startswith("  line ") for line in lines) == data_bars.SHOWN_PROBLEMS
    assert lines[-1].startswith("  ... and ")
    assert listed("store") == []
    assert not (home / "cache" / "bars" / "BAD").exists()


def test_check_shows_warnings_and_exits_zero() -> None:
    code, out, err = invoke("check", "SPY", "--timeframe", "1h")
    assert code == 0, err
    assert "Data quality of SPY 1h (XNYS)" in out
    assert "warning: 1 gap(s), about 2 missing bar(s)" in out  # 2002-09-11's late open
    assert "feed is stale" not in out  # the bundled sample is history: no live portfolio's feed
    code, out, err = invoke("check", "SPY", "--timeframe", "1h", "--from", "2020-03-01",
                            "--to", "2020-03-31")  # fmt: skip
    assert code == 0, err
    assert "no problems found" in out
    code, out, _ = invoke("check", "SPY", "-t", "1d", "--json")
    document = json.loads(out)
    assert (document["bars"], document["gaps_count"], document["feed_stale"]) == (5849, 0, False)


def test_check_of_an_unknown_series_is_one_line_error() -> None:
    code, _out, err = invoke("check", "NOPE", "--timeframe", "1d")
    assert code == 1
    assert err.startswith("error: no NOPE 1d bars")
    assert err.count("\n") == 1


def test_bad_dates_are_usage_errors() -> None:
    code, _, err = invoke("check", "SPY", "-t", "1d", "--from", "yesterday")
    assert code == 2
    assert "invalid value for --from" in err


@pytest.fixture
def providers(monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    provider = FakeProvider(fail_months={"2020-03"})

    def service() -> MarketDataService:
        return MarketDataService(aggregator=aggregator(provider), clock=FixedClock(utc(2020, 7, 1)))

    monkeypatch.setattr(data_cli, "market_data_service", service)
    return provider


def test_backfill_stops_at_a_failure_and_a_rerun_resumes(providers: FakeProvider) -> None:
    code, out, err = invoke("backfill", "SPY", "--from", "2020-01-01", "--to", "2020-04-30",
                            "--timeframe", "1h")  # fmt: skip
    assert code == 1
    assert "2 fetched, 0 already stored, 0 stale, 1 failed" in out
    assert "error: backfill stopped at the chunk from 2020-03-01" in err
    assert "run it again to resume" in err

    providers.fail_months.clear()
    providers.calls.clear()
    code, out, err = invoke("backfill", "SPY", "--from", "2020-01-01", "--to", "2020-04-30",
                            "--timeframe", "1h", "--json")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert [c["status"] for c in document["chunks"]] == ["skipped", "skipped", "fetched", "fetched"]
    assert providers.months_asked == ["2020-03", "2020-04"]
    expected = len(bundled("SPY", "1h").loc["2020-01":"2020-04"])
    assert [(row["symbol"], row["rows"]) for row in listed("store")] == [("SPY", expected)]


class RenamedProvider(FakeProvider):
    """Serves SPY's bundled bars under any symbol (a provider knowing a symbol we do not)."""

    def fetch_bars(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> Any:
        return super().fetch_bars("SPY", timeframe, start, end)


def test_backfill_of_an_unknown_symbol_needs_and_stores_its_asset_class(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = RenamedProvider()
    monkeypatch.setattr(
        data_cli,
        "market_data_service",
        lambda: MarketDataService(
            aggregator=aggregator(provider), clock=FixedClock(utc(2020, 7, 1))
        ),
    )
    asked = ("backfill", "ACMEX", "--from", "2020-01-01", "--to", "2020-01-31")
    code, _out, err = invoke(*asked)
    assert code == 1
    assert "ACMEX" in err
    assert "--asset-class" in err
    assert provider.calls == []  # refused before asking any provider
    code, _out, err = invoke(*asked, "--asset-class", "equity", "--json")
    assert code == 0, err
    engine = create_engine(f"sqlite:///{home / 'paperdesk.db'}")
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT asset_class FROM bar_series WHERE symbol = 'ACMEX'")
        ).all()
    engine.dispose()
    assert stored == [("equity",)]
    code, _out, err = invoke(*asked, "--asset-class", "bond")
    assert code != 0
    assert "bond" in err


def test_the_progress_bar_steps_once_per_chunk() -> None:
    console = Console(file=StringIO(), force_terminal=True, width=100)
    with data_bars.backfill_progress(console) as step:
        assert step is not None
        for done in (1, 2):
            step(ChunkReport(utc(2020, done, 1), utc(2020, done + 1, 1), "fetched"), done, 2)
    with data_bars.backfill_progress(None) as nothing:
        assert nothing is None


def test_import_defaults_to_daily_bars_and_takes_adjusted(home: Path) -> None:
    path = home / "yahoo.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-01-02,10,11,9,10,5,100\n2024-01-03,10,11,9,10,5,100\n"
    )
    code, out, err = invoke("import", str(path), "--symbol", "XYZ", "--adjusted", "--json",
                            "--asset-class", "equity")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["timeframe"] == "1d"
    assert document["notes"] == ["prices adjusted by adj close / close"]


def test_a_short_imported_series_in_place_of_the_bundled_one_is_warned_about(
    home: Path,
) -> None:
    bundled_spy = Path(__file__).parents[3] / "src/paperdesk/data/bundled/lean_SPY_1d.csv"
    lines = bundled_spy.read_text().splitlines()
    week = [line for line in lines[1:] if line.startswith("2021-03-0")]
    imported = home / "spy_week.csv"
    imported.write_text(HEADER + "\n".join(week) + "\n")
    assert runner.invoke(app, ["data", "import", str(imported), "--symbol", "SPY"]).exit_code == 0
    run = ["backtest", "--strategy", "sma-cross", "--symbol", "SPY", "--param", "fast=2"]
    result = runner.invoke(app, [*run, "--param", "slow=3", "--from", "2020-01-01"])
    assert result.exit_code == 0, result.stderr
    first = week[0][:10]
    assert f"warning: the SPY 1d bars begin on {first}, 425 days after --from 2020-01-01" in (
        result.stderr
    )
    assert "stored bars (imported or backfilled) take the place of a bundled series" in (
        result.stderr
    )
    within = runner.invoke(app, [*run, "--param", "slow=3", "--from", first])
    assert within.exit_code == 0, within.stderr
    assert "warning" not in within.stderr  # the asked range is covered: nothing to say


def test_backfill_shows_the_last_day_asked_not_the_exclusive_end(providers: FakeProvider) -> None:
    providers.fail_months.clear()
    code, out, err = invoke("backfill", "SPY", "--from", "2020-01-01", "--to", "2020-04-30",
                            "--timeframe", "1h")  # fmt: skip
    assert code == 0, err
    assert "Backfill SPY 1h 2020-01-01 to 2020-04-30:" in out
    assert "2020-05-01" not in out  # the exclusive end of the range and of its last chunk
    assert "2020-04-01  2020-04-30  fetched" in out  # the last chunk, to its last day
    code, out, err = invoke("backfill", "SPY", "--from", "2020-01-01", "--to", "2020-04-30",
                            "--timeframe", "1h", "--json")  # fmt: skip
    assert json.loads(out)["end"] == "2020-05-01T00:00:00+00:00"  # JSON: the exclusive instant


def test_a_backfill_capped_at_now_shows_the_last_day_before_it(providers: FakeProvider) -> None:
    code, out, err = invoke("backfill", "SPY", "--from", "2020-06-01", "--to", "2020-12-31")
    assert code == 0, err
    assert "2020-06-01 to 2020-06-30:" in out  # capped at the clock's now, 2020-07-01 00:00


def test_a_wrong_field_count_is_named_and_says_the_checks_stopped_there(home: Path) -> None:
    path = home / "bad.csv"
    path.write_text(HEADER + "2024-01-02,10,9,11,10,1\n2024-01-03,10,11,9,10\n")
    code, out, err = invoke("import", str(path), "--symbol", "SPY")
    assert code == 1
    assert err.splitlines()[1:] == [
        "  line 3: 5 fields where the header has 6",
        "  stopped there: the other checks need every line split into the header's columns, "
        "so they did not run; fix the field counts and check the file again",
    ]
    code, out, err = invoke("import", str(path), "--symbol", "SPY", "--json")
    document = json.loads(out)
    assert [p["line"] for p in document["problems"]] == [3]
    assert document["stopped"].startswith("stopped there: the other checks need every line")
    path.write_text(HEADER + "2024-01-02,10,9,11,10,1\n")
    code, out, err = invoke("import", str(path), "--symbol", "SPY", "--json")
    assert json.loads(out)["stopped"] is None  # every check ran: high below low was found
