"""``paperdesk indicator``: the list, a table, JSON, and one clear error line for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paper_cli_helpers import fails, ok

REPOSITORY = Path(__file__).resolve().parents[3]
BARS = str(REPOSITORY / "src" / "paperdesk" / "data" / "bundled" / "bt_2006-day-001_1d.csv")
MACD_SHEET = REPOSITORY / "tests" / "fixtures" / "reference" / "ta_stockcharts" / "cs-macd.csv"

pytestmark = pytest.mark.usefixtures("paper_home")


def test_without_a_name_it_lists_the_indicators() -> None:
    document = json.loads(ok("indicator", "--json").stdout)
    names = [entry["name"] for entry in document["indicators"]]
    assert names == ["sma", "ema", "rsi", "macd", "tsi", "atr"]
    macd = document["indicators"][3]
    assert macd["params"] == {"fast": 12, "slow": 26, "signal": 9, "seed": "sma"}
    assert macd["lines"] == ["macd", "signal", "histogram"]
    assert "seed=sma" in ok("indicator").stdout


def test_a_table_of_the_last_rows() -> None:
    result = ok("indicator", "rsi", "--data", BARS, "--last", "2")
    assert "rsi(period=14) over bt_2006-day-001_1d.csv, 255 rows" in result.stdout
    assert "2006-12-29T00:00:00Z" in result.stdout
    assert "57.64428389" in result.stdout  # backtrader's 57.644284, 8 decimals here
    assert "2006-12-27" not in result.stdout


def test_the_default_is_the_last_ten_rows_and_warm_up_rows_are_null() -> None:
    document = json.loads(ok("indicator", "sma", "--data", BARS, "--json").stdout)
    assert [entry["row"] for entry in document["values"]] == list(range(245, 255))
    early = json.loads(
        ok("indicator", "sma", "--data", BARS, "--param", "period=30", "--at", "2006-02-09",
           "--json").stdout
    )  # fmt: skip
    assert early["values"] == [{"row": 28, "label": "2006-02-09T00:00:00Z", "sma": None}]


def test_atr_reads_high_low_and_close() -> None:
    document = json.loads(ok("indicator", "atr", "--data", BARS, "--last", "1", "--json").stdout)
    assert document["values"][0]["atr"] > 0


def test_command_line_options_win_over_the_run_file(tmp_path: Path) -> None:
    run_file = tmp_path / "macd.toml"
    run_file.write_text(
        f'indicator = "macd"\ndata = "{MACD_SHEET}"\ncolumn = "Close"\nlast = 3\n'
        '[params]\nseed = "first"\n'
    )
    document = json.loads(ok("indicator", "--config", str(run_file), "--json").stdout)
    assert document["values"][-1]["macd"] == pytest.approx(0.99565048, abs=1e-8)
    overridden = ok("indicator", "--config", str(run_file), "--last", "1", "--param",
                    "signal=5", "--json")  # fmt: skip
    document = json.loads(overridden.stdout)
    assert document["params"] == {"fast": 12, "slow": 26, "signal": 5, "seed": "first"}
    assert len(document["values"]) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["ichimoku", "--data", BARS], "unknown indicator 'ichimoku': expected one of sma, ema"),
        (["macd"], "no data given: pass --data FILE.csv"),
        (
            ["macd", "--data", BARS, "--param", "seed=ta"],
            "parameter 'seed' must be one of sma, first",
        ),
        (["macd", "--data", BARS, "--param", "fast=0"], "parameter 'fast' must be a whole number"),
        (
            ["macd", "--data", BARS, "--param", "fast=26"],
            "macd fast (26) must be smaller than slow",
        ),
        (
            ["ema", "--data", BARS, "--param", "window=3"],
            "has no parameter 'window'; valid parameters: period, seed",
        ),
        (
            ["ema", "--data", BARS, "--param", "period=ten"],
            "parameter 'period' must be a whole number",
        ),
        (["ema", "--data", "missing.csv"], "data file not found: missing.csv"),
        (
            ["ema", "--data", str(MACD_SHEET), "--column", "Price"],
            "has no column 'Price' (columns: Date, Close,",
        ),
        (
            ["ema", "--data", str(MACD_SHEET), "--column", "MACD_signal"],
            "line 2: column 'MACD_signal' holds '', not a number",
        ),
        (["ema", "--data", BARS, "--at", "2007-01-02"], "--at '2007-01-02': no row"),
        (["ema", "--data", BARS, "--at", "2006-01"], "--at '2006-01': 22 rows"),
        (["ema", "--data", BARS, "--last", "0"], "--last must be at least 1, got 0"),
        (["--config", "missing.toml"], "run file not found: missing.toml"),
    ],
)
def test_bad_input_is_one_clear_error_line(arguments: list[str], message: str) -> None:
    assert message in fails("indicator", *arguments)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('indicator = "ema"\ndata = "x.csv"\nperiod = 3\n', "unknown key 'period'"),
        ('data = "x.csv"\n', "needs 'indicator'"),
        ('indicator = "ema"\ndata = "x.csv"\nat = "2006"\n', "'at' in run file"),
        ('indicator = "ema"\ndata = "x.csv"\nparams = 3\n', "'params' in run file"),
        ('indicator = "ema"\ndata = "x.csv"\nlast = "3"\n', "'last' in run file"),
        ("indicator = \n", "malformed TOML"),
    ],
)
def test_a_bad_run_file_is_one_clear_error_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "run.toml"
    path.write_text(text)
    assert message in fails("indicator", "--config", str(path))


def test_a_relative_data_path_is_read_beside_the_run_file(tmp_path: Path) -> None:
    (tmp_path / "bars.csv").write_text("day,close\nd1,1\nd2,2\nd3,4\n")
    (tmp_path / "run.toml").write_text(
        'indicator = "sma"\ndata = "bars.csv"\n[params]\nperiod = 2\n'
    )
    document = json.loads(ok("indicator", "--config", str(tmp_path / "run.toml"), "--json").stdout)
    assert [entry["sma"] for entry in document["values"]] == [None, 1.5, 3.0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: no header line"),
        ("\n\n", "is empty: no header line"),
        # every row one field longer than the header: pandas took the first field for an
        # index, each row's labels and prices then one column off (the sma of the volume)
        ("day,close\nd1,1,100\nd2,2,200\n", "Expected 2 fields in line 2, saw 3"),
        ("day,close,Close\nd1,1,9\nd2,2,9\n", "names the column 'close' 2 times"),
    ],
)
def test_a_malformed_data_file_is_one_clear_error_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(content)
    assert message in fails("indicator", "sma", "--data", str(path), "--param", "period=1")


def test_the_tables_look_like_every_other_table() -> None:
    for arguments in (["sma", "--data", BARS, "--last", "2"], []):
        lines = ok("indicator", *arguments).stdout.splitlines()
        assert not any(mark in "".join(lines) for mark in "┏┃┡│└"), lines
        rule = next(index for index, line in enumerate(lines) if set(line.strip()) == {"─"})
        assert lines[rule - 1].split()[0] in {"Row", "Name"}
