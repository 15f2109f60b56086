"""Each provider's base URL can point elsewhere (a local fake server, a proxy): the providers
built from the settings ask it; a value that is not an http(s) URL is refused at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdesk.data.providers import PolygonProvider, YahooProvider, build_providers
from paperdesk.domain import InvalidInputError
from paperdesk.settings import Settings


def test_provider_urls_and_timeout_reach_the_providers(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    clean_environment.setenv("PAPERDESK_YAHOO_URL", "http://127.0.0.1:9/yahoo/")
    clean_environment.setenv("PAPERDESK_POLYGON_URL", "https://proxy.example/polygon")
    clean_environment.setenv("PAPERDESK_POLYGON_API_KEY", "key")
    clean_environment.setenv("PAPERDESK_PROVIDER_TIMEOUT", "0.5")
    clean_environment.setenv("PAPERDESK_PROVIDERS", "yahoo,polygon")
    providers, _ = build_providers(Settings().provider_settings())
    yahoo, polygon = providers
    assert isinstance(yahoo, YahooProvider)
    assert isinstance(polygon, PolygonProvider)
    assert yahoo.base_url == "http://127.0.0.1:9/yahoo"
    assert polygon.base_url == "https://proxy.example/polygon"
    assert yahoo.client.timeout.read == 0.5


def test_without_overrides_the_public_urls_are_asked(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    clean_environment.setenv("PAPERDESK_YAHOO_URL", "  ")
    [yahoo], _ = build_providers(Settings(providers="yahoo").provider_settings())
    assert yahoo.base_url == YahooProvider.base_url == "https://query1.finance.yahoo.com"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PAPERDESK_POLYGON_URL", "ftp://example.com"), ("PAPERDESK_PROVIDER_TIMEOUT", "-1")],
)
def test_a_bad_override_is_refused_naming_the_variable(
    clean_environment: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    clean_environment.setenv(variable, value)
    with pytest.raises(InvalidInputError, match=variable):
        Settings()
