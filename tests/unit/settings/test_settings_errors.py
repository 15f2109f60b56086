"""A bad setting is one ``InvalidInputError`` line naming its variable, never a traceback."""

from __future__ import annotations

import pytest

from paperdesk.domain import InvalidInputError
from paperdesk.settings import Settings


def error_for(monkeypatch: pytest.MonkeyPatch, variable: str, text: str) -> str:
    monkeypatch.setenv(variable, text)
    with pytest.raises(InvalidInputError) as caught:
        Settings()
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    return message


def test_unknown_provider_names_the_variable_and_the_choices(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    message = error_for(clean_environment, "PAPERDESK_PROVIDERS", "yahoo,bloomberg")
    assert message == (
        "PAPERDESK_PROVIDERS names unknown providers ['bloomberg']; "
        "expected some of yahoo, twelvedata, finnhub, alphavantage, polygon, ccxt"
    )


def test_a_wrong_type_names_the_variable_the_expectation_and_the_value() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Settings(home=3)
    assert str(caught.value).startswith("PAPERDESK_HOME: input is not a valid path")
    assert str(caught.value).endswith(", not 3")


def test_a_bad_secret_is_named_but_not_shown() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Settings(database_url=["postgresql://u:s3cret@h/db"])
    assert str(caught.value).startswith("DATABASE_URL: input should be a valid string")
    assert "s3cret" not in str(caught.value)


def test_every_problem_is_on_the_one_line() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Settings(home=3, providers="nasdaq")
    message = str(caught.value)
    assert "PAPERDESK_HOME" in message
    assert "PAPERDESK_PROVIDERS names unknown providers ['nasdaq']" in message
    assert len(message.splitlines()) == 1


def test_no_pydantic_traceback_reaches_the_caller() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Settings(providers="nasdaq")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
