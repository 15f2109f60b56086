"""The service's operational settings: rate limits and the shutdown grace, from the
environment, blank meaning the default, a bad value named by its variable."""

from __future__ import annotations

import pytest

from paperdesk.domain import InvalidInputError
from paperdesk.settings import Settings


def test_defaults_and_values_from_the_environment(clean_environment: pytest.MonkeyPatch) -> None:
    defaults = Settings()
    assert (defaults.rate_limit_per_minute, defaults.rate_limit_burst) == (3000, 500)
    assert defaults.shutdown_grace_seconds == 30
    clean_environment.setenv("PAPERDESK_RATE_LIMIT_PER_MINUTE", " 0 ")
    clean_environment.setenv("PAPERDESK_RATE_LIMIT_BURST", "20")
    clean_environment.setenv("PAPERDESK_SHUTDOWN_GRACE_SECONDS", "5")
    chosen = Settings()
    assert (chosen.rate_limit_per_minute, chosen.rate_limit_burst) == (0, 20)
    assert chosen.shutdown_grace_seconds == 5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PAPERDESK_RATE_LIMIT_PER_MINUTE", "-1"),
        ("PAPERDESK_RATE_LIMIT_BURST", "0"),
        ("PAPERDESK_RATE_LIMIT_BURST", "lots"),
        ("PAPERDESK_SHUTDOWN_GRACE_SECONDS", "1.5"),
    ],
)
def test_a_bad_value_names_its_variable(
    clean_environment: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    clean_environment.setenv(variable, value)
    with pytest.raises(InvalidInputError, match=variable):
        Settings()
