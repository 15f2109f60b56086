"""``--asset-class`` at the doors: ``data import``, ``backtest --data`` and ``create-portfolio``
refuse a symbol paperdesk cannot know, and a series imported with its class gets its calendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()
HINT = "say its asset class with --asset-class equity|forex|crypto|future|cfd"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "PAPERDESK_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def fx_week(path: Path, weeks: int = 1) -> Path:
    """Hourly bars Monday 00:00 to Friday 20:00 UTC: inside the FX week, off NYSE hours."""
    rows = ["timestamp,open,high,low,close,volume"]
    monday = datetime(2024, 1, 8, tzinfo=UTC)
    for week in range(weeks):
        start = monday + timedelta(weeks=week)
        for hour in range(4 * 24 + 21):
            ts = start + timedelta(hours=hour)
            price = 1.1 + 0.001 * ((hour % 7) - 3)
            rows.append(f"{ts:%Y-%m-%dT%H:%M:%SZ},{price},{price + 0.0005},{price - 0.0005},"
                        f"{price},0")  # fmt: skip
    path.write_text("\n".join(rows) + "\n")
    return path


def stored_series() -> list[dict[str, object]]:
    code, out, err = invoke("data", "list", "--json")
    assert code == 0, err
    return [row for row in json.loads(out)["series"] if row["where"] == "store"]


def test_an_unknown_symbol_is_refused_with_the_hint_and_nothing_is_written(home: Path) -> None:
    path = fx_week(home / "eurusd2.csv")
    code, out, err = invoke("data", "import", str(path), "--symbol", "EURUSD2", "-t", "1h")
    assert code == 1
    assert out == ""
    assert err == f"error: unknown symbol EURUSD2: {HINT}\n"
    assert stored_series() == []
    assert not (home / "cache" / "bars" / "EURUSD2").exists()


def test_imported_as_forex_the_series_is_checked_on_the_fx_week(home: Path) -> None:
    path = fx_week(home / "eurusd2.csv")
    code, out, err = invoke("data", "import", str(path), "--symbol", "EURUSD2", "-t", "1h",
                            "--asset-class", "forex", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["rows_written"] == 4 * 24 + 21
    code, out, err = invoke("data", "check", "EURUSD2", "-t", "1h", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["calendar"] == "FX"
    assert report["off_session_count"] == 0


def test_a_pair_of_currency_codes_is_inferred_and_the_report_says_so(home: Path) -> None:
    path = fx_week(home / "nzdchf.csv")
    code, out, err = invoke("data", "import", str(path), "--symbol", "NZDCHF", "-t", "1h",
                            "--json")  # fmt: skip
    assert code == 0, err
    notes = json.loads(out)["notes"]
    assert [note for note in notes if "inferred" in note] == [
        "asset class forex, inferred from the symbol (two ISO currency codes); "
        "say otherwise with --asset-class"
    ]


def test_backtest_data_needs_the_class_of_an_unknown_symbol(home: Path) -> None:
    path = fx_week(home / "eurusd2_1h.csv", weeks=3)
    run = ("backtest", "-s", "sma-cross", "--data", str(path), "--symbol", "EURUSD2", "--json")
    code, out, err = invoke(*run)
    assert code == 1
    assert out == ""
    assert err == f"error: unknown symbol EURUSD2: {HINT}\n"
    code, out, err = invoke(*run, "--asset-class", "forex")
    assert code == 0, err
    assert json.loads(out)["bars"] == 3 * (4 * 24 + 21)


def test_create_portfolio_needs_the_class_of_an_unknown_symbol(home: Path) -> None:
    path = fx_week(home / "eurusd2.csv", weeks=3)
    args = ("create-portfolio", "fx", "10000", "--data", f"EURUSD2={path}", "--timeframe", "1h")
    code, out, err = invoke(*args)
    assert code == 1
    assert out == ""
    assert err == f"error: unknown symbol EURUSD2: {HINT}\n"
    code, out, _ = invoke("portfolio", "list", "--json")
    assert json.loads(out)["portfolios"] == []
    code, out, err = invoke(*args, "--asset-class", "forex")
    assert code == 0, err
    assert out.strip().isdigit()
