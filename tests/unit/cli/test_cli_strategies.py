"""``paperdesk strategies [NAME]`` lists every parameter with its type, default and meaning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli.strategies import default_text

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


HEADINGS = ("Name", "Kind", "Parameters (defaults)", "Description")


def table_rows(stdout: str) -> dict[str, dict[str, list[str]]]:
    """The strategies table read back: each strategy's cells (a cell's lines, stripped, the
    empty ones left out) by the heading of their column; a column not shown is absent."""
    lines = stdout.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("Name "))
    starts = [(lines[header].index(h), h) for h in HEADINGS if h in lines[header]]
    rows: dict[str, dict[str, list[str]]] = {}
    name = ""
    for line in lines[header + 2 :]:
        if line.startswith("not shown:"):
            break
        cells = {
            heading: line[start : (starts[i + 1][0] if i + 1 < len(starts) else None)].strip()
            for i, (start, heading) in enumerate(starts)
        }
        if cells["Name"]:
            name = cells["Name"]
            rows[name] = {heading: [] for _, heading in starts}
        for heading, cell in cells.items():
            if cell:
                rows[name][heading].append(cell)
    return rows


def described() -> dict[str, dict[str, Any]]:
    result = runner.invoke(app, ["strategies", "--json"])
    assert result.exit_code == 0, result.output
    return {item["name"]: item for item in json.loads(result.stdout)["strategies"]}


def test_table_shows_defaults_as_param_takes_them() -> None:
    result = runner.invoke(app, ["strategies"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert rows["macd-cross"]["Parameters (defaults)"] == [
        "fast=12",
        "slow=26",
        "signal=9",
        "stop_atr=0.0",
        "target_atr=0.0",
        'ema_seed="sma"',
        "min_bars=0",
    ]
    assert rows["macd-cross"]["Kind"] == ["vectorised"]
    assert "zero_line_filter=false" in rows["tsi-momentum"]["Parameters (defaults)"]
    assert "not shown" not in result.stdout


@pytest.mark.parametrize("columns", [60, 72])
def test_narrow_table_leaves_out_kind_first_and_splits_no_word_or_parameter(
    columns: int,
) -> None:
    result = runner.invoke(app, ["strategies"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert all(len(line.rstrip()) <= columns for line in result.stdout.splitlines())
    assert "not shown: Kind" in result.stdout
    rows = table_rows(result.stdout)
    documents = described()
    assert set(rows) == set(documents)
    for name, document in documents.items():
        assert "Kind" not in rows[name]
        parameters = [f"{p['name']}={default_text(p['default'])}" for p in document["parameters"]]
        # "-": a strategy without parameters (another test's, registered in this process)
        assert rows[name]["Parameters (defaults)"] == (parameters or ["-"])
        if columns == 72 or "Description" in rows[name]:  # 60 keeps it unless a plug-in's
            shown = " ".join(rows[name]["Description"]).split()  # long words leave no room
            assert shown == document["description"].split(), name


def test_very_narrow_table_leaves_out_the_description_too() -> None:
    result = runner.invoke(app, ["strategies"], env={"COLUMNS": "48"})
    assert result.exit_code == 0, result.output
    table = result.stdout.split("not shown:")[0]  # the caption line is the terminal's to wrap
    assert all(len(line.rstrip()) <= 48 for line in table.splitlines())
    assert "not shown: Kind, Description (--wide shows every column)" in result.stdout
    rows = table_rows(result.stdout)
    assert rows["tsi-momentum"]["Parameters (defaults)"][3] == "zero_line_filter=false"


def test_wide_shows_every_column_whatever_the_terminal() -> None:
    result = runner.invoke(app, ["strategies", "--wide"], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert rows["sma-cross"]["Kind"] == ["vectorised"]
    assert rows["sma-cross"]["Description"] == [described()["sma-cross"]["description"]]


BRACKETED = """
from typing import ClassVar

from paperdesk.analysis.strategies.base import Strategy, make_signal_frame


class Bracketed(Strategy):
    name: ClassVar[str] = "cli-bracketed"
    description: ClassVar[str] = "Trades [crypto] pairs only, [bold]as written[/bold]."
    warmup = 0

    def compute(self, bars):
        return make_signal_frame(bars, [0], 1)
"""


@pytest.mark.usefixtures("registry_as_it_was")
def test_table_shows_brackets_in_a_description_as_written(tmp_path: Path) -> None:
    path = tmp_path / "bracketed.py"
    path.write_text(BRACKETED)
    arguments = ["strategies", "--strategy-path", str(path)]
    result = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout)["cli-bracketed"]["Description"] == [
        "Trades [crypto] pairs only, [bold]as written[/bold]."
    ]


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
