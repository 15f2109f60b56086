"""The statistics options of the run description: defaults, parsing, errors and storage."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import ReturnBasis, RunConfig, StatisticsConfig
from paperdesk.domain import OptionError
from paperdesk.service.run_files import build_config


def test_defaults_keep_todays_statistics() -> None:
    settings = RunConfig().statistics
    assert settings == StatisticsConfig()
    assert settings.returns is ReturnBasis.BAR
    assert settings.risk_free_rate == 0
    assert settings.benchmark is None
    assert settings.benchmark_data is None
    assert not settings.has_benchmark


def test_values_parse_from_text_as_the_command_line_gives_them() -> None:
    settings = StatisticsConfig.parse({"returns": "DAILY", "risk_free_rate": "-0.5",
                                       "benchmark": " spy "})  # fmt: skip
    assert settings.returns is ReturnBasis.DAILY
    assert settings.risk_free_rate == Decimal("-0.5")
    assert settings.benchmark == "SPY"
    assert StatisticsConfig.parse({"benchmark": "none"}).benchmark is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("risk_free_rate", "abc", "invalid value for --risk-free-rate: 'abc' (expected a number "
         "at least -100 and at most 100)"),
        ("risk_free_rate", "101", "invalid value for --risk-free-rate: '101' (expected"),
        ("returns", "weekly", "invalid value for --returns: 'weekly' (expected bar or daily)"),
        ("benchmark", "S P Y", "invalid value for --benchmark: 'S P Y' (expected a symbol"),
    ],
)  # fmt: skip
def test_bad_values_name_the_option_and_what_it_accepts(key: str, value: str, message: str) -> None:
    options = {"strategy": "sma-cross", "symbol": "SPY", key: value}
    with pytest.raises(OptionError) as raised:
        build_config(options)
    assert str(raised.value).startswith(message)


def test_a_run_file_names_itself_and_its_benchmark_data_is_relative_to_it(tmp_path: Path) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text('strategy = "sma-cross"\nsymbol = "SPY"\nrisk_free_rate = 2.5\n'
                        'returns = "daily"\nbenchmark_data = "spy.csv"\n')  # fmt: skip
    config = build_config({}, (), run_file)
    assert config.statistics.risk_free_rate == Decimal("2.5")
    assert config.statistics.returns is ReturnBasis.DAILY
    assert config.statistics.benchmark_data == tmp_path / "spy.csv"
    run_file.write_text('strategy = "sma-cross"\nsymbol = "SPY"\nrisk_free_rate = "abc"\n')
    with pytest.raises(OptionError, match=r"'risk_free_rate' in run\.toml: 'abc'"):
        build_config({}, (), run_file)


def test_portfolio_settings_store_the_options_and_old_settings_read_as_defaults() -> None:
    statistics = StatisticsConfig(benchmark="SPY", risk_free_rate=Decimal("1.25"))
    config = RunConfig(symbol="SPY", statistics=statistics)
    stored = config.to_json()
    assert stored["statistics"] == {"returns": "bar", "risk_free_rate": "1.25",
                                    "benchmark": "SPY", "benchmark_data": None}  # fmt: skip
    assert RunConfig.from_json(stored) == config
    del stored["statistics"]  # settings stored before the options existed
    assert RunConfig.from_json(stored).statistics == StatisticsConfig()
