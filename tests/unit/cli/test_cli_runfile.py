"""The run-file merge: TOML plus command-line options into an exact RunConfig."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.domain.parsing import OptionError
from paperdesk.service.run_files import build_config, read_run_file


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_with_only_strategy_and_symbol() -> None:
    config = build_config({"strategy": "sma-cross", "symbol": "SPY"})
    assert config == RunConfig(strategy="sma-cross", symbol="SPY")
    assert config.cash == Decimal("10000")
    assert config.execution.slippage_bps == Decimal("5")
    assert config.risk.exposure_cap_percent == Decimal("80")
    assert config.sizing.percent == Decimal("80")


def test_run_file_values_and_params(tmp_path: Path) -> None:
    write(tmp_path / "prices.csv", "x\n")
    run_file = write(
        tmp_path / "run.toml",
        """
strategy = "sma-cross"
data = "prices.csv"
timeframe = "1D"
cash = "25000.10"
commission = "percent:0.1"
slippage-bps = 2.5
fill = "close"
from = 2020-01-01
to = "2021-06-30"
sizer = "risk"
risk_pct = 0.75
size_at = "fill"
allow_short = true
pyramiding = true
exposure_cap = "none"
max_position_pct = 25
max_open_positions = 3
max_holding_bars = 20
daily_loss_limit = 2.5
min_confidence = 0.6
cooldown_bars = 2
volume_cap = 0.1
spread_pips = 1.2

[params]
fast = 10
slow = 50
threshold = 0.5
kind = "ema"
""",
    )
    config = build_config({}, (), run_file)
    assert config == RunConfig(
        strategy="sma-cross",
        params={"fast": 10, "slow": 50, "threshold": 0.5, "kind": "ema"},
        data=tmp_path / "prices.csv",
        timeframe="1d",
        cash=Decimal("25000.10"),
        start=date(2020, 1, 1),
        end=date(2021, 6, 30),
        sizing=SizingConfig(method="risk", risk_percent=Decimal("0.75"), timing=SizeTiming.FILL),
        risk=RiskConfig(
            min_confidence=0.6,
            cooldown_bars=2,
            pyramiding=True,
            allow_short=True,
            exposure_cap_percent=None,
            max_position_percent=Decimal("25"),
            max_open_positions=3,
            max_holding_bars=20,
            daily_loss_limit_percent=Decimal("2.5"),
        ),
        execution=ExecutionConfig(
            fill_timing=FillTiming.CLOSE,
            commission="percent:0.1",
            slippage_bps=Decimal("2.5"),
            spread_pips=Decimal("1.2"),
            volume_cap=Decimal("0.1"),
        ),
    )
    assert str(config.execution.slippage_bps) == "2.5"  # exact, never through a float
    assert isinstance(config.params["threshold"], float)


def test_command_line_wins_over_run_file(tmp_path: Path) -> None:
    run_file = write(
        tmp_path / "run.toml",
        """
strategy = "sma-cross"
symbol = "SPY"
cash = 5000
allow_short = true
fill = "close"
[params]
fast = 10
slow = 50
""",
    )
    options: dict[str, object | None] = {
        "cash": "7500.5",
        "allow_short": False,
        "fill": None,
        "strategy": None,
    }
    config = build_config(options, ["fast=5", "mode=ema"], run_file)
    assert config.cash == Decimal("7500.5")
    assert config.risk.allow_short is False
    assert config.execution.fill_timing is FillTiming.CLOSE  # not given: the file's value
    assert config.strategy == "sma-cross"
    assert config.params == {"fast": 5, "slow": 50, "mode": "ema"}


def test_command_line_data_source_replaces_the_files(tmp_path: Path) -> None:
    write(tmp_path / "prices.csv", "x\n")
    run_file = write(tmp_path / "run.toml", 'strategy = "s"\ndata = "prices.csv"\n')
    config = build_config({"symbol": "EURUSD"}, (), run_file)
    assert config.symbol == "EURUSD"
    assert config.data is None


def test_relative_data_path_is_relative_to_the_run_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    write(folder / "prices.csv", "x\n")
    run_file = write(folder / "run.toml", 'strategy = "s"\ndata = "prices.csv"\n')
    monkeypatch.chdir(tmp_path)
    config = build_config({}, (), Path("runs/run.toml"))
    assert config.data is not None
    assert config.data.resolve() == (folder / "prices.csv").resolve()
    assert run_file.exists()


def test_unknown_key_is_named(tmp_path: Path) -> None:
    run_file = write(tmp_path / "run.toml", 'strategy = "s"\nsymbol = "A"\nslipage = 3\n')
    with pytest.raises(OptionError, match="unknown key 'slipage'"):
        build_config({}, (), run_file)


def test_unknown_table_is_named(tmp_path: Path) -> None:
    run_file = write(tmp_path / "run.toml", 'strategy = "s"\n[risk]\nallow_short = true\n')
    with pytest.raises(OptionError, match="unknown key 'risk'"):
        read_run_file(run_file)


def test_malformed_toml(tmp_path: Path) -> None:
    run_file = write(tmp_path / "run.toml", 'strategy = "s\n')
    with pytest.raises(OptionError, match="malformed TOML in run file"):
        build_config({}, (), run_file)


def test_missing_run_file(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="run file not found"):
        build_config({}, (), tmp_path / "absent.toml")


def test_same_key_with_dash_and_underscore(tmp_path: Path) -> None:
    run_file = write(tmp_path / "run.toml", "slippage-bps = 1\nslippage_bps = 2\n")
    with pytest.raises(OptionError, match="given twice"):
        read_run_file(run_file)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"symbol": "A"}, "no strategy given"),
        ({"strategy": "s"}, "no data given"),
        ({"strategy": "s", "data": "absent.csv"}, "data file not found: absent.csv"),
        ({"strategy": "s", "symbol": "A", "cash": "lots"}, "--cash: 'lots'"),
        ({"strategy": "s", "symbol": "A", "cash": "-5"}, "--cash: '-5'"),
        ({"strategy": "s", "symbol": "A", "fill": "later"}, "expected next-open or close"),
        ({"strategy": "s", "symbol": "A", "sizer": "kelly"}, "percent-equity or fixed"),
        ({"strategy": "s", "symbol": "A", "from": "2020-13-01"}, "--from: '2020-13-01'"),
        ({"strategy": "s", "symbol": "A", "from": "2021-01-01", "to": "2020-01-01"}, "after"),
        ({"strategy": "s", "symbol": "A", "timeframe": "daily"}, "--timeframe: 'daily'"),
        ({"strategy": "s", "symbol": "A", "min_confidence": "2"}, "--min-confidence"),
        ({"strategy": "s", "symbol": "A", "cooldown_bars": "1.5"}, "--cooldown-bars"),
        ({"strategy": "s", "symbol": "A", "volume_cap": "1.5"}, "--volume-cap"),
    ],
)
def test_bad_values_are_named(options: dict[str, object | None], message: str) -> None:
    with pytest.raises(OptionError, match=message.replace("(", r"\(")):
        build_config(options)


def test_bad_value_in_run_file_names_the_key(tmp_path: Path) -> None:
    run_file = write(tmp_path / "run.toml", 'strategy = "s"\nsymbol = "A"\nallow_short = "yes"\n')
    with pytest.raises(OptionError, match=r"'allow_short' in run\.toml: 'yes'"):
        build_config({}, (), run_file)


@pytest.mark.parametrize("text", ["fast", "=10", ""])
def test_malformed_param(text: str) -> None:
    with pytest.raises(OptionError, match="--param"):
        build_config({"strategy": "s", "symbol": "A"}, [text])


def test_param_values_are_read_as_toml() -> None:
    params = ["n=10", "x=0.25", "flag=true", "name=ema", 'quoted="a b"', "empty="]
    config = build_config({"strategy": "s", "symbol": "A"}, params)
    assert config.params == {
        "n": 10,
        "x": 0.25,
        "flag": True,
        "name": "ema",
        "quoted": "a b",
        "empty": "",
    }
