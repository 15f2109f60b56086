"""Every error the API answers names the request's fields in the API's words (``stop_loss``),
never the command line's options (``--stop-loss``): the test clients check each answer."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

# an option as the command line spells it: two dashes and a word, not inside another word
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
MARK = re.compile("[\ue000-\ue002]")  # domain.fields' marks never leave the server


def options_named(text: str) -> list[str]:
    """The command-line options (and any unrendered field marks) ``text`` names."""
    return [*OPTION.findall(text), *MARK.findall(text)]


def assert_speaks_the_api(response: Any) -> None:
    """An error answer names no command-line option."""
    if response.status_code < 400:
        return
    found = options_named(response.text)
    assert not found, (response.request.method, str(response.request.url), response.text)


class FieldWordsClient(TestClient):
    """A test client that checks every error answer with ``assert_speaks_the_api``."""

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        assert_speaks_the_api(response)
        return response
