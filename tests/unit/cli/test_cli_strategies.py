"""``paperdesk strategies [NAME]`` lists every parameter with its type, default and meaning."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()


def test_json_lists_each_parameter_with_type_default_and_meaning() -> None:
    result = runner.invoke(app, ["strategies", "--json"])
    assert result.exit_code == 0, result.output
    strategies = {item["name"]: item for item in json.loads(result.stdout)["strategies"]}
    tsi = strategies["tsi-momentum"]
    assert tsi["kind"] == "vectorised"
    assert tsi["source"] == "built-in"
    by_name = {parameter["name"]: parameter for parameter in tsi["parameters"]}
    assert list(by_name) == [
        "long",
        "short",
        "signal",
        "zero_line_filter",
        "stop_atr",
        "target_atr",
        "ema_seed",
        "min_bars",
    ]
    assert by_name["ema_seed"]["type"] == "str"
    assert by_name["ema_seed"]["default"] == "sma"
    assert "first" in by_name["ema_seed"]["meaning"]
    assert by_name["min_bars"]["type"] == "int"
    assert by_name["min_bars"]["default"] == 0
    assert by_name["zero_line_filter"]["type"] == "bool"
    assert by_name["zero_line_filter"]["default"] is False
    assert by_name["long"] == {
        "name": "long",
        "type": "int",
        "default": 25,
        "meaning": "first (long) smoothing period of the TSI, in bars",
    }
    assert [p["name"] for p in strategies["buy-and-hold"]["parameters"]] == ["min_bars"]
    assert [p["name"] for p in strategies["sma-cross"]["parameters"]] == [
        "fast",
        "slow",
        "mode",
        "min_bars",
    ]
    for name in ("sma-cross", "macd-cross", "tsi-momentum", "rsi-divergence"):
        assert all(parameter["meaning"] for parameter in strategies[name]["parameters"]), name


def test_table_shows_defaults_as_param_takes_them() -> None:
    result = runner.invoke(app, ["strategies"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    macd = next(index for index, line in enumerate(lines) if "macd-cross" in line)
    cells = [line.split("│")[3].strip() for line in lines[macd : macd + 5]]
    assert cells == ["fast=12", "slow=26", "signal=9", "stop_atr=0.0", "target_atr=0.0"]
    assert "zero_line_filter=false" in result.stdout


def test_one_strategy_in_detail() -> None:
    result = runner.invoke(app, ["strategies", "sma-cross"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sma-cross (vectorised, built-in)")
    rows = {
        line.split()[0]: line.split(None, 3)
        for line in result.stdout.splitlines()[3:]
        if line.strip()
    }
    assert rows["fast"][1:3] == ["int", "10"]
    assert rows["fast"][3].strip() == "fast SMA period in bars (<= 1: the close itself)"
    assert rows["slow"][1:3] == ["int", "20"]


def test_one_strategy_as_json() -> None:
    result = runner.invoke(app, ["strategies", "rsi-divergence", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["name"] == "rsi-divergence"
    assert [(p["name"], p["default"]) for p in document["parameters"]] == [
        ("period", 14),
        ("pivot_width", 3),
        ("lookback", 60),
        ("stop_atr", 0.0),
        ("target_atr", 0.0),
        ("min_bars", 0),
    ]


def test_unknown_strategy_is_one_error_line_listing_the_others() -> None:
    result = runner.invoke(app, ["strategies", "no-such"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: unknown strategy 'no-such'; available strategies: ")
    assert "macd-cross" in result.stderr
    assert "Traceback" not in result.stderr
