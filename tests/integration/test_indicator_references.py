"""Public indicator references reproduced through the shipped run files and the
``paperdesk indicator`` command (values in shared/data/MANIFEST.md sections B and C)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

REFERENCES = Path(__file__).resolve().parents[2] / "examples" / "references"


def indicator(*arguments: str) -> dict[str, Any]:
    outcome = CliRunner().invoke(app, ["indicator", *arguments, "--json"])
    assert outcome.exit_code == 0, outcome.output
    document: dict[str, Any] = json.loads(outcome.stdout)
    return document


def run_file(name: str, *arguments: str) -> dict[str, Any]:
    return indicator("--config", str(REFERENCES / name), *arguments)


def test_ta_library_macd_on_the_stockcharts_worksheet_to_1e_6() -> None:
    document = run_file("ta_macd.toml")
    assert document["params"] == {"fast": 12, "slow": 26, "signal": 9, "seed": "first"}
    values = document["values"]
    assert [entry["label"] for entry in values] == ["05-Aug-09", "06-Aug-09", "07-Aug-09"]
    expected_line = [1.05834511, 1.02346981, 0.99565048]
    expected_signal = [0.93354444, 0.95152952, 0.96035371]
    for entry, line, signal in zip(values, expected_line, expected_signal, strict=True):
        assert entry["macd"] == pytest.approx(line, abs=1e-6)
        assert entry["signal"] == pytest.approx(signal, abs=1e-6)
        assert entry["histogram"] == pytest.approx(line - signal, abs=2e-6)


def test_the_sma_seeded_convention_misses_the_ta_macd_by_about_1e_4() -> None:
    seeded = run_file("ta_macd.toml", "--param", "seed=sma")["values"][-1]
    assert seeded["macd"] == pytest.approx(0.9957283, abs=1e-7)
    assert seeded["signal"] == pytest.approx(0.96046815, abs=1e-8)
    assert 5e-5 < abs(seeded["macd"] - 0.99565048) < 2e-4
    assert 5e-5 < abs(seeded["signal"] - 0.96035371) < 2e-4


def test_stockcharts_rsi_14_to_two_decimals() -> None:
    document = run_file("stockcharts_rsi.toml")
    published = {
        "05-Jan-10": 70.53, "06-Jan-10": 66.32, "07-Jan-10": 66.55, "08-Jan-10": 69.41,
        "11-Jan-10": 66.36, "12-Jan-10": 57.97, "13-Jan-10": 62.93, "14-Jan-10": 63.26,
        "15-Jan-10": 56.06, "19-Jan-10": 62.38, "20-Jan-10": 54.71, "21-Jan-10": 50.42,
        "22-Jan-10": 39.99, "25-Jan-10": 41.46, "26-Jan-10": 41.87, "27-Jan-10": 45.46,
        "28-Jan-10": 37.30, "29-Jan-10": 33.08, "01-Feb-10": 37.77,
    }  # fmt: skip
    assert {entry["label"]: round(entry["rsi"], 2) for entry in document["values"]} == published
    assert document["values"][0]["rsi"] == pytest.approx(70.53278948369497, abs=1e-9)
    assert document["values"][0]["row"] == 14  # the first value: 14 changes seen


BACKTRADER = {
    "backtrader_sma.toml": {"sma": ["4063.463000", "3644.444667", "3554.693333"]},
    "backtrader_ema.toml": {"ema": ["4070.115719", "3644.444667", "3581.728712"]},
    "backtrader_rsi.toml": {"rsi": ["57.644284", "41.630968", "53.352553"]},
    "backtrader_macdhisto.toml": {
        "macd": ["25.821368", "32.469404", "1.772445"],
        "signal": ["21.977853", "26.469735", "-2.845646"],
        "histogram": ["3.843516", "5.999669", "4.618090"],
    },
}


@pytest.mark.parametrize("name", list(BACKTRADER))
def test_backtrader_indicator_tests_at_their_check_points(name: str) -> None:
    """backtrader's tests print each check point with '%f' and compare the text."""
    document = run_file(name)
    assert len(document["values"]) == 3
    for line, expected in BACKTRADER[name].items():
        assert [f"{entry[line]:f}" for entry in document["values"]] == expected, line


def test_backtrader_check_points_are_the_last_bar_the_first_value_and_the_middle() -> None:
    """testcommon.py's check points for 255 bars: [254, mp - 1, 254 + (-255 + mp) // 2]."""
    rows = {name: [e["row"] for e in run_file(name)["values"]] for name in BACKTRADER}
    assert rows["backtrader_sma.toml"] == [254, 29, 254 + (-255 + 30) // 2]
    assert rows["backtrader_rsi.toml"] == [254, 14, 254 + (-255 + 15) // 2]
    assert rows["backtrader_macdhisto.toml"] == [254, 33, 254 + (-255 + 34) // 2]


def test_lean_spy_ema_14() -> None:
    [last] = run_file("lean_spy_ema.toml")["values"]
    assert last["ema"] == pytest.approx(403.40804319737924, abs=1e-9)
    # 30 years of monthly bars wash the seed out by the end; at the first value the two differ
    whole = run_file("lean_spy_ema.toml", "--last", "364")["values"]
    first_seeded = run_file("lean_spy_ema.toml", "--last", "364", "--param", "seed=first")
    assert [entry["ema"] for entry in whole[:13]] == [None] * 13
    assert abs(whole[13]["ema"] - first_seeded["values"][13]["ema"]) > 0.1
    assert first_seeded["values"][-1]["ema"] == pytest.approx(403.40804319737924, abs=1e-6)


def test_the_command_line_alone_gives_what_the_run_file_gives() -> None:
    data = str(REFERENCES / "data" / "cs-macd.csv")
    by_hand = indicator(
        "macd", "--data", data, "--column", "Close", "--param", "seed=first", "--last", "3"
    )
    from_file = run_file("ta_macd.toml")
    assert by_hand["values"] == from_file["values"]
