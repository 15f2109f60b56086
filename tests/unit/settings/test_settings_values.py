"""Settings: defaults, each environment variable mapped, and the values derived from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdesk.data.providers.settings import DEFAULT_ORDER, KEYED
from paperdesk.settings import Settings
from paperdesk.store import Database


def test_defaults_without_any_variable(clean_environment: pytest.MonkeyPatch) -> None:
    settings = Settings()
    home = Path.home() / ".paperdesk"
    assert settings.home == home
    assert settings.database_url is None
    assert settings.database_url_value() == f"sqlite:///{home / 'paperdesk.db'}"
    assert settings.redis_url is None
    assert settings.redis_url_value() is None
    assert settings.redis_prefix is None
    assert settings.providers == DEFAULT_ORDER
    assert settings.ccxt_exchange == "binance"
    assert all(settings.api_key(name) is None for name in KEYED)


@pytest.mark.parametrize(
    ("variable", "text", "field", "expected"),
    [
        ("PAPERDESK_HOME", "/srv/paperdesk", "home", Path("/srv/paperdesk")),
        ("PAPERDESK_REDIS_PREFIX", "desk:", "redis_prefix", "desk:"),
        ("PAPERDESK_PROVIDERS", " Finnhub, yahoo ,", "providers", ("finnhub", "yahoo")),
        ("PAPERDESK_CCXT_EXCHANGE", "kraken", "ccxt_exchange", "kraken"),
    ],
)
def test_each_plain_variable_sets_its_field(
    clean_environment: pytest.MonkeyPatch, variable: str, text: str, field: str, expected: object
) -> None:
    clean_environment.setenv(variable, text)
    assert getattr(Settings(), field) == expected
    assert Settings.environment_variables()[field] == variable


def secret_value(settings: Settings, variable: str) -> str | None:
    if variable == "DATABASE_URL":
        return settings.database_url_value()
    if variable == "REDIS_URL":
        return settings.redis_url_value()
    return settings.api_key(variable.removeprefix("PAPERDESK_").removesuffix("_API_KEY").lower())


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL", *KEYED.values()])
def test_each_secret_variable_is_given_by_its_accessor(
    clean_environment: pytest.MonkeyPatch, variable: str
) -> None:
    scheme = "redis" if variable == "REDIS_URL" else "scheme"  # REDIS_URL must be a Redis URL
    clean_environment.setenv(variable, f" {scheme}://user:s3cret@host/0 ")
    assert secret_value(Settings(), variable) == f"{scheme}://user:s3cret@host/0"  # blanks dropped


def test_the_names_providers_report_are_the_variables_settings_read() -> None:
    variables = Settings.environment_variables()
    assert {name: variables[f"{name}_api_key"] for name in KEYED} == KEYED


def test_home_is_expanded(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("HOME", "/home/trader")
    clean_environment.setenv("PAPERDESK_HOME", "~/desk")
    assert Settings().home == Path("/home/trader/desk")
    assert Settings(home="~/other").home == Path("/home/trader/other")


@pytest.mark.parametrize("variable", Settings.environment_variables().values())
def test_a_blank_variable_means_the_default(
    clean_environment: pytest.MonkeyPatch, variable: str
) -> None:
    defaults = Settings().describe()
    clean_environment.setenv(variable, "  ")
    assert Settings().describe() == defaults


def test_database_url_is_normalised_by_the_store_not_by_settings(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.setenv("DATABASE_URL", "postgresql://trader:pw@127.0.0.1:1/desk")
    url = Settings().database_url_value()
    assert url == "postgresql://trader:pw@127.0.0.1:1/desk"
    database = Database(url, migrate=False)  # no connection is made
    assert database.url == "postgresql+psycopg://trader:pw@127.0.0.1:1/desk"


def test_provider_settings_carry_order_keys_exchange_and_home(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path, providers="polygon,ccxt", polygon_api_key="P", ccxt_exchange="kraken"
    )
    providers = settings.provider_settings()
    assert providers.order == ("polygon", "ccxt")
    assert providers.api_keys == {"polygon": "P"}
    assert providers.ccxt_exchange == "kraken"
    assert providers.home == tmp_path


def test_the_home_ledger_has_the_home_folders_and_another_ledger_its_own(
    tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path)  # no DATABASE_URL: the home's own SQLite ledger
    home_ledger = settings.database_url_value()
    assert settings.parquet_root(home_ledger) == tmp_path / "cache" / "bars"
    other = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert settings.parquet_root(other).parent == tmp_path / "cache"
    assert settings.parquet_root(other).name.startswith("bars-")
    assert settings.redis_prefix_for(other) != settings.redis_prefix_for(home_ledger)
    assert settings.redis_prefix_for(other).startswith("paperdesk:")
    assert Settings(home=tmp_path, redis_prefix="desk:").redis_prefix_for(other) == "desk:"
