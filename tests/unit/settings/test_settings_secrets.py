"""Settings never show a secret: not in repr, str, JSON or the description for display."""

from __future__ import annotations

import pytest

from paperdesk.settings import Settings, hide_password

SECRETS = {
    "DATABASE_URL": "postgresql://trader:db-s3cret@db.example:5432/desk",
    "REDIS_URL": "redis://:redis-s3cret@cache.example:6379/0",
    "PAPERDESK_TWELVEDATA_API_KEY": "twelvedata-s3cret",
    "PAPERDESK_FINNHUB_API_KEY": "finnhub-s3cret",
    "PAPERDESK_ALPHAVANTAGE_API_KEY": "alphavantage-s3cret",
    "PAPERDESK_POLYGON_API_KEY": "polygon-s3cret",
}


@pytest.fixture
def settings(clean_environment: pytest.MonkeyPatch) -> Settings:
    for variable, value in SECRETS.items():
        clean_environment.setenv(variable, value)
    return Settings()


def test_no_secret_is_printed(settings: Settings) -> None:
    shown = [
        repr(settings),
        str(settings),
        f"{settings}",
        settings.model_dump_json(),
        str(settings.model_dump()),
        str(settings.describe()),
        repr(settings.provider_settings()),
    ]
    for text in shown:
        assert "s3cret" not in text, text


def test_the_description_hides_passwords_and_keys(settings: Settings) -> None:
    described = settings.describe()
    assert described["DATABASE_URL"] == "postgresql://trader:***@db.example:5432/desk"
    assert described["REDIS_URL"] == "redis://:***@cache.example:6379/0"
    assert described["PAPERDESK_FINNHUB_API_KEY"] == "set"
    assert set(described) == set(Settings.environment_variables().values())


def test_the_accessors_give_the_real_values(settings: Settings) -> None:
    assert settings.database_url_value() == SECRETS["DATABASE_URL"]
    assert settings.redis_url_value() == SECRETS["REDIS_URL"]
    assert settings.api_key("polygon") == SECRETS["PAPERDESK_POLYGON_API_KEY"]
    assert settings.provider_settings().api_keys["finnhub"] == "finnhub-s3cret"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:p@h:5432/db?sslmode=require",
         "postgresql+psycopg://u:***@h:5432/db?sslmode=require"),
        ("redis://:p@h/0", "redis://:***@h/0"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:p/ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("sqlite:////home/u/.paperdesk/paperdesk.db", "sqlite:////home/u/.paperdesk/paperdesk.db"),
        ("not a url", "not a url"),
    ],
)  # fmt: skip
def test_hide_password(url: str, shown: str) -> None:
    assert hide_password(url) == shown
