"""The one way the settings tests check a refusal: ``Settings()`` raises ``InvalidInputError``
with one line and no chained cause (no traceback of pydantic's)."""

from __future__ import annotations

import pytest

from paperdesk.domain import InvalidInputError
from paperdesk.settings import Settings


def refusal() -> str:
    with pytest.raises(InvalidInputError) as caught:
        Settings()
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert caught.value.__cause__ is None
    return message
