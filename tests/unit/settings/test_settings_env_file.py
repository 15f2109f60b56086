"""A ``.env`` file (pydantic-settings' ``env_file``): the working directory's, or the one
``PAPERDESK_ENV_FILE`` names; the environment wins, other keys are ignored, typos refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from settings_refusals import refusal

from paperdesk.domain import InvalidInputError
from paperdesk.settings import Settings


@pytest.fixture
def folder(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The working directory, with the default .env read (the suite's fixtures turn it off)."""
    clean_environment.delenv("PAPERDESK_ENV_FILE", raising=False)
    clean_environment.chdir(tmp_path)
    return tmp_path


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_the_working_directorys_env_file_is_read(folder: Path) -> None:
    write(
        folder / ".env",
        "PAPERDESK_LOG_LEVEL=debug",
        f"PAPERDESK_HOME={folder / 'home'}",
        "DATABASE_URL=sqlite:///ledger-from-env.db",
        "export REDIS_URL='redis://:s3cret@cache:6379/1'",
    )
    settings = Settings()
    assert settings.log_level == "DEBUG"
    assert settings.home == folder / "home"
    assert settings.database_url_value() == "sqlite:///ledger-from-env.db"
    assert settings.redis_url_value() == "redis://:s3cret@cache:6379/1"
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.describe())


def test_the_environment_wins_over_the_file(
    folder: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    write(folder / ".env", "PAPERDESK_LOG_LEVEL=debug", "PAPERDESK_RATE_LIMIT_BURST=7")
    clean_environment.setenv("PAPERDESK_LOG_LEVEL", "error")
    settings = Settings()
    assert (settings.log_level, settings.rate_limit_burst) == ("ERROR", 7)


def test_other_programs_keys_are_ignored(folder: Path) -> None:
    write(
        folder / ".env",
        "SECRET_KEY=not-ours",
        "POSTGRES_PASSWORD=hunter2",
        "HOME=/elsewhere",
        "LOG_LEVEL=chatty",
        "PAPERDESK_TEST_HARNESS=1",
        "A_KEY_WITHOUT_A_VALUE",
        "PAPERDESK_CCXT_EXCHANGE=kraken",
    )
    settings = Settings()
    assert settings.ccxt_exchange == "kraken"
    assert settings.log_level == "WARNING"
    assert not hasattr(settings, "secret_key")


def test_a_misspelled_key_in_the_file_is_refused(folder: Path) -> None:
    env_file = write(folder / ".env", "PAPERDESK_RATE_LIMT_BURST=5")
    assert refusal() == (
        f"PAPERDESK_RATE_LIMT_BURST in {env_file} is not a paperdesk setting "
        "(did you mean PAPERDESK_RATE_LIMIT_BURST?); rename or remove it"
    )


def test_a_bad_value_names_the_file_and_hides_the_secret(folder: Path) -> None:
    env_file = write(folder / ".env", "REDIS_URL=http://:hunter2@cache/0")
    message = refusal()
    assert message.startswith(f"REDIS_URL (in {env_file}) 'http://:***@cache/0' is not a Redis")
    assert "hunter2" not in message


def test_paperdesk_env_file_names_another_file(
    folder: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    write(folder / ".env", "PAPERDESK_CCXT_EXCHANGE=kraken")
    elsewhere = write(folder / "prod.env", "PAPERDESK_CCXT_EXCHANGE=coinbase")
    clean_environment.setenv("PAPERDESK_ENV_FILE", str(elsewhere))
    assert Settings().ccxt_exchange == "coinbase"
    clean_environment.setenv("PAPERDESK_ENV_FILE", "None")
    assert Settings().ccxt_exchange == "binance"


def test_a_missing_named_file_is_refused(
    folder: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    clean_environment.setenv("PAPERDESK_ENV_FILE", str(folder / "missing.env"))
    message = refusal()
    assert message.startswith(f"PAPERDESK_ENV_FILE names {str(folder / 'missing.env')!r}, ")
    assert "not a file" in message


def test_a_file_that_is_not_text_is_refused_without_its_contents(folder: Path) -> None:
    (folder / ".env").write_bytes(b"PAPERDESK_CCXT_EXCHANGE=\xff\xfe-secret\n")
    message = refusal()
    assert message == f"cannot read the .env file {folder / '.env'}: it is not UTF-8 text"


def test_the_suites_clean_environment_reads_no_env_file(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A developer's .env in the folder the tests run from changes no test's settings."""
    clean_environment.chdir(tmp_path)
    write(tmp_path / ".env", "PAPERDESK_CCXT_EXCHANGE=kraken", "PAPERDESK_LOG_LEVL=debug")
    assert Settings().ccxt_exchange == "binance"


def test_a_callers_unknown_setting_is_still_an_error(folder: Path) -> None:
    """Other keys are ignored in the .env file only: code passing a wrong name is told."""
    with pytest.raises(InvalidInputError, match=r"^rate_limit_brust: not a paperdesk setting$"):
        Settings(rate_limit_brust=3)
    assert Settings(rate_limit_burst=3, REDIS_URL="redis://cache").rate_limit_burst == 3
