"""PAPERDESK_LOG_LEVEL and PAPERDESK_LOG_FORMAT, read by Settings like every other variable."""

from __future__ import annotations

import logging

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


@pytest.mark.parametrize(("level", "shape"), [("DEBUG", "json"), ("WARNING", "text")])
def test_the_resolved_logging_is_what_a_spawned_process_reads(
    clean_environment: pytest.MonkeyPatch, level: str, shape: str
) -> None:
    """``serve --workers N``: the level and format the command resolved (``-v``,
    ``--log-format``) reach the workers through the environment, read by their Settings."""
    from paperdesk.service.logs import (
        LogSetup,
        configure_logging,
        share_logging_with_spawned_processes,
    )

    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    # set first, so that the fixture restores them after the function under test sets them
    clean_environment.setenv("PAPERDESK_LOG_LEVEL", "ERROR")
    clean_environment.setenv("PAPERDESK_LOG_FORMAT", "text" if shape == "json" else "json")
    try:
        configure_logging(LogSetup(level, shape))
        share_logging_with_spawned_processes()
        spawned = Settings()
    finally:
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
    assert (spawned.log_level, spawned.log_format) == (level, shape)
