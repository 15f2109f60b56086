"""An operator's slips in the environment: a malformed REDIS_URL and a misspelled variable are
one line naming the variable, before anything starts (not a traceback at the first connection,
not a setting ignored in silence)."""

from __future__ import annotations

import pytest
from settings_refusals import refusal as settings_refusal

from paperdesk.settings import Settings


def refusal(monkeypatch: pytest.MonkeyPatch, variable: str, text: str) -> str:
    monkeypatch.setenv(variable, text)
    return settings_refusal()


@pytest.mark.parametrize(
    "url",
    [
        "notredis",
        "http://127.0.0.1:6379/0",
        "redis://127.0.0.1:abc/0",
        "redis://127.0.0.1:99999/0",
        "redis://127.0.0.1:6379/zero",
    ],
)
def test_a_malformed_redis_url_is_named(clean_environment: pytest.MonkeyPatch, url: str) -> None:
    message = refusal(clean_environment, "REDIS_URL", url)
    assert message.startswith(f"REDIS_URL {url!r} is not a Redis URL (expected redis://")


def test_a_malformed_redis_url_hides_its_password(clean_environment: pytest.MonkeyPatch) -> None:
    message = refusal(clean_environment, "REDIS_URL", "redis://:hunter2@cache:port/0")
    assert "hunter2" not in message
    assert "'redis://:***@cache:port/0' is not a Redis URL" in message


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "redis://cache",
        "rediss://:secret@cache.example:6380/2",
        "unix:///run/redis.sock",
    ],
)
def test_redis_urls_redis_opens_are_kept(clean_environment: pytest.MonkeyPatch, url: str) -> None:
    clean_environment.setenv("REDIS_URL", url)
    assert Settings().redis_url_value() == url


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("PAPERDESK_RATE_LIMT_BURST", "PAPERDESK_RATE_LIMIT_BURST"),
        ("PAPERDESK_LOGLEVEL", "PAPERDESK_LOG_LEVEL"),
        ("PAPERDESK_DATABASE_URL", "DATABASE_URL"),
        ("PAPERDESK_REDIS_URL", "REDIS_URL"),
    ],
)
def test_a_misspelled_variable_is_refused_with_the_setting_meant(
    clean_environment: pytest.MonkeyPatch, typed: str, meant: str
) -> None:
    message = refusal(clean_environment, typed, "5")
    assert message == (
        f"{typed} is not a paperdesk setting (did you mean {meant}?); rename or unset it"
    )


def test_other_paperdesk_variables_and_blank_typos_are_left_alone(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.setenv("PAPERDESK_CHROMIUM", "/usr/bin/chromium")
    clean_environment.setenv("PAPERDESK_SCHEMATHESIS_EXAMPLES", "3")
    clean_environment.setenv("PAPERDESK_RATE_LIMT_BURST", " ")
    clean_environment.setenv("PAPERDESK_RATE_LIMIT_BURST", "7")
    assert Settings().rate_limit_burst == 7
