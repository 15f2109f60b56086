"""PAPERDESK_LOG_LEVEL and PAPERDESK_LOG_FORMAT, read by Settings like every other variable."""

from __future__ import annotations

import pytest

from paperdesk.domain import InvalidInputError
from paperdesk.settings import Settings


def test_defaults(clean_environment: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert (settings.log_level, settings.log_format) == ("WARNING", "text")


def test_values_are_normalised(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("PAPERDESK_LOG_LEVEL", " debug ")
    clean_environment.setenv("PAPERDESK_LOG_FORMAT", "JSON")
    settings = Settings()
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert settings.describe()["PAPERDESK_LOG_LEVEL"] == "DEBUG"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PAPERDESK_LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("PAPERDESK_LOG_FORMAT", "xml", "text, json"),
    ],
)
def test_a_bad_value_names_the_variable(
    clean_environment: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    clean_environment.setenv(variable, value)
    with pytest.raises(InvalidInputError) as raised:
        Settings()
    assert str(raised.value) == f"{variable} is '{value}'; expected one of {expected}"
