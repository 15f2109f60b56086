"""The run description: every option declared once, and everything derived from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from paperdesk.config import (
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
    StrategySpec,
    declared_options,
)
from paperdesk.domain import InvalidInputError, OptionError

DECLARED = list(declared_options(RunConfig))


def test_every_option_is_declared_once_with_help_and_a_parser() -> None:
    keys = [item.key for item in DECLARED]
    assert len(keys) == len(set(keys)) > 25
    flags = [item.option.cli_flag for item in DECLARED]
    assert len(flags) == len(set(flags))
    for item in DECLARED:
        assert item.option.help.strip(), item.key
        assert callable(item.option.parse)


def test_each_default_passes_its_own_parser() -> None:
    for item in DECLARED:
        if item.default is not None and item.default != ():
            item.option.parse(item.default, item.key)  # raises if the default were invalid


def test_stored_json_round_trips_exactly() -> None:
    config = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 5}), StrategySpec("macd-cross")),
        symbols=("SPY", "EURUSD"),
        timeframe="1h",
        cash=Decimal("12345.67"),
        source=SourceConfig("replay", files={"SPY": "/x.csv"}, replay_from=date(2020, 1, 2)),
        sizing=SizingConfig(method="fixed", quantity=Decimal("2.5")),
        risk=RiskConfig(exposure_cap_percent=None, cooldown_bars=3, allow_short=True),
        execution=ExecutionConfig(commission="per-lot:7", slippage_bps=Decimal("0.25")),
    )
    document = config.to_json()
    assert document["execution"]["slippage_bps"] == "0.25"  # exact, as text
    assert RunConfig.from_json(document) == config


def test_settings_stored_before_the_run_description_still_load() -> None:
    stored = {  # what PortfolioSettings.to_json() wrote
        "strategies": [{"name": "macd-cross", "params": {}}],
        "symbols": ["SPY"],
        "timeframe": "1d",
        "source": {"kind": "replay", "files": {}, "replay_from": "2020-01-02"},
        "sizing": {"method": "percent-equity", "percent": "80", "quantity": "1",
                   "risk_percent": "1", "lots": "1", "timing": "signal"},
        "risk": {"min_confidence": 0.0, "allowed_symbols": [], "cooldown_bars": 0,
                 "pyramiding": False, "allow_short": False, "exposure_cap_percent": "80",
                 "max_position_percent": None, "max_open_positions": None,
                 "max_holding_bars": None, "daily_loss_limit_percent": None},
        "execution": {"fill_timing": "next-open", "commission": "none", "slippage_bps": "5",
                      "spread_pips": None, "volume_cap": None},
    }  # fmt: skip
    config = RunConfig.from_json(stored)
    assert config.source.replay_from == date(2020, 1, 2)
    assert config.risk.exposure_cap_percent == Decimal(80)


@pytest.mark.parametrize(
    ("data", "labels", "message"),
    [
        ({"sizing": {"percent": "150"}}, {"size_pct": "--size-pct"}, "--size-pct: '150'"),
        ({"sizing": {"percent": "150"}}, {"size_pct": "'size_pct' in a.toml"}, "in a.toml"),
        ({"sizing": {"percent": "150"}}, {}, "invalid value for percent"),
        ({"risk": {"cooldown_bars": "-1"}}, {}, "cooldown_bars"),
        ({"execution": {"fill_timing": "later"}}, {}, "expected next-open or close"),
        ({"risk": {"bogus": 1}}, {}, "unknown setting 'bogus'"),
        ({"strategies": []}, {}, "at least one strategy"),
        ({"start": "2021-01-01", "end": "2020-01-01"}, {}, "is after"),
    ],
)
def test_a_bad_value_is_named_where_it_was_set(
    data: dict[str, object], labels: dict[str, str], message: str
) -> None:
    with pytest.raises(OptionError, match=message.replace("(", r"\(")):
        RunConfig.parse(data, labels)


def test_python_construction_is_checked_by_the_same_rules() -> None:
    with pytest.raises(InvalidInputError, match="percent"):
        SizingConfig(percent=Decimal(0))
    with pytest.raises(InvalidInputError, match="allowed_symbols"):
        RiskConfig(allowed_symbols="SPY")  # type: ignore[arg-type]
    config = RunConfig(strategy="sma-cross", params={"fast": 3}, symbol="SPY")
    assert (config.strategy, dict(config.params), config.symbol) == (
        "sma-cross",
        {"fast": 3},
        "SPY",
    )
    changed = config.with_changes(cash=Decimal(5000))
    assert (changed.cash, changed.strategy, dict(changed.params)) == (
        Decimal(5000), "sma-cross", {"fast": 3},
    )  # fmt: skip
    with pytest.raises(InvalidInputError, match="cash"):
        config.with_changes(cash=Decimal(-1))


def test_the_api_schema_documents_each_option() -> None:
    schema = RunConfig.model_json_schema()
    percent = schema["$defs"]["SizingConfig"]["properties"]["percent"]
    assert percent["description"] == "Percent of equity per entry."
    assert (percent["x-flag"], percent["x-key"], percent["x-unit"]) == (
        "--size-pct",
        "size_pct",
        "%",
    )
